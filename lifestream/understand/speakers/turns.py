"""Speaker turns and how they label a transcript.

A diarizer answers "who spoke when" as turns; the transcript's segments take the speaker of the turn they
overlap most. Diarizers name their clusters arbitrarily, so turns are renamed "Speaker 1/2/…" in order of
first appearance: the same recording always reads the same way, and the local LLM (which names speakers
from self-introductions) and the user's renames start from stable labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from lifestream.core.models import TranscriptSegment


class Turn(BaseModel):
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    speaker: str


def number_speakers(turns: Sequence[Turn]) -> list[Turn]:
    """Turns sorted by time, with labels replaced by "Speaker N" in order of first appearance."""
    names: dict[str, str] = {}
    out = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        name = names.setdefault(turn.speaker, f"Speaker {len(names) + 1}")
        out.append(turn.model_copy(update={"speaker": name}))
    return out


def merge_turns(turns: Sequence[Turn], gap: float = 0.0) -> list[Turn]:
    """Adjacent turns of one speaker (at most `gap` apart) as one."""
    out: list[Turn] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        if out and out[-1].speaker == turn.speaker and turn.start - out[-1].end <= gap:
            out[-1] = out[-1].model_copy(update={"end": max(out[-1].end, turn.end)})
        else:
            out.append(turn)
    return out


def _overlaps(seg: TranscriptSegment, turns: Sequence[Turn]) -> dict[str, float]:
    found: dict[str, float] = {}
    for turn in turns:
        shared = min(seg.end, turn.end) - max(seg.start, turn.start)
        if shared > 0:
            found[turn.speaker] = found.get(turn.speaker, 0.0) + shared
    return found


def assign_speakers(segments: Sequence[TranscriptSegment], turns: Sequence[Turn]) -> list[TranscriptSegment]:
    """Each segment labelled with the speaker it overlaps most.

    A segment no turn overlaps (the VAD heard nothing there) takes the nearest turn's speaker within a
    second, else stays unlabelled: a guess farther away would be noise. Segments carry no word timestamps,
    so one spanning a turn change is not split (its words cannot be placed on either side of it)."""
    out = []
    for seg in segments:
        shares = _overlaps(seg, turns)
        if shares:
            # Ties go to the speaker who spoke first in the recording (a stable, not a random, choice).
            speaker = max(shares, key=lambda s: (shares[s], -_first(turns, s)))
        else:
            speaker = _nearest(seg, turns, within=1.0)
        out.append(seg.model_copy(update={"speaker": speaker}))
    return out


def _first(turns: Sequence[Turn], speaker: str) -> float:
    return min(t.start for t in turns if t.speaker == speaker)


def _nearest(seg: TranscriptSegment, turns: Sequence[Turn], *, within: float) -> str | None:
    best, best_gap = None, within
    for turn in turns:
        gap = max(turn.start - seg.end, seg.start - turn.end, 0.0)
        if gap <= best_gap:
            best, best_gap = turn.speaker, gap
    return best
