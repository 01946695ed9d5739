"""Speaker turns and how they label a transcript.

A diarizer answers "who spoke when" as turns; the transcript's segments take the speaker of the turn they
overlap most. A recogniser's segment often runs across a change of voice ("This is Diane in New Jersey. And
I'm Sheila, in Texas." in one segment of a real call): such a segment is cut at its sentence ends and each
sentence takes the voice of its own stretch, so one caller's self-introduction is not put on the other's
voice. Diarizers name their clusters arbitrarily, so turns are renamed "Speaker 1/2/…" in order of first
appearance: the same recording always reads the same way, and the local LLM (which names speakers from
self-introductions) and the user's renames start from stable labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from lifestream.core.models import TranscriptSegment
from lifestream.core.text import SENTENCE_END


class Turn(BaseModel):
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    speaker: str
    # Which half of its voice's windows the turn's audio falls in when that voice is forced into two
    # (`speakers.split`): a voice of close pitch may hide two people, and their words may show it.
    part: int | None = None


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


def overlaps(seg: TranscriptSegment, turns: Sequence[Turn]) -> dict[str, float]:
    found: dict[str, float] = {}
    for turn in turns:
        shared = min(seg.end, turn.end) - max(seg.start, turn.start)
        if shared > 0:
            found[turn.speaker] = found.get(turn.speaker, 0.0) + shared
    return found


def assign_speakers(segments: Sequence[TranscriptSegment], turns: Sequence[Turn]) -> list[TranscriptSegment]:
    """Each segment labelled with the speaker it overlaps most; one that several voices overlap is first cut
    at its sentence ends (`by_sentence`), and its sentences labelled so.

    A segment no turn overlaps (the VAD heard nothing there) takes the nearest turn's speaker within a
    second, else stays unlabelled: a guess farther away would be noise. Segments carry no word timestamps,
    so a turn change inside a sentence is not split (its words cannot be placed on either side of it)."""
    out: list[TranscriptSegment] = []
    for seg in segments:
        shares = overlaps(seg, turns)
        if len(shares) > 1:
            out += by_sentence(seg, turns)
            continue
        out.append(seg.model_copy(update={"speaker": _label(seg, turns, shares)}))
    return out


def _label(seg: TranscriptSegment, turns: Sequence[Turn], shares: dict[str, float]) -> str | None:
    if not shares:
        return _nearest(seg, turns, within=1.0)
    # Ties go to the speaker who spoke first in the recording (a stable, not a random, choice).
    return max(shares, key=lambda s: (shares[s], -_first(turns, s)))


# A sentence ends at . ! ? followed by a space (`SENTENCE_END`; an abbreviation's dot rarely matters here: a
# wrong cut only means both halves are labelled by their own stretch).
def by_sentence(seg: TranscriptSegment, turns: Sequence[Turn]) -> list[TranscriptSegment]:
    """`seg` cut at its sentence ends, each sentence labelled with the voice of its own stretch; runs of
    sentences of one voice are joined again, so a segment of one voice comes back whole.

    A sentence's stretch is placed by its share of the characters, counted over the segment's voiced time
    (the turns inside it) rather than its whole span: a recogniser's segment often opens or ends in
    silence, which would shift every sentence off its words."""
    sentences = [s for s in SENTENCE_END.split(seg.text.strip()) if s]
    inside = sorted(
        (max(t.start, seg.start), min(t.end, seg.end), t.speaker)
        for t in turns
        if t.end > seg.start and t.start < seg.end
    )
    voiced = sum(b - a for a, b, _ in inside)
    if len(sentences) < 2 or voiced <= 0:
        return [seg.model_copy(update={"speaker": _label(seg, turns, overlaps(seg, turns))})]
    total = sum(len(s) for s in sentences)

    def clock(share: float) -> float:
        """The moment `share` of the segment's voiced time has passed."""
        left = share * voiced
        for a, b, _ in inside:
            if left <= b - a:
                return a + left
            left -= b - a
        return inside[-1][1]

    pieces: list[TranscriptSegment] = []
    done = 0
    for sentence in sentences:
        lo, hi = clock(done / total), clock((done + len(sentence)) / total)
        done += len(sentence)
        part = TranscriptSegment(start=round(lo, 3), end=round(max(hi, lo), 3), text=sentence)
        shares = overlaps(part, turns) or overlaps(seg, turns)
        speaker = _label(part, turns, shares)
        if pieces and pieces[-1].speaker == speaker:
            last = pieces[-1]
            pieces[-1] = last.model_copy(update={"end": part.end, "text": f"{last.text} {sentence}"})
        else:
            pieces.append(part.model_copy(update={"speaker": speaker}))
    if len(pieces) == 1:
        return [seg.model_copy(update={"speaker": pieces[0].speaker})]
    # The first and last pieces keep the segment's own edges (only the cuts between voices are estimated).
    pieces[0] = pieces[0].model_copy(update={"start": seg.start})
    pieces[-1] = pieces[-1].model_copy(update={"end": seg.end})
    return pieces


def _first(turns: Sequence[Turn], speaker: str) -> float:
    return min(t.start for t in turns if t.speaker == speaker)


def _nearest(seg: TranscriptSegment, turns: Sequence[Turn], *, within: float) -> str | None:
    best, best_gap = None, within
    for turn in turns:
        gap = max(turn.start - seg.end, seg.start - turn.end, 0.0)
        if gap <= best_gap:
            best, best_gap = turn.speaker, gap
    return best
