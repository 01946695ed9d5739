"""Stage 9: indexable chunks — one summary chunk per block, transcript chunks covering every segment, one
chunk per action item. Transcript chunks are short (≤ ~45 s of speech, token-bounded, one segment of
overlap) so a search hit points to a moment, not to a five-minute block."""

from __future__ import annotations

import math
from collections.abc import Sequence

from lifestream.core.models import Chunk, ChunkType, TranscriptSegment
from lifestream.understand.diary import DailySummary

MAX_CHUNK_SECONDS = 45.0
MAX_CHUNK_TOKENS = 256
OVERLAP_SEGMENTS = 1


def estimate_tokens(text: str) -> int:
    # ~1.3 tokens per English word for BPE tokenizers; avoids a tokenizer download offline.
    return math.ceil(len(text.split()) * 1.3)


def split_long(seg: TranscriptSegment, max_seconds: float, max_tokens: int) -> list[TranscriptSegment]:
    """A segment longer than a chunk may be is cut by words, with times interpolated."""
    span = max(0.0, seg.end - seg.start)
    tokens = estimate_tokens(seg.text)
    pieces = max(
        math.ceil(span / max_seconds) if span > max_seconds else 1,
        math.ceil(tokens / max_tokens) if tokens > max_tokens else 1,
    )
    words = seg.text.split()
    if pieces <= 1 or len(words) < 2:
        return [seg]
    pieces = min(pieces, len(words))
    out = []
    for k in range(pieces):
        lo, hi = len(words) * k // pieces, len(words) * (k + 1) // pieces
        out.append(
            TranscriptSegment(
                start=round(seg.start + span * lo / len(words), 3),
                end=round(seg.start + span * hi / len(words), 3),
                text=" ".join(words[lo:hi]),
                speaker=seg.speaker,
            )
        )
    return out


def group_segments(
    segments: Sequence[TranscriptSegment],
    *,
    max_seconds: float = MAX_CHUNK_SECONDS,
    max_tokens: int = MAX_CHUNK_TOKENS,
    overlap: int = OVERLAP_SEGMENTS,
) -> list[list[TranscriptSegment]]:
    """Consecutive segments in groups bounded by span and tokens; each group repeats the last `overlap`
    segment(s) of the previous one when that still fits."""
    pieces = [
        p
        for seg in sorted(segments, key=lambda s: (s.start, s.end))
        for p in split_long(seg, max_seconds, max_tokens)
    ]
    groups: list[list[TranscriptSegment]] = []
    current: list[TranscriptSegment] = []

    def tokens(group: list[TranscriptSegment]) -> int:
        return sum(estimate_tokens(s.text) for s in group)

    for seg in pieces:
        if current and (
            seg.end - current[0].start > max_seconds
            or tokens(current) + estimate_tokens(seg.text) > max_tokens
        ):
            groups.append(current)
            carry = current[-overlap:] if overlap else []
            if carry and (
                seg.end - carry[0].start > max_seconds
                or tokens(carry) + estimate_tokens(seg.text) > max_tokens
            ):
                carry = []
            current = list(carry)
        current.append(seg)
    if current:
        groups.append(current)
    return groups


def _transcript_text(group: Sequence[TranscriptSegment]) -> str:
    parts, last = [], None
    for seg in group:
        if seg.speaker and seg.speaker != last:
            parts.append(f"{seg.speaker}: {seg.text}")
        else:
            parts.append(seg.text)
        last = seg.speaker
    return " ".join(parts)


def build_chunks(summary: DailySummary, *, images_described: bool = False) -> list[Chunk]:
    video_id, date = summary.video_id, summary.date
    chunks: list[Chunk] = []
    counters = {t: 0 for t in ChunkType}

    def add(kind: ChunkType, text: str, start: float, end: float, speakers: list[str], block: int) -> None:
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
            )
        )
        counters[kind] += 1

    for block in summary.blocks:
        parts = [f"{block.title}.", block.activity]
        if block.location and block.location != "Not mentioned":
            parts.append(f"Location: {block.location}.")
        if block.participants:
            parts.append(f"Participants: {', '.join(block.participants)}.")
        if images_described:
            parts.append(f"Seen: {block.visual_summary}")
        if block.key_points:
            parts.append("Key points: " + " ".join(block.key_points))
        add(
            ChunkType.SUMMARY,
            " ".join(p for p in parts if p),
            block.start,
            block.end,
            block.participants,
            block.index,
        )

        for group in group_segments(block.transcript):
            speakers = sorted({s.speaker for s in group if s.speaker})
            add(
                ChunkType.TRANSCRIPT,
                _transcript_text(group),
                group[0].start,
                max(s.end for s in group),
                speakers,
                block.index,
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


def screen_text_chunks(summary: DailySummary) -> list[Chunk]:
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
