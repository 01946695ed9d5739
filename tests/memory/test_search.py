"""semantic_search over both stores, with every filter, and with the real offline model."""

from __future__ import annotations

import pytest

from lifestream.core.errors import UnsupportedFilterError
from lifestream.core.models import Chunk, ChunkType
from lifestream.memory.embeddings.local_embedder import OnnxMiniLMEmbedder
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.search import semantic_search
from lifestream.memory.search_filters import SearchFilters
from lifestream.memory.vectors.faiss_store import FaissVectorStore

DIARY = {
    "monday": (
        "2026-11-02",
        [
            ("transcript", ["alice"], "we talked about the garden and planting tomatoes"),
            ("transcript", ["bob"], "bob fixed the bicycle brakes in the garage"),
            ("summary", [], "a quiet monday with gardening and bicycle repair"),
            ("action_item", ["alice"], "buy tomato seeds and fertiliser"),
        ],
    ),
    "friday": (
        "2026-11-06",
        [
            ("transcript", ["alice", "carol"], "carol presented the budget and the project deadline"),
            ("transcript", ["bob"], "bob cooked pasta with tomatoes for dinner"),
            ("summary", [], "friday work meeting about budget then pasta dinner"),
        ],
    ),
    "undated": (None, [("transcript", ["dave"], "tomatoes again in an old clip")]),
}


def build(store, embedder):
    for video_id, (date, rows) in DIARY.items():
        chunks = [
            Chunk(
                id=Chunk.make_id(video_id, ctype, i),
                text=text,
                video_id=video_id,
                chunk_type=ChunkType(ctype),
                start=60.0 * i,
                end=60.0 * i + 42.0,
                recorded_date=date,
                speakers=speakers,
            )
            for i, (ctype, speakers, text) in enumerate(rows)
        ]
        VideoIndex(store, embedder).index(video_id, chunks)


def test_results_carry_text_video_times_and_scores(store, embedder):
    build(store, embedder)
    results = semantic_search("bicycle brakes garage", store=store, embedder=embedder, top_k=3)
    top = results[0]
    assert top.video_id == "monday" and top.text == "bob fixed the bicycle brakes in the garage"
    assert (top.start, top.end) == (60.0, 102.0) and top.chunk_type == "transcript"
    assert top.speakers == ["bob"] and top.recorded_date == "2026-11-02"
    assert len(results) == 3 and results[0].score >= results[1].score >= results[2].score


@pytest.mark.parametrize(
    ("kwargs", "expected_videos", "check"),
    [
        ({"date_from": "2026-11-05"}, {"friday"}, None),
        ({"date_to": "2026-11-02"}, {"monday"}, None),
        ({"date_from": "2026-11-01", "date_to": "2026-11-30"}, {"monday", "friday"}, None),
        ({"video_id": "friday"}, {"friday"}, None),
        ({"speaker": "bob"}, {"monday", "friday"}, lambda r: "bob" in r.speakers),
        ({"chunk_type": "summary"}, {"monday", "friday"}, lambda r: r.chunk_type == "summary"),
        ({"speaker": "alice", "date_from": "2026-11-03"}, {"friday"}, lambda r: "alice" in r.speakers),
    ],
)
def test_filters(store, embedder, kwargs, expected_videos, check):
    build(store, embedder)
    results = semantic_search(
        "tomatoes", store=store, embedder=embedder, top_k=10, filters=SearchFilters.parse(**kwargs)
    )
    assert {r.video_id for r in results} == expected_videos
    if check:
        assert all(check(r) for r in results)


def test_min_score_drops_weak_matches(store, embedder):
    build(store, embedder)
    every = semantic_search("tomatoes", store=store, embedder=embedder, top_k=10)
    cut = sorted(r.score for r in every)[len(every) // 2]
    strong = semantic_search("tomatoes", store=store, embedder=embedder, top_k=10, min_score=cut)
    assert strong and all(r.score >= cut for r in strong) and len(strong) < len(every)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"date_from": "yesterday"},
        {"date_from": "2026-12-01", "date_to": "2026-11-01"},
        {"chunk_type": "poem"},
    ],
)
def test_bad_filters_are_clear_errors(kwargs):
    with pytest.raises(UnsupportedFilterError):
        SearchFilters.parse(**kwargs)


def test_empty_query_is_rejected(store, embedder):
    with pytest.raises(UnsupportedFilterError):
        semantic_search("  ", store=store, embedder=embedder)


def test_real_model_finds_paraphrases(tmp_path):
    # GIVEN the diary indexed with the offline model into FAISS on disk
    embedder = OnnxMiniLMEmbedder()
    store = FaissVectorStore(tmp_path / "ix", dimension=embedder.dimension, embedder_name=embedder.name)
    build(store, embedder)
    reopened = FaissVectorStore(tmp_path / "ix", dimension=embedder.dimension, embedder_name=embedder.name)

    # WHEN asking in words that appear nowhere in the diary
    top = semantic_search("when is the work due?", store=reopened, embedder=embedder, top_k=1)[0]
    cycling = semantic_search("repairing a bike", store=reopened, embedder=embedder, top_k=1)[0]

    # THEN meaning, not word overlap, finds the chunks
    assert "deadline" in top.text
    assert "bicycle" in cycling.text
