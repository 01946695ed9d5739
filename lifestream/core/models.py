"""Data shapes that cross module boundaries: transcript segments, indexable chunks, search results."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ChunkType(StrEnum):
    SUMMARY = "summary"
    TRANSCRIPT = "transcript"
    ACTION_ITEM = "action_item"
    SCREEN_TEXT = "screen_text"  # text read on screen (OCR of keyframes, or the vision model's)


class TranscriptSegment(BaseModel):
    """A stretch of speech; times are seconds from the start of the video."""

    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str
    speaker: str | None = None


class Chunk(BaseModel):
    """One unit of text to embed and index, pointing at a moment of one video."""

    id: str
    text: str
    video_id: str
    chunk_type: ChunkType
    start: float
    end: float
    recorded_date: str | None = None  # YYYY-MM-DD
    speakers: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    # Neighbouring text embedded with the chunk (not shown, not cited): a short turn like "Yes, Friday."
    # finds its question; `text`, `start` and `end` stay the chunk's own span.
    context_before: str = ""
    context_after: str = ""

    @property
    def embed_text(self) -> str:
        """What the embedder sees: the chunk's text between its context."""
        return " ".join(p for p in (self.context_before, self.text, self.context_after) if p)

    @staticmethod
    def make_id(video_id: str, chunk_type: ChunkType | str, index: int) -> str:
        """Deterministic: re-indexing a video overwrites its vectors instead of adding new ones."""
        return f"{video_id}#{ChunkType(chunk_type).value}#{index:04d}"

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "video_id": self.video_id,
            "chunk_type": self.chunk_type.value,
            "start": float(self.start),
            "end": float(self.end),
            "speakers": list(self.speakers),
            "text": self.text,
        }
        if self.recorded_date:
            meta["recorded_date"] = self.recorded_date
        meta.update(self.extra)
        return meta


class SearchResult(BaseModel):
    id: str
    video_id: str
    start: float
    end: float
    score: float
    text: str
    chunk_type: str
    recorded_date: str | None = None
    speakers: list[str] = Field(default_factory=list)
    # Hybrid search: each channel's own score for this chunk ("dense" cosine, "lexical" rank), and the hits
    # folded into this one (overlapping spans of the same video, or of a copy of it).
    channel_scores: dict[str, float] = Field(default_factory=dict)
    supporting: list[SearchResult] = Field(default_factory=list)
