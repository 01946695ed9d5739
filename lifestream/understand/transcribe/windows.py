"""Long audio in windows: cut points at quiet moments, optional overlap, merge by ownership.

Each window owns the stretch between its two cut points; a recognised segment is kept only by the window
that owns its start. A segment cut off at the front of a window (it began in the overlap, before the
window's own stretch) is therefore always dropped in favour of the previous window's copy, so overlap
(useful for a remote model that sees each window in isolation) never duplicates words. Cuts are placed at
the quietest 100 ms near each window end, so segments rarely straddle one. Times are made absolute.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lifestream.core.models import TranscriptSegment
from lifestream.media.audio import AudioTrack, read_window

QUIET_SEARCH_SECONDS = 5.0
FRAME_SECONDS = 0.1


@dataclass(frozen=True)
class Window:
    index: int
    start: float  # audio sent to the model
    end: float
    own_start: float  # the stretch whose segments this window keeps
    own_end: float

    def keep(self, segment: TranscriptSegment) -> bool:
        return self.own_start <= segment.start < self.own_end or (
            self.own_end == self.end and segment.start >= self.own_end
        )


def _quietest(samples: np.ndarray, rate: int) -> int:
    """Index of the start of the quietest 100 ms frame (the best place to cut)."""
    size = max(1, int(FRAME_SECONDS * rate))
    usable = samples[: len(samples) // size * size]
    if usable.size == 0:
        return 0
    energy = np.square(usable.reshape(-1, size)).mean(axis=1)
    return int(np.argmin(energy)) * size


def cut_points(track: AudioTrack, window_seconds: float) -> list[float]:
    """0, then a cut near every `window_seconds` moved back to the quietest spot of the 5 s before it."""
    cuts = [0.0]
    duration = track.duration
    while duration - cuts[-1] > window_seconds:
        target = cuts[-1] + window_seconds
        search = min(QUIET_SEARCH_SECONDS, window_seconds / 4)
        samples = read_window(track, target - search, target)
        cut = target - search + _quietest(samples, track.sample_rate) / track.sample_rate
        cuts.append(round(max(cut, cuts[-1] + window_seconds / 2), 3))
    cuts.append(duration)
    return cuts


def plan_windows(cuts: list[float], overlap: float, duration: float) -> list[Window]:
    windows = []
    for i in range(len(cuts) - 1):
        start, end = max(0.0, cuts[i] - overlap), min(duration, cuts[i + 1] + overlap)
        windows.append(Window(index=i, start=start, end=end, own_start=cuts[i], own_end=cuts[i + 1]))
    return windows


def shift(segments: list[TranscriptSegment], offset: float, window: Window) -> list[TranscriptSegment]:
    """Window-relative segments -> absolute times, keeping only those this window owns."""
    kept = []
    for seg in segments:
        moved = TranscriptSegment(
            start=round(max(0.0, seg.start + offset), 3),
            end=round(max(0.0, seg.end + offset), 3),
            text=seg.text.strip(),
            speaker=seg.speaker,
        )
        if moved.text and window.keep(moved):
            kept.append(moved)
    return kept
