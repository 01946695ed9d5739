"""The chunk stage: indexable chunks — one summary chunk per block, transcript chunks that point to a
moment, one chunk per action item, one per text seen on screen.

Transcript chunks are whole sentences of one speaker, at most CHUNK_SECONDS (12 s) and ~256 tokens: a
segment is cut at its sentence ends (times shared out by characters), a sentence longer than that stays
whole up to 25 s (MOMENT_SECONDS) and is cut by words past it, and a chunk never crosses a speaker
change or a long pause. So a hit cites the moment, not a phone call
plus the reading after it (issue 13). Neighbouring chunks do not overlap (an overlap made the same
sentence come back twice); instead each chunk carries the sentence before and after it as embedding
context (`Chunk.context_before/after`, joined in `Chunk.embed_text`) while its `text`, `start` and
`end` stay its own span.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lifestream.core.constants import MOMENT_SECONDS
from lifestream.core.models import Chunk, ChunkType, TranscriptSegment
from lifestream.core.text import is_label, normalized
from lifestream.understand.diary import Diary
from lifestream.understand.summarize.names import speaker_names

MAX_CHUNK_TOKENS = 256
# The longest span a run of one speaker's sentences is grouped into (issue 19). Chosen on this chunker with
# local Whisper's output of the dev material (bench/bench_chunks.py, bench/RESULTS.md): 12 s gave hit@1
# 0.814 / hit@3 0.956 on bench/retrieval's dev days against 0.796 / 0.912 at 25 s, where one chunk held
# several topics of one speaker. A single sentence is still kept whole up to MOMENT_SECONDS.
CHUNK_SECONDS = 12.0
# An unfinished sentence continues into the next segment of its speaker across at most this pause.
MAX_PAUSE_SECONDS = 8.0
# Sentences flow at pauses under a second; a silence this long between two of them usually means the talk
# moved on (a call hung up, a reading begun): a chunk does not span it.
CHUNK_PAUSE_SECONDS = 2.0
# Context for the embedding: at most this many characters of each neighbouring sentence.
CONTEXT_CHARS = 300

# A sentence ends at . ! ? … (possibly inside quotes or brackets) followed by space; common
# abbreviations and initials ("Dr. Rao", "J. Smith", "e.g. this") do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_NOT_AN_END = re.compile(
    r"(?:\b(?:mr|mrs|ms|dr|prof|st|mt|jr|sr|vs|etc|e\.g|i\.e|approx|no|fig)\.|\b[A-Z]\.)$", re.IGNORECASE
)


def estimate_tokens(text: str) -> int:
    # ~1.3 tokens per English word for BPE tokenizers; avoids a tokenizer download offline.
    return math.ceil(len(text.split()) * 1.3)


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, joined back they give its words."""
    out: list[str] = []
    pending = ""
    position = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[position : match.start()] + text[match.start() : match.end()].rstrip()
        position = match.end()
        pending = f"{pending} {piece}".strip() if pending else piece.strip()
        if not _NOT_AN_END.search(pending):
            out.append(pending)
            pending = ""
    tail = text[position:].strip()
    if tail or pending:
        out.append(f"{pending} {tail}".strip())
    return [s for s in out if s]


@dataclass(frozen=True)
class Unit:
    """A sentence (or a piece of an over-long one) of one speaker, with its interpolated span."""

    start: float
    end: float
    text: str
    speaker: str | None
    ends_sentence: bool


def _pieces(seg: TranscriptSegment) -> list[Unit]:
    """A segment cut at its sentence ends; times shared out in proportion to characters."""
    sentences = split_sentences(seg.text)
    if not sentences:
        return []
    span = max(0.0, seg.end - seg.start)
    total = sum(len(s) for s in sentences) or 1
    out, done = [], 0
    for sentence in sentences:
        lo = seg.start + span * done / total
        done += len(sentence)
        hi = seg.start + span * done / total
        out.append(Unit(lo, hi, sentence, seg.speaker, bool(re.search(r"[.!?…][\"'”’)\]]*$", sentence))))
    return out


def sentence_units(
    segments: Sequence[TranscriptSegment], max_seconds: float = MOMENT_SECONDS
) -> list[Unit]:
    """Whole sentences of one speaker each: a sentence a segment leaves unfinished continues into the
    next segment of the same speaker (after a short pause); one longer than `max_seconds` is cut by words."""
    joined: list[Unit] = []
    for piece in (p for seg in sorted(segments, key=lambda s: (s.start, s.end)) for p in _pieces(seg)):
        last = joined[-1] if joined else None
        if (
            last is not None
            and not last.ends_sentence
            and last.speaker == piece.speaker
            and piece.start - last.end <= MAX_PAUSE_SECONDS
            and piece.end - last.start <= max_seconds  # else the segment boundary is the better cut
        ):
            joined[-1] = Unit(
                last.start, piece.end, f"{last.text} {piece.text}", piece.speaker, piece.ends_sentence
            )
        else:
            joined.append(piece)
    return [cut for unit in joined for cut in _cut_long(unit, max_seconds)]


def _cut_long(unit: Unit, max_seconds: float) -> list[Unit]:
    span = unit.end - unit.start
    words = unit.text.split()
    pieces = max(
        math.ceil(span / max_seconds) if span > max_seconds else 1,
        math.ceil(estimate_tokens(unit.text) / MAX_CHUNK_TOKENS),
    )
    if pieces <= 1 or len(words) < 2:
        return [unit]
    pieces = min(pieces, len(words))
    # Cut by characters' share of time, at word boundaries.
    lengths = [len(w) + 1 for w in words]
    total = sum(lengths)
    out, lo_word, done = [], 0, 0
    for k in range(1, pieces + 1):
        target = total * k / pieces
        hi_word = lo_word
        acc = done
        while hi_word < len(words) and (acc + lengths[hi_word] <= target + 1e-9 or hi_word == lo_word):
            acc += lengths[hi_word]
            hi_word += 1
        if k == pieces:
            acc, hi_word = total, len(words)
        out.append(
            Unit(
                unit.start + span * done / total,
                unit.start + span * acc / total,
                " ".join(words[lo_word:hi_word]),
                unit.speaker,
                unit.ends_sentence if k == pieces else False,
            )
        )
        lo_word, done = hi_word, acc
        if lo_word >= len(words):
            break
    return out


def group_units(
    units: Sequence[Unit], *, max_seconds: float = MOMENT_SECONDS, max_tokens: int = MAX_CHUNK_TOKENS
) -> list[list[Unit]]:
    """Consecutive units in groups of one speaker, within `max_seconds` and `max_tokens`, split at
    pauses over CHUNK_PAUSE_SECONDS; no overlap between groups."""
    groups: list[list[Unit]] = []
    current: list[Unit] = []
    tokens = 0
    for unit in units:
        need = estimate_tokens(unit.text)
        if current and (
            unit.speaker != current[-1].speaker
            or unit.end - current[0].start > max_seconds
            or tokens + need > max_tokens
            or unit.start - current[-1].end > CHUNK_PAUSE_SECONDS
        ):
            groups.append(current)
            current, tokens = [], 0
        current.append(unit)
        tokens += need
    if current:
        groups.append(current)
    return groups


def group_segments(
    segments: Sequence[TranscriptSegment],
    *,
    max_seconds: float = MOMENT_SECONDS,
    max_tokens: int = MAX_CHUNK_TOKENS,
) -> list[list[TranscriptSegment]]:
    """The transcript chunks of `segments`, each as the (sentence-cut) segments it covers."""
    return [
        [
            TranscriptSegment(start=round(u.start, 3), end=round(u.end, 3), text=u.text, speaker=u.speaker)
            for u in g
        ]
        for g in group_units(
            sentence_units(segments, max_seconds), max_seconds=max_seconds, max_tokens=max_tokens
        )
    ]


def _labelled(units: Sequence[Unit], names: Mapping[str, str] | None = None) -> str:
    """The units' words after their speaker's name. A placeholder ("Speaker 2") names no one and is no
    word of the moment: indexed, it made every unnamed turn match a question about loudspeakers."""
    text = " ".join(u.text for u in units)
    speaker = units[0].speaker if units else None
    speaker = (names or {}).get(speaker or "", speaker)
    return f"{speaker}: {text}" if speaker and not is_label(speaker) else text


def _clip(text: str, limit: int, *, keep_end: bool) -> str:
    if len(text) <= limit:
        return text
    return "…" + text[-limit:].split(" ", 1)[-1] if keep_end else text[:limit].rsplit(" ", 1)[0] + "…"


def summary_text(block, *, images_described: bool) -> str:
    """The block's summary said once: the title and key points only where they add words the
    activity does not already hold (an extractive summary's title and key points are its sentences)."""
    activity = block.activity.strip()
    seen = normalized(activity)
    parts: list[str] = []
    title = block.title.strip().rstrip("…").strip()
    if title and normalized(title) not in seen:
        parts.append(title.rstrip(".") + ".")
        seen += " " + normalized(title)
    if activity:
        parts.append(activity)
    extra = [p.strip() for p in block.key_points if p.strip() and normalized(p) not in seen]
    if extra:
        parts.append("Key points: " + " ".join(extra))
    if block.location and block.location != "Not mentioned":
        parts.append(f"Location: {block.location}.")
    # Only names: a label ("Speaker 2") says nothing of who, and its word would match every question
    # about speakers (the loudspeakers bought).
    named = [p for p in block.participants if not is_label(p)]
    if named:
        parts.append(f"Participants: {', '.join(named)}.")
    if images_described and block.visual_summary:
        parts.append(f"Seen: {block.visual_summary}")
    return " ".join(p for p in parts if p)


def build_chunks(
    summary: Diary, *, images_described: bool = False, max_seconds: float = CHUNK_SECONDS
) -> list[Chunk]:
    video_id, date = summary.video_id, summary.date
    chunks: list[Chunk] = []
    counters = {t: 0 for t in ChunkType}

    def add(
        kind: ChunkType,
        text: str,
        start: float,
        end: float,
        speakers: list[str],
        block: int,
        *,
        before: str = "",
        after: str = "",
    ) -> None:
        chunks.append(
            Chunk(
                id=Chunk.make_id(video_id, kind, counters[kind]),
                text=text,
                video_id=video_id,
                chunk_type=kind,
                start=round(start, 3),
                end=round(max(end, start), 3),
                recorded_date=date,
                speakers=speakers,
                extra={"block": block},
                context_before=before,
                context_after=after,
            )
        )
        counters[kind] += 1

    # Voices named by the evidence in their own turns (summarize/names.py, the rule the diary used): a
    # quote and a search by name then carry the name, not "Speaker 2".
    names = speaker_names([seg for block in summary.blocks for seg in block.transcript])
    for block in summary.blocks:
        add(
            ChunkType.SUMMARY,
            summary_text(block, images_described=images_described),
            block.start,
            block.end,
            block.participants,
            block.index,
        )

        # Sentences stay whole up to the moment limit; the target only decides where a run is cut.
        units = sentence_units(block.transcript)
        groups = group_units(units, max_seconds=max_seconds)
        for k, group in enumerate(groups):
            # The neighbouring sentences, labelled with their speaker: context for the embedding only.
            before = _labelled([groups[k - 1][-1]], names) if k else ""
            after = _labelled([groups[k + 1][0]], names) if k + 1 < len(groups) else ""
            speaker = names.get(group[0].speaker or "", group[0].speaker)
            add(
                ChunkType.TRANSCRIPT,
                _labelled(group, names),
                group[0].start,
                group[-1].end,
                [speaker] if speaker else [],
                block.index,
                before=_clip(before, CONTEXT_CHARS, keep_end=True),
                after=_clip(after, CONTEXT_CHARS, keep_end=False),
            )

        for item in block.action_items:
            owner = f" (owner: {item.owner})" if item.owner else ""
            start = item.at if item.at is not None else block.start
            end = _segment_end(block.transcript, item.at) if item.at is not None else block.end
            add(
                ChunkType.ACTION_ITEM,
                f"Action item: {item.text}{owner}",
                start,
                end,
                [item.owner] if item.owner else [],
                block.index,
            )
    chunks += screen_text_chunks(summary)
    return chunks


def screen_text_chunks(summary: Diary) -> list[Chunk]:
    """One chunk per distinct text seen on screen in a block (OCR or the vision model's reading), over the
    span of the keyframes that showed it, so a search for words on a sign or slide lands on that moment."""
    chunks = []
    for block in summary.blocks:
        for seen in block.screen_text:
            chunks.append(
                Chunk(
                    id=Chunk.make_id(summary.video_id, ChunkType.SCREEN_TEXT, len(chunks)),
                    text=f'On screen: "{seen.text}"',
                    video_id=summary.video_id,
                    chunk_type=ChunkType.SCREEN_TEXT,
                    start=round(seen.start, 3),
                    end=round(max(seen.end, seen.start), 3),
                    recorded_date=summary.date,
                    extra={"block": block.index, "source": seen.source, "keyframes": list(seen.keyframes)},
                )
            )
    return chunks


def _segment_end(segments: Sequence[TranscriptSegment], at: float) -> float:
    for seg in segments:
        if seg.start == at:
            return seg.end
    return at
