"""Time formatting shared by the diary, chunks and citations."""

from __future__ import annotations

import math


def hms(seconds: float) -> str:
    """Seconds from the video start as HH:MM:SS (rounded down, never negative)."""
    total = max(0, int(seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def span_label(video_id: str, start: float, end: float) -> str:
    """The citation form used in answers: [video, HH:MM:SS–HH:MM:SS]."""
    # The end is rounded up so the span always contains the moment.
    return f"[{video_id}, {hms(start)}–{hms(math.ceil(max(end, start)))}]"
