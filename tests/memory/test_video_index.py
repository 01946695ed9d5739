"""index_video: deterministic ids, replacement on re-index, no duplicates, no stale vectors."""

from __future__ import annotations

import pytest

from lifestream.core.errors import VectorStoreError
from lifestream.core.models import Chunk, ChunkType
from lifestream.memory.video_index import VideoIndex, chunk_metadata


def chunks_for(video_id: str, texts: list[str], date: str = "2026-11-24") -> list[Chunk]:
    return [
        Chunk(
            id=Chunk.make_id(video_id, ChunkType.TRANSCRIPT, i),
            text=text,
            video_id=video_id,
            chunk_type=ChunkType.TRANSCRIPT,
            start=10.0 * i,
            end=10.0 * i + 9.5,
            recorded_date=date,
            speakers=["alice"] if i % 2 else [],
        )
        for i, text in enumerate(texts)
    ]


def test_index_and_reindex_replaces_without_duplicates(store, embedder):
    # GIVEN a video indexed with 5 chunks, and another video
    first = chunks_for("v1", [f"first version chunk {i}" for i in range(5)])
    assert VideoIndex(store, embedder).index("v1", first) == 5
    VideoIndex(store, embedder).index("v2", chunks_for("v2", ["other video"]))
    assert store.count() == 6

    # WHEN the same video is re-indexed with 3 different chunks
    second = chunks_for("v1", [f"second version text {i}" for i in range(3)])
    assert VideoIndex(store, embedder).index("v1", second) == 3

    # THEN its old chunks 3 and 4 are gone, 0..2 carry the new text, the other video is untouched
    assert sorted(store.list_ids("v1#")) == [c.id for c in second]
    assert store.count() == 4
    fetched = store.fetch([c.id for c in second])
    assert [fetched[c.id].metadata["text"] for c in second] == [c.text for c in second]
    assert list(store.list_ids("v2#")) == ["v2#transcript#0000"]


def test_reindexing_the_same_chunks_is_idempotent(store, embedder):
    chunks = chunks_for("v1", ["a b c", "d e f"])
    VideoIndex(store, embedder).index("v1", chunks)
    before = {r.id: (list(map(float, r.vector)), r.metadata) for batch in store.iter_records() for r in batch}
    VideoIndex(store, embedder).index("v1", chunks)
    after = {r.id: (list(map(float, r.vector)), r.metadata) for batch in store.iter_records() for r in batch}
    assert before.keys() == after.keys()
    for key in before:
        assert before[key][1] == after[key][1]


def test_metadata_carries_a_numeric_day_for_range_filters():
    chunk = chunks_for("v1", ["x"], date="2026-02-03")[0]
    meta = chunk_metadata(chunk)
    assert meta["recorded_day"] == 20260203 and meta["recorded_date"] == "2026-02-03"
    assert meta["video_id"] == "v1" and meta["start"] == 0.0 and meta["speakers"] == []


def test_empty_text_chunks_are_skipped(store, embedder):
    chunks = chunks_for("v1", ["real words", "   "])
    assert VideoIndex(store, embedder).index("v1", chunks) == 1
    assert list(store.list_ids("v1#")) == ["v1#transcript#0000"]


def test_foreign_or_duplicate_chunks_are_rejected(store, embedder):
    with pytest.raises(VectorStoreError, match="belongs to video"):
        VideoIndex(store, embedder).index("v2", chunks_for("v1", ["x"]))
    dup = chunks_for("v1", ["x"]) * 2
    with pytest.raises(VectorStoreError, match="twice"):
        VideoIndex(store, embedder).index("v1", dup)


def test_progress_bar_and_large_batches(store, embedder):
    chunks = chunks_for("v1", [f"chunk number {i}" for i in range(600)])
    assert VideoIndex(store, embedder).index("v1", chunks, progress=True) == 600
    assert store.count() == 600
    assert embedder.calls == 3  # 256-chunk embedding batches


def test_faiss_index_video_saves_once(tmp_path, embedder, monkeypatch):
    from lifestream.memory.vectors.faiss_store import FaissVectorStore

    store = FaissVectorStore(tmp_path / "ix", dimension=embedder.dimension, embedder_name=embedder.name)
    saves = []
    real = FaissVectorStore.save
    monkeypatch.setattr(FaissVectorStore, "save", lambda self: saves.append(1) or real(self))
    VideoIndex(store, embedder).index("v1", chunks_for("v1", [f"c {i}" for i in range(300)]))
    VideoIndex(store, embedder).index("v1", chunks_for("v1", ["c 0"]))
    assert len(saves) == 2
    assert (
        FaissVectorStore(tmp_path / "ix", dimension=embedder.dimension, embedder_name=embedder.name).count()
        == 1
    )
