"""The blocks stage: time blocks that follow the content, each at most `block_max_seconds`.

A block ends where what is happening changes: the set of voices changes (a call ends, a reading starts),
the words change (TextTiling: a dip in lexical similarity between the speech just before and just after
a pause), or the picture changes; a long silence and a scene change add weight to the others. A cut is
made only between segments, never inside one, and never leaves a block shorter than `min_seconds`.
A stretch still longer than the maximum is then cut at scene changes where possible (split evenly
otherwise). Every transcript segment belongs to exactly one block: the one holding its midpoint, so a
sentence that crosses a boundary is neither lost nor duplicated.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from lifestream.core.models import TranscriptSegment
from lifestream.core.text import words
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


# How far each side of a pause is read to compare what comes before with what comes after.
WINDOW_SECONDS = 15.0
MIN_BLOCK_SECONDS = 20.0
# A pause this long is a weak sign of a new moment (it takes another sign to cut).
LONG_PAUSE_SECONDS = 2.5
CUT_SCORE = 1.0


class _Gap(BaseModel):
    at: float  # where a cut would go
    before: float  # the end of the speech before it
    after: float  # the start of the speech after it
    score: float = 0.0
    depth: float = 0.0


def make_blocks(
    duration: float,
    scenes: Sequence[Scene],
    segments: Sequence[TranscriptSegment],
    *,
    max_seconds: float,
    min_seconds: float = MIN_BLOCK_SECONDS,
    similarity: Callable[[str, str], float] | None = None,
) -> list[Block]:
    """`similarity(before, after)` in [0, 1] compares the text either side of a pause (lexical cosine by
    default; an embedder's cosine can be passed instead)."""
    # Speech may run a little past the container's duration (rounding); the last block takes it.
    end = max([duration, *(s.end for s in segments)]) if segments else duration
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    scene_starts = sorted({round(s.start, 3) for s in scenes if 0 < s.start < end})
    cuts = content_cuts(end, scene_starts, ordered, min_seconds=min_seconds, similarity=similarity)
    bounds = [0.0]
    for stop in [*cuts, end]:
        start = bounds[-1]
        inner = [c - start for c in scene_starts if start < c < stop]
        bounds += [round(start + b, 3) for b in block_boundaries(stop - start, inner, max_seconds)[1:]]
    if len(bounds) == 1:
        bounds.append(end)
    bounds[-1] = end
    return blocks_at(bounds, scenes, ordered)


def blocks_at(
    bounds: Sequence[float], scenes: Sequence[Scene], segments: Sequence[TranscriptSegment]
) -> list[Block]:
    """The blocks between `bounds` (sorted, first 0, last the end), each holding its segments and scenes."""
    bounds = list(bounds)
    blocks = [Block(index=i, start=bounds[i], end=bounds[i + 1]) for i in range(len(bounds) - 1)]
    for seg in sorted(segments, key=lambda s: (s.start, s.end)):
        middle = (seg.start + seg.end) / 2
        blocks[_block_of(middle, bounds)].segments.append(seg)
    for scene in scenes:
        for block in blocks:
            if scene.start < block.end and scene.end > block.start or (scene.start == block.start):
                block.scene_indices.append(scene.index)
    return blocks


def content_cuts(
    end: float,
    scene_starts: Sequence[float],
    segments: Sequence[TranscriptSegment],
    *,
    min_seconds: float = MIN_BLOCK_SECONDS,
    similarity: Callable[[str, str], float] | None = None,
) -> list[float]:
    """The times, sorted, where the content changes enough to start a new block."""
    gaps = _gaps(end, scene_starts, segments)
    if not gaps:
        return []
    similarity = similarity or lexical_similarity
    windows = [
        (_text(segments, g.at - WINDOW_SECONDS, g.at), _text(segments, g.at, g.at + WINDOW_SECONDS))
        for g in gaps
    ]
    prepare = getattr(similarity, "prepare", None)
    if prepare is not None:
        prepare([t for pair in windows for t in pair if t])  # one batch, not two calls per pause
    # Only pauses with speech on both sides say anything about a change of topic.
    sims = [similarity(a, b) if a and b else None for a, b in windows]
    depths = _depths(sims)
    spoken = [d for d, sim in zip(depths, sims) if sim is not None]
    mean = sum(spoken) / len(spoken) if spoken else 0.0
    std = (sum((d - mean) ** 2 for d in spoken) / len(spoken)) ** 0.5 if spoken else 0.0
    for gap, depth in zip(gaps, depths):
        left = _voices(segments, gap.at - WINDOW_SECONDS, gap.at)
        right = _voices(segments, gap.at, gap.at + WINDOW_SECONDS)
        if left and right and not left & right:
            gap.score += 1.0  # none of the voices before are heard after
        elif left and right and len(left & right) / len(left | right) < 0.5:
            gap.score += 0.5
        gap.depth = depth
        if len(spoken) > 2 and depth >= max(0.4, mean + std):
            gap.score += 1.0  # the words change (a TextTiling boundary)
        elif len(spoken) > 2 and depth >= max(0.2, mean + 0.5 * std):
            gap.score += 0.5
        if any(gap.before - 0.5 <= s <= gap.after + 0.5 for s in scene_starts):
            gap.score += 0.5
        pause = gap.after - gap.before
        if pause >= LONG_PAUSE_SECONDS:
            gap.score += 0.5
        if pause >= 2 * WINDOW_SECONDS:
            gap.score += 1.0  # a long silence: what comes after is another moment
    chosen: list[float] = []
    for gap in sorted(gaps, key=lambda g: (-g.score, -g.depth, g.at)):
        if gap.score < CUT_SCORE:
            break
        edges = [0.0, *sorted(chosen), end]
        if all(abs(gap.at - e) >= min_seconds for e in edges):
            chosen.append(gap.at)
    return sorted(chosen)


def _gaps(end: float, scene_starts: Sequence[float], segments: Sequence[TranscriptSegment]) -> list[_Gap]:
    """The places between segments where a cut may go (at a scene change there, if there is one). A long
    silence has two: where the speech stops and where it starts again."""
    gaps: list[_Gap] = []
    previous_end = 0.0
    for seg in [*segments, None]:
        next_start = end if seg is None else seg.start
        if next_start >= previous_end:
            inside = [s for s in scene_starts if previous_end - 0.5 <= s <= next_start + 0.5]
            if next_start - previous_end > 2 * WINDOW_SECONDS:
                first = inside[0] if inside else previous_end + 1.0
                last = inside[-1] if inside else next_start - 1.0
                gaps += [_Gap(at=round(t, 3), before=previous_end, after=next_start) for t in {first, last}]
            else:
                at = inside[0] if inside else (previous_end + next_start) / 2
                gaps.append(_Gap(at=round(at, 3), before=previous_end, after=next_start))
        if seg is not None:
            previous_end = max(previous_end, seg.end)
    return sorted((g for g in gaps if 0.0 < g.at < end), key=lambda g: g.at)


_STEM = re.compile(r"(?:ing|ed|es|s)$")


def lexical_similarity(before: str, after: str) -> float:
    """Cosine of the content-word counts (crudely stemmed) of two stretches of speech."""
    a = Counter(_STEM.sub("", w) if len(w) > 4 else w for w in words(before))
    b = Counter(_STEM.sub("", w) if len(w) > 4 else w for w in words(after))
    if not a or not b:
        return 0.0
    dot = sum(a[w] * b[w] for w in a.keys() & b.keys())
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def _depths(sims: list[float | None]) -> list[float]:
    """TextTiling depth: how far the similarity at a pause dips below the nearest peak on either side
    (pauses without speech on both sides are skipped, and have no depth)."""
    known = [(i, v) for i, v in enumerate(sims) if v is not None]
    values = [v for _, v in known]
    out = [0.0] * len(sims)
    for k, (i, sim) in enumerate(known):
        left = k
        while left > 0 and values[left - 1] >= values[left]:
            left -= 1
        right = k
        while right < len(values) - 1 and values[right + 1] >= values[right]:
            right += 1
        out[i] = (values[left] - sim) + (values[right] - sim)
    return out


class EmbeddingSimilarity:
    """Cosine of an embedder's vectors for two stretches of speech; `prepare` embeds them in one batch.
    Catches a change the words alone miss (a chat, then a passage of a novel read aloud)."""

    def __init__(self, embed: Callable[[Sequence[str]], Any]) -> None:
        self.embed = embed
        self.vectors: dict[str, Any] = {}

    def prepare(self, texts: Sequence[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            import numpy as np

            matrix = np.asarray(self.embed(missing), dtype=np.float32)
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
            self.vectors.update(zip(missing, matrix))

    def __call__(self, before: str, after: str) -> float:
        self.prepare([before, after])
        return max(0.0, float(self.vectors[before] @ self.vectors[after]))


def _within(segments: Sequence[TranscriptSegment], start: float, stop: float) -> list[TranscriptSegment]:
    """The segments (sorted by start) whose midpoint lies in [start, stop)."""
    from bisect import bisect_left

    # Midpoints follow starts closely enough to bound the search; the exact test is below.
    longest = max((s.end - s.start for s in segments), default=0.0)
    lo = bisect_left(segments, start - longest, key=lambda s: s.start)
    hi = bisect_left(segments, stop, key=lambda s: s.start)
    return [s for s in segments[lo:hi] if start <= (s.start + s.end) / 2 < stop]


def _text(segments: Sequence[TranscriptSegment], start: float, stop: float) -> str:
    return " ".join(s.text for s in _within(segments, start, stop))


def _voices(segments: Sequence[TranscriptSegment], start: float, stop: float) -> set[str]:
    return {s.speaker for s in _within(segments, start, stop) if s.speaker}


def _block_of(t: float, bounds: list[float]) -> int:
    from bisect import bisect_right

    return min(max(bisect_right(bounds, t) - 1, 0), len(bounds) - 2)
