"""Will one video's scratch files fit on the local disk? One rule, asked before download and after probe.

A run keeps on the scratch disk (Lambda's /tmp): the video, its sidecar subtitles, the soundtrack as
16 kHz mono 16-bit WAV (32,000 bytes per second of video), the keyframe JPEGs and the diary files. The
footprint grows with duration, not with file size, so a small file can still be too long to fit. Running
out of space half-way is not transient (a retry runs out again), so a video that cannot fit is refused up
front with a permanent error that says what to change.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from lifestream.core.errors import UnsupportedFileError
from lifestream.media.audio import BYTES_PER_SAMPLE, SAMPLE_RATE

MIB = 1024 * 1024
WAV_BYTES_PER_SECOND = SAMPLE_RATE * BYTES_PER_SAMPLE
# Keyframe JPEGs are at most 480 px wide (scenes.KEYFRAME_MAX_WIDTH), 10-60 kB each; a cut every few
# seconds is a busy video. 16 kB per second of video covers one 48 kB keyframe every 3 s.
KEYFRAME_BYTES_PER_SECOND = 16_000
# summary.json/.md, checkpoint documents, partial downloads' bookkeeping.
RESERVE_BYTES = 32 * MIB
# A subtitle file of a day's recording is a few MB at most; anything larger is not a subtitle file.


class ScratchSpaceError(UnsupportedFileError):
    """The video's scratch files would not fit on the local disk."""


def scratch_needed(
    *, video_bytes: int, duration: float | None = None, sidecar_bytes: int = 0, audio: bool = True
) -> int:
    """Bytes of scratch disk one run needs; without a duration (before probe) only what is known."""
    seconds = max(0.0, duration or 0.0)
    wav = int(seconds * WAV_BYTES_PER_SECOND) if audio else 0
    return video_bytes + sidecar_bytes + wav + int(seconds * KEYFRAME_BYTES_PER_SECOND) + RESERVE_BYTES


def scratch_capacity(configured: int | None, where: Path | None = None, *, already_there: int = 0) -> int:
    """The scratch disk's size for this run: the configured size (LIFESTREAM_EPHEMERAL_STORAGE_BYTES), or
    what is free where the work happens plus the bytes of this run already written there."""
    if configured is not None:
        return configured
    return shutil.disk_usage(where or tempfile.gettempdir()).free + already_there


def check_scratch_space(
    name: str,
    *,
    video_bytes: int,
    capacity: int,
    duration: float | None = None,
    sidecar_bytes: int = 0,
    audio: bool = True,
) -> None:
    """Raise `ScratchSpaceError` (permanent) when the run would not fit in `capacity` bytes."""
    needed = scratch_needed(
        video_bytes=video_bytes, duration=duration, sidecar_bytes=sidecar_bytes, audio=audio
    )
    if needed <= capacity:
        return
    parts = [f"video {video_bytes / MIB:,.0f} MB"]
    if duration:
        if audio:
            parts.append(f"audio {duration * WAV_BYTES_PER_SECOND / MIB:,.0f} MB for {duration:,.0f} s")
        parts.append(f"keyframes ~{duration * KEYFRAME_BYTES_PER_SECOND / MIB:,.0f} MB")
    if sidecar_bytes:
        parts.append(f"subtitles {sidecar_bytes / MIB:,.1f} MB")
    raise ScratchSpaceError(
        f"{name}: needs about {needed / MIB:,.0f} MB of scratch disk ({', '.join(parts)}, "
        f"{RESERVE_BYTES // MIB} MB reserve) but only {capacity / MIB:,.0f} MB is available: raise the "
        "worker's ephemeral storage (worker_ephemeral_mb in stacks/config.py, or "
        "LIFESTREAM_EPHEMERAL_STORAGE_BYTES) or split the video into shorter parts",
        reason="the video is too long to process here: split it into shorter parts",
    )


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def same_disk(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False
