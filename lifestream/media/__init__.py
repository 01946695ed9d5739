"""Media on PyAV, the first stages of the pipeline: probe, keyframes and scenes, audio extraction, and the
generated sample video of the demo and tests.
"""

from lifestream.core.lazy import lazy_exports

_NAMES = {
    "probe": "probe",
    "MediaInfo": "probe",
    "detect_scenes": "scenes",
    "Scene": "scenes",
    "extract_audio": "audio",
    "AudioTrack": "audio",
    "make_sample_video": "sample_media",
    "SampleVideo": "sample_media",
}
__all__ = [
    "AudioTrack",
    "MediaInfo",
    "SampleVideo",
    "Scene",
    "detect_scenes",
    "extract_audio",
    "make_sample_video",
    "probe",
]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
