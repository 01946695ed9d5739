"""Semantic search over the indexed chunks, with the same filters on every store."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifestream.core.errors import UnsupportedFilterError
from lifestream.core.models import ChunkType, SearchResult
from lifestream.memory.embeddings.base import Embedder
from lifestream.memory.index_builder import recorded_day
from lifestream.memory.vectors.base import Match, VectorStore


def _day(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return recorded_day(dt.date.fromisoformat(value).isoformat())
    except ValueError:
        raise UnsupportedFilterError(f"{name} must be a date like 2026-11-24, got {value!r}") from None


def build_filter(
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    video_id: str | None = None,
    speaker: str | None = None,
    chunk_type: str | None = None,
) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    low, high = _day(date_from, "date_from"), _day(date_to, "date_to")
    if low is not None and high is not None and low > high:
        raise UnsupportedFilterError(f"date_from {date_from} is after date_to {date_to}")
    day: dict[str, int] = {}
    if low is not None:
        day["$gte"] = low
    if high is not None:
        day["$lte"] = high
    if day:
        clauses.append({"recorded_day": day})
    if video_id:
        clauses.append({"video_id": {"$eq": video_id}})
    if speaker:
        clauses.append({"speakers": {"$in": [speaker]}})
    if chunk_type:
        try:
            clauses.append({"chunk_type": {"$eq": ChunkType(chunk_type).value}})
        except ValueError:
            allowed = ", ".join(t.value for t in ChunkType)
            raise UnsupportedFilterError(f"chunk type must be one of {allowed}, got {chunk_type!r}") from None
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def to_result(match: Match) -> SearchResult:
    meta = match.metadata
    return SearchResult(
        id=match.id,
        video_id=str(meta.get("video_id", "")),
        start=float(meta.get("start", 0.0)),
        end=float(meta.get("end", 0.0)),
        score=match.score,
        text=str(meta.get("text", "")),
        chunk_type=str(meta.get("chunk_type", "")),
        recorded_date=meta.get("recorded_date"),
        speakers=list(meta.get("speakers") or []),
    )


def semantic_search(
    query: str,
    *,
    store: VectorStore,
    embedder: Embedder,
    top_k: int = 5,
    min_score: float | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    video_id: str | None = None,
    speaker: str | None = None,
    chunk_type: str | None = None,
) -> list[SearchResult]:
    if not query or not query.strip():
        raise UnsupportedFilterError("the search query is empty")
    if top_k < 1:
        raise UnsupportedFilterError(f"top_k must be at least 1, got {top_k}")
    filter = build_filter(
        date_from=date_from, date_to=date_to, video_id=video_id, speaker=speaker, chunk_type=chunk_type
    )
    vector = embedder.embed([query])[0]
    matches = store.query(vector, top_k=top_k, filter=filter)
    results = [to_result(m) for m in matches]
    if min_score is not None:
        results = [r for r in results if r.score >= min_score]
    return results
