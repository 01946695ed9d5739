"""Stage 6: time blocks — scene-aware windows of at most `block_max_seconds`.

Blocks end at scene changes where possible (a block is never longer than the maximum; a scene longer than
the maximum is split evenly). Every transcript segment belongs to exactly one block: the one holding its
midpoint, so a sentence that crosses a boundary is neither lost nor duplicated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, Field

from lifestream.core.models import TranscriptSegment
from lifestream.media.scenes import Scene


class Block(BaseModel):
    index: int
    start: float
    end: float
    segments: list[TranscriptSegment] = Field(default_factory=list)
    scene_indices: list[int] = Field(default_factory=list)

    @property
    def length(self) -> float:
        return max(0.0, self.end - self.start)

    @property
    def speech_seconds(self) -> float:
        return sum(max(0.0, s.end - s.start) for s in self.segments)


def block_boundaries(duration: float, scene_starts: Sequence[float], max_seconds: float) -> list[float]:
    """Sorted boundaries [0, ..., duration]: greedy longest blocks that end at a scene change."""
    duration = max(duration, 0.0)
    candidates = sorted({round(s, 3) for s in scene_starts if 0 < s < duration})
    bounds = [0.0]
    while duration - bounds[-1] > max_seconds + 1e-6:
        start = bounds[-1]
        reachable = [c for c in candidates if start < c <= start + max_seconds]
        if reachable:
            bounds.append(reachable[-1])
            continue
        # No scene change within reach: split the stretch up to the next change evenly.
        stop = next((c for c in candidates if c > start), duration)
        pieces = math.ceil((stop - start) / max_seconds)
        step = (stop - start) / pieces
        bounds += [round(start + step * k, 3) for k in range(1, pieces)]
        bounds.append(stop)
    if bounds[-1] < duration or len(bounds) == 1:
        bounds.append(duration)
    return bounds


def make_blocks(
    duration: float,
    scenes: Sequence[Scene],
    segments: Sequence[TranscriptSegment],
    *,
    max_seconds: float,
) -> list[Block]:
    # Speech may run a little past the container's duration (rounding); the last block takes it.
    end = max([duration, *(s.end for s in segments)]) if segments else duration
    bounds = block_boundaries(end, [s.start for s in scenes], max_seconds)
    blocks = [Block(index=i, start=bounds[i], end=bounds[i + 1]) for i in range(len(bounds) - 1)]
    for seg in sorted(segments, key=lambda s: (s.start, s.end)):
        middle = (seg.start + seg.end) / 2
        blocks[_block_of(middle, bounds)].segments.append(seg)
    for scene in scenes:
        for block in blocks:
            if scene.start < block.end and scene.end > block.start or (scene.start == block.start):
                block.scene_indices.append(scene.index)
    return blocks


def _block_of(t: float, bounds: list[float]) -> int:
    from bisect import bisect_right

    return min(max(bisect_right(bounds, t) - 1, 0), len(bounds) - 2)
