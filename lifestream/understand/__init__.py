"""From a video to what happened in it: transcription, scene-aware blocks, vision, summaries, the diary
and its chunks. `process_video` runs the stages in order and indexes the chunks through `memory`.
"""

from lifestream.core.lazy import lazy_exports

_NAMES = {
    "process_video": "pipeline",
    "ProcessResult": "pipeline",
    "Diary": "diary",
    "DiaryBlock": "diary",
    "render_markdown": "diary",
    "make_blocks": "blocks",
    "build_chunks": "chunking",
}
__all__ = [
    "Diary",
    "DiaryBlock",
    "ProcessResult",
    "build_chunks",
    "make_blocks",
    "process_video",
    "render_markdown",
]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
