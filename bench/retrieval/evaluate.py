"""Build the eval index (real FAISS, real embedder, the lexical index on SQLite or PostgreSQL) and score a
search configuration on the questions of a split (corpus.DEV, corpus_test.SEEN, or corpus_test_v2.TEST held out). Shared by run.py
and tests/memory/test_retrieval_regression.py."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.retrieval.corpus import DEV, Q, Split, corpus, truth_spans
from lifestream.core.constants import LOCAL_USER
from lifestream.core.models import SearchResult
from lifestream.core.constants import MOMENT_SECONDS
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.lexical import LexicalIndex
from lifestream.memory.search import search
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.memory.vectors.owned import for_owner


class CachedEmbedder:
    """The real embedder, remembering query vectors: a weight sweep re-runs the same questions."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed(texts)

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        side = getattr(self.inner, "embed_query", None)
        side = side if callable(side) else self.inner.embed
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for text, vector in zip(missing, side(missing), strict=True):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts])


@dataclass
class EvalIndex:
    store: object
    embedder: CachedEmbedder
    lexical: LexicalIndex
    chunks: int
    split: Split = DEV


def build_index(
    directory: Path, embedder, *, database_url: str | None = None, split: Split = DEV
) -> EvalIndex:
    from lifestream.jobs import JobStore

    jobs = JobStore(database_url or f"sqlite:///{directory / 'jobs.db'}")
    jobs.migrate()
    lexical = LexicalIndex(jobs.engine)
    raw = FaissVectorStore(directory / "faiss", dimension=embedder.dimension, embedder_name=embedder.name)
    store = for_owner(raw, LOCAL_USER)
    cached = CachedEmbedder(embedder)
    total = 0
    for video_id, chunks in corpus(split).items():
        VideoIndex(store, embedder, lexical).index(video_id, chunks)
        total += len(chunks)
    return EvalIndex(store, cached, lexical, total, split)


@dataclass
class Outcome:
    question: str
    kind: str
    answerable: bool
    rank: int | None  # 1-based rank of the first hit, None if none in the top 3
    found: bool
    citation_precision: float | None
    cited_seconds: float | None
    dense_top: float | None
    coverage: float | None
    seconds: float
    has_results: bool


def _overlap(r: SearchResult, spans: list[tuple[str, float, float]], copies: dict[str, str]) -> float:
    return sum(
        max(0.0, min(r.end, end) - max(r.start, start))
        for day, start, end in spans
        if copies.get(r.video_id, r.video_id) == day
    )


def is_hit(r: SearchResult, spans: list[tuple[str, float, float]], copies: dict[str, str] | None = None) -> bool:
    # A whole-video summary "overlaps" everything: it does not find the moment.
    return r.end - r.start <= MOMENT_SECONDS and _overlap(r, spans, copies or {}) > 0


def run_question(index: EvalIndex, q: Q, *, mode: str, calibration=None, top_k: int = 3) -> Outcome:
    text, truth, kind = q
    split = index.split
    began = time.perf_counter()
    outcome = search(
        text,
        index=VideoIndex(index.store, index.embedder, index.lexical),
        mode=mode,
        top_k=top_k,
        now=split.now,
        timezone=split.tz,
        calibration=calibration,
    )
    seconds = time.perf_counter() - began
    rank = precision = cited = None
    if truth is not None:
        spans = truth_spans(truth, split.days)
        rank = next(
            (i for i, r in enumerate(outcome.results, start=1) if is_hit(r, spans, split.copies)), None
        )
        if outcome.results:
            top = outcome.results[0]
            cited = top.end - top.start
            precision = _overlap(top, spans, split.copies) / cited if cited > 0 else 0.0
        else:
            precision = 0.0
    return Outcome(
        text,
        kind,
        truth is not None,
        rank,
        outcome.found,
        precision,
        cited,
        outcome.dense_top,
        outcome.coverage,
        seconds,
        bool(outcome.results),
    )


@dataclass
class Scores:
    hit1: float
    hit3: float
    mrr: float
    citation_precision: float
    max_cited_seconds: float
    nf_precision: float
    nf_recall: float
    p50_ms: float
    p95_ms: float
    n: int
    misses: list[str] = field(default_factory=list)


DAY = "day"  # the kind of a question about a named day (truth_test*.yaml)


def score(outcomes: list[Outcome]) -> Scores:
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    # A question about a named day ("Who was in the meeting on 8 June?") is answered from that day's
    # diaries before search is asked (service.day_answers; bench/quality scores it end to end), so search's
    # "not found" says nothing to the user about it: it is left out of the "not found" figures.
    said_nf = [o for o in outcomes if not o.found and o.kind != DAY]
    true_nf = [o for o in said_nf if not o.answerable]
    ms = sorted(o.seconds * 1000 for o in outcomes)
    return Scores(
        hit1=sum(o.rank == 1 for o in answerable) / max(1, len(answerable)),
        hit3=sum(o.rank is not None and o.rank <= 3 for o in answerable) / max(1, len(answerable)),
        mrr=sum(1 / o.rank for o in answerable if o.rank) / max(1, len(answerable)),
        citation_precision=statistics.fmean(o.citation_precision or 0.0 for o in answerable)
        if answerable
        else 0.0,
        max_cited_seconds=max((o.cited_seconds or 0.0 for o in answerable if o.rank == 1), default=0.0),
        nf_precision=len(true_nf) / len(said_nf) if said_nf else 1.0,
        nf_recall=len(true_nf) / max(1, len(unanswerable)),
        p50_ms=ms[len(ms) // 2] if ms else 0.0,
        p95_ms=ms[min(len(ms) - 1, int(len(ms) * 0.95))] if ms else 0.0,
        n=len(outcomes),
        misses=[o.question for o in answerable if o.rank != 1],
    )


def evaluate(
    index: EvalIndex, *, mode: str, calibration=None, questions: Sequence[Q] | None = None
) -> list[Outcome]:
    questions = index.split.questions if questions is None else questions
    return [run_question(index, q, mode=mode, calibration=calibration) for q in questions]
