"""Voices the words show to be two people, split in two where the audio allows it.

The diarizer joins voices of close pitch under one label. The words often show such a join (`names.merged`:
two names on one voice, a floor handed to someone by name and taken under the same label, an answer as
family from a voice that also gives a name). The diarizer also offers, for every voice, its windows forced
into two halves (`Turn.part`). A forced split divides one voice as readily as two, so the words decide: a
split is kept only when, after it, the words show no join on either half, every segment sits clearly in one
half, and more voices can be named than before. Otherwise the label stays whole and unnamed, as before:
a wrong name is worse than "Speaker 2".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from lifestream.core.models import TranscriptSegment
from lifestream.understand.speakers.turns import Turn, by_sentence, overlaps
from lifestream.understand.summarize.names import named_and_joined

# A segment belongs to a half when at least this share of its voiced time is in it.
CLEAR_SHARE = 0.75
# Each half of a split keeps at least this much speech (the diarizer's own floor for a voice).
MIN_HALF_SECONDS = 2.0
MAX_TRIED = 4  # joined labels tried together at most (subsets grow as 2^n)
_NUMBER = re.compile(r"^Speaker (\d+)$")


def split_joined(segments: Sequence[TranscriptSegment], turns: Sequence[Turn]) -> list[TranscriptSegment]:
    """`segments` with each joined voice split in two where the words accept it (the module docstring)."""
    segments = list(segments)
    names, joined = named_and_joined(segments)
    cuts = {label: c for label in sorted(joined) if (c := _cut(segments, turns, label)) is not None}
    if not cuts:
        return segments
    best, best_named = segments, len(names)
    numbers = [int(m.group(1)) for s in segments if s.speaker and (m := _NUMBER.match(s.speaker))]
    tried = sorted(cuts)[:MAX_TRIED]
    for size in range(1, len(tried) + 1):
        for chosen in itertools.combinations(tried, size):
            new = {label: f"Speaker {max(numbers, default=0) + 1 + i}" for i, label in enumerate(chosen)}
            candidate = []
            for i, seg in enumerate(segments):
                if seg.speaker not in new:
                    candidate.append(seg)
                    continue
                candidate += [
                    piece.model_copy(update={"speaker": new[seg.speaker] if second else seg.speaker})
                    for piece, second in cuts[seg.speaker][i]
                ]
            names, joined = named_and_joined(candidate)
            if not joined & (set(new) | set(new.values())) and len(names) > best_named:
                best, best_named = candidate, len(names)
    return best if best is segments else _renumbered(best)


def _renumbered(segments: list[TranscriptSegment]) -> list[TranscriptSegment]:
    """"Speaker N" again in order of first appearance (`turns.number_speakers`), the new halves included."""
    order: dict[str, str] = {}
    for s in segments:
        if s.speaker and _NUMBER.match(s.speaker):
            order.setdefault(s.speaker, f"Speaker {len(order) + 1}")
    return [s.model_copy(update={"speaker": order.get(s.speaker or "", s.speaker)}) for s in segments]


def _cut(
    segments: list[TranscriptSegment], turns: Sequence[Turn], label: str
) -> dict[int, list[tuple[TranscriptSegment, bool]]] | None:
    """For each segment of `label` (by index), its pieces cut at sentence ends where the half changes, each
    with "in the second half". None when the split is not clear: a piece between halves, a half with too
    little speech, or no halves known."""
    halves = [
        t.model_copy(update={"speaker": f"{label}#{t.part}"})
        for t in turns
        if t.speaker == label and t.part is not None
    ]
    if not halves:
        return None
    out: dict[int, list[tuple[TranscriptSegment, bool]]] = {}
    seconds = [0.0, 0.0]
    for i, seg in enumerate(segments):
        if seg.speaker != label:
            continue
        out[i] = []
        for piece in by_sentence(seg, halves):
            time = overlaps(piece, halves)
            total = sum(time.values())
            if total <= 0:
                return None
            share = time.get(f"{label}#1", 0.0) / total
            if CLEAR_SHARE > share > 1 - CLEAR_SHARE:
                return None
            out[i].append((piece, share >= CLEAR_SHARE))
            seconds[int(share >= CLEAR_SHARE)] += piece.end - piece.start
    return out if min(seconds) >= MIN_HALF_SECONDS else None
