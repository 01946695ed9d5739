"""When retrieval counts as "found": thresholds per embedder and per channel, chosen on bench/retrieval.

A dense cosine means different things for different embedders (e5 scores sit higher than MiniLM's), so the
thresholds are keyed by the embedder name that the vector index records (FAISS manifest, Pinecone tag) and
used by search and ask. The lexical signal is `coverage`: the share of the query's content words that the
best lexical hits contain; it means the same on SQLite's bm25 and PostgreSQL's ts_rank_cd, whose raw scores
do not compare. `python -m bench.retrieval.run --write-calibration` rewrites calibration.json from the eval
set; an embedder not in it gets the `default` entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lifestream.core.models import SearchResult
from lifestream.core.text import stem
from lifestream.memory import answer_kinds
from lifestream.memory.fusion import FusionWeights
from lifestream.memory.lexical.index import query_terms
from lifestream.memory.search_filters import MODES

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Thresholds:
    min_dense: float | None = None  # the dense channel's best cosine must reach this ...
    min_coverage: float | None = None  # ... or the lexical coverage this (hybrid: either)

    def found(self, dense_top: float | None, coverage: float | None) -> bool:
        dense_ok = self.min_dense is not None and dense_top is not None and dense_top >= self.min_dense
        lexical_ok = self.min_coverage is not None and coverage is not None and coverage >= self.min_coverage
        return dense_ok or lexical_ok

    def covering(self, query: str, lexical: list[SearchResult], *, depth: int = 3) -> list[SearchResult]:
        """The best `depth` lexical hits that reach `min_coverage` on their own words: the moments `found`
        can stand on through the lexical channel."""
        if self.min_coverage is None:
            return []
        return [
            hit for hit in lexical[:depth] if (coverage(query, [hit], depth=1) or 0.0) >= self.min_coverage
        ]

    def found_in(self, query: str, hit: SearchResult, own_cosines: dict[str, float] | None = None) -> bool:
        """One moment held to the thresholds that decide `found` for the whole search: its own best
        cosine (its folded hits' too), or the share of the query's words it holds itself. `own_cosines`
        (by hit id) are the cosines of each hit's own text; without them, the dense channel's scores."""
        own = [hit, *hit.supporting]
        if own_cosines is not None:
            cosines = [own_cosines[r.id] for r in own if r.id in own_cosines]
        else:
            cosines = [r.channel_scores["dense"] for r in own if "dense" in r.channel_scores]
        return self.found(max(cosines, default=None), coverage(query, own, depth=len(own)))


@dataclass(frozen=True)
class Calibration:
    embedder: str
    weights: FusionWeights
    thresholds: dict[str, Thresholds]

    def for_mode(self, mode: str) -> Thresholds:
        return self.thresholds[mode]


@cache
def _table() -> dict[str, Any]:
    return json.loads(CALIBRATION_FILE.read_text())


def calibration_for(embedder_name: str | None, table: dict[str, Any] | None = None) -> Calibration:
    table = table if table is not None else _table()
    entry = table.get("embedders", {}).get(embedder_name or "", table["default"])
    weights = FusionWeights(**entry.get("weights", table["default"]["weights"]))
    thresholds = {mode: Thresholds(**entry["thresholds"][mode]) for mode in MODES}
    return Calibration(embedder=embedder_name or "", weights=weights, thresholds=thresholds)


def coverage(query: str, hits: list[SearchResult], *, depth: int = 3) -> float | None:
    """The largest share of the query's content words found in one of the best `depth` lexical hits. The
    words that ask for a kind of answer ("how many", "what date") are not among them."""
    form = answer_kinds.form_words(query)
    terms = {stem(t) for t in query_terms(query) if t not in form}
    if not terms:
        return None
    best = 0.0
    for hit in hits[:depth]:
        words = {stem(t) for t in query_terms(f"{hit.text} {' '.join(hit.speakers)}")}
        best = max(best, len(terms & words) / len(terms))
    return best
