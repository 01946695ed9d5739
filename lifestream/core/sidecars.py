"""Which subtitle files belong to a video: the one rule for a folder on disk, an upload and an S3 prefix.

`talk.srt`, `talk.SRT`, `talk.en.vtt` belong to `talk.mp4` (any case of the suffix); `talk.old.srt`
belongs to `talk.old.mp4` when that video is among the names too (the longest video name wins), so two
videos in one folder never share subtitles.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lifestream.core.constants import SUBTITLE_SUFFIXES, VIDEO_SUFFIXES

# A subtitle file larger than this is not subtitles worth reading: it is ignored (with a warning) by the
# worker before download and by the transcript stage, and refused by the API's upload ticket.
MAX_SIDECAR_BYTES = 16 * 1024 * 1024


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name else name


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[1].lower() if "." in name else ""


def subtitle_files(video_name: str, names: Iterable[str]) -> list[str]:
    """The names among `names` (file names in the video's folder) that are subtitles of `video_name`,
    sorted. Names are compared as plain strings, never as glob patterns ("clip [1].mp4" is fine)."""
    names = list(dict.fromkeys(names))
    stem = _stem(video_name)
    others = [_stem(n) for n in names if _suffix(n) in VIDEO_SUFFIXES and _stem(n) != stem]
    found = []
    for name in names:
        if _suffix(name) not in SUBTITLE_SUFFIXES or not name.startswith(stem + "."):
            continue
        # A longer video name that this subtitle also starts with claims it.
        if any(len(o) > len(stem) and name.startswith(o + ".") for o in others):
            continue
        found.append(name)
    return sorted(found)


def sidecar_subtitles(video: Path) -> list[Path]:
    """The subtitle files beside a video file on disk, by the same rule."""
    files = [p.name for p in video.parent.iterdir() if p.is_file()]
    return [video.parent / name for name in subtitle_files(video.name, files)]
