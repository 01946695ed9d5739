"""FAISS -> Pinecone migration: exact copy, resumable, re-embedding on request, parity report."""

from __future__ import annotations

import numpy as np
import pytest

from lifestream.core.errors import DimensionMismatchError
from lifestream.memory.migrate import migrate_store, parity_report
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from tests.memory.conftest import DIM, WordEmbedder, connect_pinecone


@pytest.fixture
def source(tmp_path, embedder):
    store = FaissVectorStore(tmp_path / "ix", dimension=DIM, embedder_name=embedder.name)
    texts = [f"memory {i} about {'cats' if i % 3 else 'dogs'} and topic {i % 7}" for i in range(450)]
    ids = [f"vid{i % 5}#transcript#{i:04d}" for i in range(450)]
    metas = [
        {"video_id": f"vid{i % 5}", "text": t, "start": float(i), "recorded_day": 20260101 + i % 9}
        for i, t in enumerate(texts)
    ]
    store.upsert(ids, embedder.embed(texts), metas)
    return store


def test_copy_without_reembedding_is_exact(source, pinecone_fake, embedder, tmp_path):
    target = connect_pinecone(pinecone_fake)
    embedder.calls = 0
    report = migrate_store(
        source, target, batch_size=100, state_path=tmp_path / "state.json", parity_queries=15
    )

    assert (report.total, report.copied, report.batches, report.target_count) == (450, 450, 5, 450)
    assert embedder.calls == 0  # nothing was embedded
    copied = target.fetch(["vid3#transcript#0008", "vid0#transcript#0445"])
    original = source.fetch(list(copied))
    for id_, record in copied.items():
        assert np.allclose(record.vector, original[id_].vector, atol=1e-6)
        assert record.metadata == original[id_].metadata
    assert (
        report.parity.queries == 15 and report.parity.mean_overlap == 1.0 and report.parity.min_overlap == 1.0
    )
    assert max(r.records for r in pinecone_fake.requests if r.path == "/vectors/upsert") <= 100


def test_interrupted_migration_resumes_after_the_last_finished_batch(source, pinecone_fake, tmp_path):
    target = connect_pinecone(pinecone_fake)
    real_upsert = target.upsert
    calls = {"n": 0}

    def crashing_upsert(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise ConnectionError("network gone")
        return real_upsert(*args, **kwargs)

    target.upsert = crashing_upsert
    with pytest.raises(ConnectionError):
        migrate_store(source, target, batch_size=100, state_path=tmp_path / "state.json", parity_queries=0)
    target.upsert = real_upsert

    report = migrate_store(
        source, target, batch_size=100, state_path=tmp_path / "state.json", parity_queries=5
    )
    assert report.skipped_resumed == 200 and report.copied == 450 and report.target_count == 450
    sent = sum(r.records for r in pinecone_fake.requests if r.path == "/vectors/upsert" and r.status == 200)
    assert sent == 450  # finished batches were not sent again
    assert report.parity.mean_overlap == 1.0


def test_embedder_mismatch_needs_reembedding(source, pinecone_fake):
    other = connect_pinecone(pinecone_fake, dimension=8, embedder_name="other-model")
    with pytest.raises(DimensionMismatchError, match="re-embed"):
        migrate_store(source, other)


def test_reembedding_switches_models(source, pinecone_fake, tmp_path):
    new = WordEmbedder(dimension=8)
    new.name = "test-words-8"
    target = connect_pinecone(pinecone_fake, dimension=8, embedder_name=new.name)
    report = migrate_store(source, target, batch_size=200, re_embed_with=new, state_path=tmp_path / "s.json")
    assert report.re_embedded and report.copied == 450 and target.count() == 450
    record = target.fetch(["vid1#transcript#0001"])["vid1#transcript#0001"]
    assert np.allclose(record.vector, new.embed([record.metadata["text"]])[0], atol=1e-6)
    assert 0.0 <= report.parity.min_overlap <= report.parity.mean_overlap <= 1.0


def test_parity_detects_a_divergent_target(source, pinecone_fake):
    target = connect_pinecone(pinecone_fake)
    migrate_store(source, target, parity_queries=0)
    ids = sorted(source.list_ids())
    target.delete(ids[::2])  # half the vectors lost
    parity = parity_report(source, target, sample=10, top_k=10)
    assert parity.mean_overlap < 0.8


def test_each_owners_vectors_land_in_their_own_namespace(tmp_path, pinecone_fake, embedder):
    # GIVEN a FAISS index holding vectors of two users and some from before sign-in (no owner)
    from lifestream.memory.vectors.owned import for_owner

    source = FaissVectorStore(tmp_path / "ix", dimension=DIM, embedder_name=embedder.name)
    texts = {"alice": "alice walks the dog", "bob": "bob bakes bread", None: "an old memory of the sea"}
    for owner, text in texts.items():
        ids = [f"{owner or 'old'}-v#transcript#{i:04d}" for i in range(3)]
        vecs = embedder.embed([f"{text} {i}" for i in range(3)])
        metas = [{"video_id": f"{owner or 'old'}-v", "text": text} for _ in ids]
        (for_owner(source, owner) if owner else source).upsert(ids, vecs, metas)
    target = connect_pinecone(pinecone_fake)
    # WHEN it is migrated
    report = migrate_store(source, target, parity_queries=9)
    # THEN each user finds only their own vectors on Pinecone, the old ones are the local user's
    assert report.copied == report.target_count == 9
    assert report.parity.min_overlap == 1.0
    for owner, prefix in (("alice", "alice-v"), ("bob", "bob-v"), ("local", "old-v")):
        found = for_owner(target, owner).query(embedder.embed([texts.get(owner, texts[None])])[0], top_k=10)
        assert {m.id.split("#")[0] for m in found} == {prefix}, owner
