"""A fixed subset of bench/retrieval as a regression guard: hybrid search on the real MiniLM model, real
FAISS and the SQLite lexical index must keep finding the moment and saying "not found". Floors sit a little
under the measured figures (bench/RESULTS.md); no timing here."""

from __future__ import annotations

import pytest

from bench.retrieval.corpus import QUESTIONS
from bench.retrieval.evaluate import build_index, evaluate, score
from lifestream.memory.embeddings.local_embedder import OnnxMiniLMEmbedder

# Every third answerable question (all kinds: paraphrase, name, number, distractor, date) and every
# second unanswerable one: 38 questions.
ANSWERABLE = [q for q in QUESTIONS if q[1] is not None][::3]
UNANSWERABLE = [q for q in QUESTIONS if q[1] is None][::2]
SUBSET = ANSWERABLE + UNANSWERABLE


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_index(tmp_path_factory.mktemp("retrieval"), OnnxMiniLMEmbedder())


def test_the_subset_covers_every_kind():
    assert {q[2] for q in SUBSET} == {"paraphrase", "name", "number", "distractor", "date", "notfound"}
    assert len(SUBSET) >= 35


def test_hybrid_finds_the_moment(index):
    s = score(evaluate(index, mode="hybrid", questions=SUBSET))
    assert s.hit1 >= 0.9, s.misses
    assert s.hit3 >= 0.95, s.misses
    assert s.max_cited_seconds <= 25
    assert s.nf_precision >= 0.85 and s.nf_recall >= 0.5


def test_hybrid_beats_each_channel_alone(index):
    hybrid = score(evaluate(index, mode="hybrid", questions=SUBSET))
    dense = score(evaluate(index, mode="dense", questions=SUBSET))
    lexical = score(evaluate(index, mode="lexical", questions=SUBSET))
    assert hybrid.mrr >= dense.mrr and hybrid.mrr >= lexical.mrr
    assert hybrid.nf_precision > dense.nf_precision


def _outcome(kind: str, *, answerable: bool, found: bool):
    from bench.retrieval.evaluate import Outcome

    rank = 1 if found and answerable else None
    return Outcome("q", kind, answerable, rank, found, 1.0, 5.0, 0.5, 0.5, 0.001, True)


def test_a_day_question_is_not_scored_as_search_saying_not_found():
    # The day's diaries answer "Who was in the meeting on 8 June?" before search is asked, so search's
    # "not found" on it is no abstention the user sees.
    outcomes = [
        _outcome("notfound", answerable=False, found=False),
        _outcome("day", answerable=True, found=False),
        _outcome("who", answerable=True, found=True),
    ]
    s = score(outcomes)
    assert s.nf_precision == 1.0 and s.nf_recall == 1.0
    outcomes.append(_outcome("who", answerable=True, found=False))
    assert score(outcomes).nf_precision == 0.5
