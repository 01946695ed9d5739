"""The ground floor, imported by every other room and by `stacks/`: settings, secrets, the names and
constants shared with the CDK stacks, errors, the data models, time formatting, checkpoints, text helpers
and the OpenAI client. It imports no other room.
"""

from lifestream.core.lazy import lazy_exports

_NAMES = {
    "Settings": "settings",
    "load_settings": "settings",
    "LifeStreamError": "errors",
    "ConfigError": "errors",
    "TransientError": "errors",
    "TranscriptSegment": "models",
    "Chunk": "models",
    "ChunkType": "models",
    "SearchResult": "models",
    "Checkpoint": "checkpoint",
    "hms": "timefmt",
    "span_label": "timefmt",
}
__all__ = [
    "Checkpoint",
    "Chunk",
    "ChunkType",
    "ConfigError",
    "LifeStreamError",
    "SearchResult",
    "Settings",
    "TranscriptSegment",
    "TransientError",
    "hms",
    "load_settings",
    "span_label",
]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
