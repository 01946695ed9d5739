"""Search over the indexed chunks, with the same filters on every store: dense (vectors), lexical (full
text in the job store), or hybrid (both, fused by reciprocal rank fusion; the default).

`search` also reads dates said in words ("last weekend") into a date filter, lifts the chunks of a speaker
named in the query, folds hits of the same moment into one (`lifestream.memory.fusion`), and decides
whether anything relevant was found with the thresholds calibrated for the index's embedder
(`lifestream.memory.calibration`): the "not found" decision lives here, answers only read `found`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from lifestream.core.errors import UnsupportedFilterError
from lifestream.core.models import ChunkType, SearchResult
from lifestream.memory.embeddings.base import Embedder, embed_query
from lifestream.memory.index_builder import recorded_day
from lifestream.memory.vectors.base import Match, VectorStore

if TYPE_CHECKING:
    from lifestream.memory.dates import DateFilter
    from lifestream.memory.lexical import LexicalIndex

MODES = ("dense", "lexical", "hybrid")
DEFAULT_MODE = "hybrid"
# Each channel is asked for this many candidates per wanted hit (fusion and folding need a deeper pool).
POOL_FACTOR = 4
MIN_POOL = 20


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


def _check_request(query: str, top_k: int) -> None:
    if not query or not query.strip():
        raise UnsupportedFilterError("the search query is empty")
    if top_k < 1:
        raise UnsupportedFilterError(f"top_k must be at least 1, got {top_k}")


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
    _check_request(query, top_k)
    filter = build_filter(
        date_from=date_from, date_to=date_to, video_id=video_id, speaker=speaker, chunk_type=chunk_type
    )
    vector = embed_query(embedder, [query])[0]
    matches = store.query(vector, top_k=top_k, filter=filter)
    results = [to_result(m) for m in matches]
    if min_score is not None:
        results = [r for r in results if r.score >= min_score]
    return results


@dataclass
class SearchOutcome:
    """Ranked, fused, folded hits and what the search understood of the query."""

    results: list[SearchResult]
    found: bool  # calibrated: False means "not in your videos", whatever `results` holds
    mode: str
    query: str  # the text searched (the date phrase removed)
    dates: DateFilter | None = None  # a date filter read from the query's words
    boosted_speakers: list[str] = field(default_factory=list)
    dense_top: float | None = None  # the dense channel's best cosine
    coverage: float | None = None  # the lexical channel's best coverage of the query's words


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise UnsupportedFilterError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def named_speakers(query: str, known: set[str]) -> list[str]:
    """The known speaker names that the query says, as whole words ("Priya's" counts)."""
    lowered = query.casefold()
    return sorted(n for n in known if re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", lowered))


def search(
    query: str,
    *,
    store: VectorStore,
    embedder: Embedder,
    lexical: LexicalIndex | None = None,
    mode: str = DEFAULT_MODE,
    top_k: int = 5,
    min_score: float | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    video_id: str | None = None,
    speaker: str | None = None,
    chunk_type: str | None = None,
    natural_dates: bool = True,
    timezone: str | None = None,
    now: dt.datetime | None = None,
    calibration: Any = None,
) -> SearchOutcome:
    """Dense, lexical or hybrid search (see the module docstring). `min_score` drops dense hits below
    that cosine before fusion. Explicit date_from/date_to win over dates said in the query."""
    from lifestream.memory.calibration import calibration_for, coverage
    from lifestream.memory.fusion import boost_speakers, dedupe, reciprocal_rank_fusion
    from lifestream.memory.index_builder import owner_of

    _check_request(query, top_k)
    check_mode(mode)
    if mode != "dense" and lexical is None:
        if mode == "lexical":
            raise UnsupportedFilterError("mode lexical needs the lexical index, which is not configured")
        mode = "dense"
    text, dates = query.strip(), None
    if natural_dates and date_from is None and date_to is None:
        from lifestream.memory.dates import interpret

        dates = interpret(text, now=now, timezone=timezone)
        if dates is not None:
            date_from, date_to = dates.date_from, dates.date_to
            text = dates.query or text
    filters: dict[str, Any] = {
        "date_from": date_from,
        "date_to": date_to,
        "video_id": video_id,
        "speaker": speaker,
        "chunk_type": chunk_type,
    }
    filter = build_filter(**filters)  # refuses bad input before any model runs
    calibration = calibration or calibration_for(getattr(store, "embedder_name", None) or embedder.name)
    pool = max(top_k * POOL_FACTOR, MIN_POOL)
    owner = owner_of(store)

    channels: dict[str, list[SearchResult]] = {}
    if mode in ("dense", "hybrid"):
        vector = embed_query(embedder, [text])[0]  # e5's "query: " side; symmetric models: `embed`
        dense = [to_result(m) for m in store.query(vector, top_k=pool, filter=filter)]
        if min_score is not None:
            dense = [r for r in dense if r.score >= min_score]
        channels["dense"] = [r.model_copy(update={"channel_scores": {"dense": r.score}}) for r in dense]
    if mode in ("lexical", "hybrid"):
        assert lexical is not None
        hits = lexical.search(owner, text, top_k=pool, **filters)
        channels["lexical"] = [r.model_copy(update={"channel_scores": {"lexical": r.score}}) for r in hits]

    weights = calibration.weights
    # A speaker named in the query: that speaker's own best chunks join as a channel of their own (they
    # may rank low by words alone: "what did Marco ask me to do" shares no word with what Marco said).
    boosted: list[str] = []
    if lexical is not None and weights.speaker > 0 and not speaker:
        boosted = named_speakers(text, lexical.speakers(owner))
    for name in boosted:
        said = {**filters, "speaker": name}
        if "dense" in channels:
            named = [to_result(m) for m in store.query(vector, top_k=pool, filter=build_filter(**said))]
        else:
            named = lexical.search(owner, text, top_k=pool, **said)
        channels.setdefault("speaker", []).extend(named)
    if mode == "hybrid":
        ranked = reciprocal_rank_fusion(
            channels,
            {"dense": weights.dense, "lexical": weights.lexical, "speaker": weights.speaker},
            k=weights.k,
        )
    else:
        ranked = channels[mode]
        if boosted:
            pooled = {r.id for r in ranked}
            ranked = ranked + [
                r.model_copy(update={"channel_scores": {mode: r.score}})
                for r in channels["speaker"]
                if r.id not in pooled
            ]
            ranked.sort(key=lambda r: r.score, reverse=True)
            ranked = boost_speakers(
                ranked, boosted, weights.speaker * _unit(ranked, mode, weights.k), k=weights.k
            )
    results = dedupe(ranked)[:top_k]
    if dates is not None and not results:
        everywhere = search(
            query,
            store=store,
            embedder=embedder,
            lexical=lexical,
            mode=mode,
            top_k=top_k,
            min_score=min_score,
            video_id=video_id,
            speaker=speaker,
            chunk_type=chunk_type,
            natural_dates=False,
            calibration=calibration,
        )
        everywhere.dates = replace(dates, relaxed=True)
        return everywhere

    dense_top = channels["dense"][0].score if channels.get("dense") else None
    cover = coverage(text, channels["lexical"]) if "lexical" in channels else None
    found = bool(results) and calibration.for_mode(mode).found(dense_top, cover)
    return SearchOutcome(
        results=results,
        found=found,
        mode=mode,
        query=text,
        dates=dates,
        boosted_speakers=boosted,
        dense_top=dense_top,
        coverage=cover,
    )


def _unit(ranked: list[SearchResult], mode: str, k: float) -> float:
    """What a speaker boost is measured in: one RRF rank-1 share when fused; in a single channel (raw
    cosine or bm25), the score spread of the list, so a boost lifts about as far as in hybrid."""
    if mode == "hybrid" or not ranked:
        return 1.0
    spread = ranked[0].score - ranked[-1].score
    return spread * (k + 1) if spread > 0 else 0.0
