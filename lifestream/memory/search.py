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
from lifestream.core.models import SearchResult
from lifestream.memory.embeddings.base import Embedder, as_lists, cosine, embed_query
from lifestream.memory.search_filters import DEFAULT_MODE, MODES, NO_FILTERS, SearchFilters, SearchMode
from lifestream.memory.vectors.base import Match, VectorStore

if TYPE_CHECKING:
    from lifestream.memory.dates import DateFilter
    from lifestream.memory.video_index import VideoIndex

# Each channel is asked for this many candidates per wanted hit (fusion and folding need a deeper pool).
POOL_FACTOR = 4
MIN_POOL = 20
# Speakers a query may lift: each named speaker widens the search, and names are the users' own (subtitle
# voice tags, renames), unbounded. Three covers "what did Anna, Bob and Chen decide".
MAX_SPEAKERS_PER_QUERY = 3
# Longest name, in words, looked for in a query ("Anna Maria de la Cruz").
MAX_NAME_WORDS = 6
_WORD = re.compile(r"\w+")


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
        raise UnsupportedFilterError(f"top_k must be at least 1, got {top_k}", field="top_k")


def semantic_search(
    query: str,
    *,
    store: VectorStore,
    embedder: Embedder,
    top_k: int = 5,
    min_score: float | None = None,
    filters: SearchFilters = NO_FILTERS,
) -> list[SearchResult]:
    """Dense search of one store, without fusion, folding or the "not found" decision."""
    _check_request(query, top_k)
    vector = embed_query(embedder, [query])[0]
    matches = store.query(vector, top_k=top_k, filter=filters.vector_filter())
    results = [to_result(m) for m in matches]
    if min_score is not None:
        results = [r for r in results if r.score >= min_score]
    return results


@dataclass
class SearchOutcome:
    """Ranked, fused, folded hits and what the search understood of the query."""

    results: list[SearchResult]
    found: bool  # calibrated: False means "not in your videos", whatever `results` holds
    mode: SearchMode
    query: str  # the text searched (the date phrase removed)
    dates: DateFilter | None = None  # a date filter read from the query's words
    boosted_speakers: list[str] = field(default_factory=list)
    dense_top: float | None = None  # the dense channel's best cosine
    coverage: float | None = None  # the lexical channel's best coverage of the query's words
    thresholds: Any = None  # the calibrated `Thresholds` that decided `found`
    query_vector: Any = None  # the dense channel's query embedding (None without a dense channel)

    def found_ids(self, embedder: Embedder | None) -> set[str]:
        """The hits that clear the thresholds that decided `found` (the rest are only related). A chunk is
        embedded with the sentences beside it as context, so its dense score can come from a neighbour's
        words ("compost" ranked the dentist call said just after it): each moment is judged on the cosine
        of its own text, one batch for the page."""
        if not self.found or self.thresholds is None:
            return set()
        own: dict[str, float] | None = None
        moments = [r for hit in self.results for r in (hit, *hit.supporting)]
        if embedder is not None and self.query_vector is not None and moments:
            query = as_lists([self.query_vector])[0]
            vectors = as_lists(embedder.embed([r.text for r in moments]))
            own = {r.id: cosine(v, query) for r, v in zip(moments, vectors, strict=True)}
        return {h.id for h in self.results if self.thresholds.found_in(self.query, h, own)}


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise UnsupportedFilterError(f"mode must be one of {', '.join(MODES)}, got {mode!r}", field="mode")
    return mode


def named_speakers(query: str, known: set[str], *, limit: int = MAX_SPEAKERS_PER_QUERY) -> list[str]:
    """The known speaker names that the query says, as whole words ("Priya's" counts), in the order the
    query says them, at most `limit`. Names come from uploaded subtitles and renames, so a user may have
    any number: the query's own word spans are looked up among them (work grows with the query, not with
    the names), and at most `limit` of them cost a search."""
    by_folded: dict[str, str] = {}
    longest = 1
    for name in known:
        folded = name.casefold()
        by_folded.setdefault(folded, name)
        longest = max(longest, len(_WORD.findall(folded)))
    lowered = query.casefold()
    words = list(_WORD.finditer(lowered))
    found: list[str] = []
    for i, first in enumerate(words):
        # The longest name starting at this word first ("Anna Maria" before "Anna").
        for j in range(min(len(words), i + min(longest, MAX_NAME_WORDS)) - 1, i - 1, -1):
            name = by_folded.get(lowered[first.start() : words[j].end()])
            if name is not None and name not in found:
                found.append(name)
                break
        if len(found) >= limit:
            break
    return found


def search(
    query: str,
    *,
    index: VideoIndex,
    filters: SearchFilters = NO_FILTERS,
    mode: str = DEFAULT_MODE,
    top_k: int = 5,
    min_score: float | None = None,
    natural_dates: bool = True,
    timezone: str | None = None,
    now: dt.datetime | None = None,
    calibration: Any = None,
) -> SearchOutcome:
    """Dense, lexical or hybrid search (see the module docstring). `min_score` drops dense hits below
    that cosine before fusion. Explicit dates in `filters` win over dates said in the query."""
    from lifestream.memory.calibration import calibration_for, coverage
    from lifestream.memory.fusion import boost_speakers, fold_moments, reciprocal_rank_fusion

    _check_request(query, top_k)
    check_mode(mode)
    store, embedder, lexical, owner = index.vectors, index.embedder, index.lexical, index.owner
    if mode != "dense" and lexical is None:
        if mode == "lexical":
            raise UnsupportedFilterError(
                "mode lexical needs the lexical index, which is not configured", field="mode"
            )
        mode = "dense"
    text, dates, asked = query.strip(), None, filters
    if natural_dates and not filters.has_dates:
        from lifestream.memory.dates import interpret

        dates = interpret(text, now=now, timezone=timezone)
        if dates is not None:
            filters = filters.with_dates(dates.date_from, dates.date_to)
            text = dates.query or text
    vector_filter = filters.vector_filter()
    calibration = calibration or calibration_for(getattr(store, "embedder_name", None) or embedder.name)
    pool = max(top_k * POOL_FACTOR, MIN_POOL)

    channels: dict[str, list[SearchResult]] = {}
    vector = None
    if mode in ("dense", "hybrid"):
        vector = embed_query(embedder, [text])[0]  # e5's "query: " side; symmetric models: `embed`
        dense = [to_result(m) for m in store.query(vector, top_k=pool, filter=vector_filter)]
        if min_score is not None:
            dense = [r for r in dense if r.score >= min_score]
        channels["dense"] = [r.model_copy(update={"channel_scores": {"dense": r.score}}) for r in dense]
    if mode in ("lexical", "hybrid"):
        assert lexical is not None
        hits = lexical.search(owner, text, top_k=pool, filters=filters)
        channels["lexical"] = [r.model_copy(update={"channel_scores": {"lexical": r.score}}) for r in hits]

    weights = calibration.weights
    # A speaker named in the query: that speaker's own best chunks join as a channel of their own (they
    # may rank low by words alone: "what did Marco ask me to do" shares no word with what Marco said).
    boosted: list[str] = []
    if lexical is not None and weights.speaker > 0 and not filters.speaker:
        boosted = named_speakers(text, lexical.speakers(owner))
    if boosted:
        # One query for every name said (`$in`), not one per name.
        said = filters.with_any_speaker(boosted)
        if "dense" in channels:
            named = [to_result(m) for m in store.query(vector, top_k=pool, filter=said.vector_filter())]
        else:
            named = lexical.search(owner, text, top_k=pool, filters=said)
        channels["speaker"] = named
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
    folded = fold_moments(ranked)
    results = folded[:top_k]
    if dates is not None and not results:
        everywhere = search(
            query,
            index=index,
            filters=asked,
            mode=mode,
            top_k=top_k,
            min_score=min_score,
            natural_dates=False,
            calibration=calibration,
        )
        everywhere.dates = replace(dates, relaxed=True)
        return everywhere

    dense_top = channels["dense"][0].score if channels.get("dense") else None
    cover = coverage(text, channels["lexical"]) if "lexical" in channels else None
    thresholds = calibration.for_mode(mode)
    if "lexical" in channels:
        results = with_evidence(folded, top_k, thresholds.covering(text, channels["lexical"]))
    found = bool(results) and thresholds.found(dense_top, cover)
    return SearchOutcome(
        results=results,
        found=found,
        mode=mode,
        query=text,
        dates=dates,
        boosted_speakers=boosted,
        dense_top=dense_top,
        coverage=cover,
        thresholds=thresholds,
        query_vector=vector,
    )


def with_evidence(folded: list[SearchResult], top_k: int, evidence: list[SearchResult]) -> list[SearchResult]:
    """The best `top_k` moments, with every moment that holds one of `evidence` (the lexical hits that clear
    the "found" bar on their own words) in place of the weakest others, below the best. Fusion can rank a
    chunk that holds most of the query's rare words, matched by no other, under twenty dense-only hits
    ("What did I wish I had brought?" found by "I wish I had brought an apron" in a long chunk): a search
    found by a moment must show it, and an answer must read it."""
    ids = {r.id for r in evidence}

    def holds(r: SearchResult) -> bool:
        return r.id in ids or any(s.id in ids for s in r.supporting)

    shown = list(folded[:top_k])
    missing = [r for r in folded[top_k:] if holds(r)]
    while missing and len(shown) + len(missing) > top_k:
        weakest = next((i for i in range(len(shown) - 1, 0, -1) if not holds(shown[i])), None)
        if weakest is None:
            break
        del shown[weakest]
    return shown + missing[: max(top_k - len(shown), 0)]


def _unit(ranked: list[SearchResult], mode: str, k: float) -> float:
    """What a speaker boost is measured in: one RRF rank-1 share when fused; in a single channel (raw
    cosine or bm25), the score spread of the list, so a boost lifts about as far as in hybrid."""
    if mode == "hybrid" or not ranked:
        return 1.0
    spread = ranked[0].score - ranked[-1].score
    return spread * (k + 1) if spread > 0 else 0.0
