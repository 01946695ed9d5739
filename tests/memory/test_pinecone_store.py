"""Pinecone specifics: index creation, request shapes and limits, retries, errors that surface."""

from __future__ import annotations

import numpy as np
import pytest

from lifestream.core.errors import DimensionMismatchError, TransientError, VectorStoreError
from lifestream.memory.vectors import metadata_codec
from lifestream.memory.vectors.pinecone_store import MAX_UPSERT_BYTES, PineconeVectorStore
from tests.memory.conftest import DIM, connect_pinecone
from tests.support.pinecone_fake import DEFAULT_API_KEY, PineconeFake


def vecs(n, dim=DIM, seed=0):
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_missing_index_is_created_serverless_cosine_and_awaited(no_sdk_backoff):
    # GIVEN a project without the index, whose new indexes need two polls to become ready
    with PineconeFake(ready_after_polls=2) as fake:
        # WHEN connecting
        store = connect_pinecone(fake, embedder_name="all-MiniLM-L6-v2")

        # THEN one serverless cosine index of the embedder's dimension was created and polled until ready
        assert len(fake.create_bodies) == 1
        body = fake.create_bodies[0]
        assert body["name"] == "lifestream-test"
        assert body["schema"]["fields"]["_values"] == {
            "type": "dense_vector",
            "dimension": DIM,
            "metric": "cosine",
        }
        assert body["deployment"] == {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"}
        assert body["tags"] == {"lifestream-embedder": "all-MiniLM-L6-v2"}
        assert fake.count("/indexes/lifestream-test", "GET") >= 3
        assert fake.indexes["lifestream-test"].polls_until_ready == 0
        assert store.count() == 0
        # and a second connection reuses it
        connect_pinecone(fake, embedder_name="all-MiniLM-L6-v2")
        assert len(fake.create_bodies) == 1


def test_existing_index_of_another_dimension_or_embedder_is_refused(pinecone_fake):
    pinecone_fake.create_index("lifestream-test", DIM * 2)
    with pytest.raises(DimensionMismatchError, match="dimension 32"):
        connect_pinecone(pinecone_fake)
    pinecone_fake.indexes.clear()
    pinecone_fake.create_index("lifestream-test", DIM, tags={"lifestream-embedder": "text-embedding-3-small"})
    with pytest.raises(DimensionMismatchError, match="text-embedding-3-small"):
        connect_pinecone(pinecone_fake)


def test_data_host_without_control_plane(pinecone_fake):
    pinecone_fake.create_index("anything", DIM)
    store = PineconeVectorStore.connect(
        api_key=DEFAULT_API_KEY, index_name="x", dimension=DIM, embedder_name="e", host=pinecone_fake.url
    )
    store.upsert(["a#1"], vecs(1), [{}])
    assert store.count() == 1
    with pytest.raises(DimensionMismatchError):
        PineconeVectorStore.connect(
            api_key=DEFAULT_API_KEY,
            index_name="x",
            dimension=DIM + 1,
            embedder_name="e",
            host=pinecone_fake.url,
        )


def test_upserts_are_packed_within_record_and_byte_limits(pinecone_fake, no_sdk_backoff):
    # GIVEN 2500 small records and 300 with 6 KB of metadata text each
    store = connect_pinecone(pinecone_fake)
    store.upsert([f"s#{i}" for i in range(2500)], vecs(2500), [{"n": i} for i in range(2500)])
    big_text = "word " * 1200
    store.upsert([f"b#{i}" for i in range(300)], vecs(300, seed=1), [{"text": big_text} for _ in range(300)])

    upserts = [r for r in pinecone_fake.requests if r.path == "/vectors/upsert"]
    # THEN every request is within Pinecone's limits, and the count is the minimum the limits allow
    assert all(r.records <= 1000 and r.body_bytes <= MAX_UPSERT_BYTES for r in upserts)
    small, big = upserts[:3], upserts[3:]
    assert [r.records for r in small] == [1000, 1000, 500]
    big_bytes = sum(r.body_bytes for r in big)
    assert len(big) <= -(-big_bytes // MAX_UPSERT_BYTES) + 1
    assert store.count() == 2800


def test_values_are_sent_compactly_but_precisely(pinecone_fake):
    store = connect_pinecone(pinecone_fake)
    v = vecs(1)
    store.upsert(["a#1"], v, [{}])
    stored = np.asarray(pinecone_fake.vectors("default")["a#1"][0], dtype=np.float32)
    assert np.allclose(stored, v[0], atol=1e-8)


def test_metadata_is_flattened_to_pinecone_types(pinecone_fake):
    store = connect_pinecone(pinecone_fake)
    meta = {"video_id": "v", "speakers": ["a"], "day": 20260101, "extra": {"k": [1, 2]}, "none": None}
    store.upsert(["a#1"], vecs(1), [meta])
    raw = pinecone_fake.vectors("default")["a#1"][1]
    assert raw["video_id"] == "v" and raw["speakers"] == ["a"] and raw["day"] == 20260101
    assert "extra" not in raw and raw["_ls_json.extra"] == '{"k":[1,2]}'
    assert metadata_codec.decode(raw) == meta
    # filters on the native fields still run server-side
    assert [m.id for m in store.query(vecs(1)[0], top_k=5, filter={"day": {"$gte": 20260101}})] == ["a#1"]
    with pytest.raises(VectorStoreError, match="reserved"):
        store.upsert(["a#2"], vecs(1), [{"_ls_ints": ["x"]}])


def test_throttling_and_server_errors_are_retried(pinecone_fake, no_sdk_backoff):
    sleeps = []
    store = connect_pinecone(pinecone_fake, sleep=sleeps.append, max_attempts=4)
    # WHEN the next 6 requests fail (the SDK retries 3 times itself, then our backoff takes over)
    pinecone_fake.fail_next(6, status=429, retry_after=2)
    store.upsert(["a#1"], vecs(1), [{}])
    # THEN the upsert lands once, after our layer waited at least what Retry-After asked
    assert store.count() == 1
    assert sleeps and all(s >= 2 for s in sleeps)
    pinecone_fake.fail_next(3, status=503, path="/query")
    assert store.query(vecs(1)[0], top_k=1)[0].id == "a#1"


def test_persistent_failures_surface_instead_of_empty_results(pinecone_fake, no_sdk_backoff):
    store = connect_pinecone(pinecone_fake, max_attempts=2)
    store.upsert(["a#1"], vecs(1), [{}])
    pinecone_fake.fail_next(100, status=500, path="/query")
    with pytest.raises(TransientError, match="query"):
        store.query(vecs(1)[0], top_k=1)


def test_client_errors_are_not_retried(pinecone_fake):
    store = connect_pinecone(pinecone_fake)
    pinecone_fake.fail_next(1, status=400, path="/query")
    with pytest.raises(VectorStoreError, match="query"):
        store.query(vecs(1)[0], top_k=1)
    assert pinecone_fake.count("/query") == 1


def test_wrong_api_key_is_an_error(pinecone_fake):
    pinecone_fake.create_index("lifestream-test", DIM)
    with pytest.raises(VectorStoreError):
        PineconeVectorStore.connect(
            api_key="wrong",
            index_name="lifestream-test",
            dimension=DIM,
            embedder_name="e",
            control_host=pinecone_fake.url,
        )


def test_fetch_and_delete_are_batched(pinecone_fake):
    store = connect_pinecone(pinecone_fake)
    ids = [f"a#{i:04d}" for i in range(1500)]
    store.upsert(ids, vecs(1500), [{} for _ in ids])
    assert len(store.fetch(ids[:250])) == 250
    assert pinecone_fake.count("/vectors/fetch") == 3
    store.delete(ids[:1200])
    assert pinecone_fake.count("/vectors/delete") == 2
    assert store.count() == 300


def test_overlong_chunk_text_is_shortened_to_pinecone_metadata_limit(pinecone_fake, caplog):
    store = connect_pinecone(pinecone_fake)
    text = "é" * 30_000  # 60 KB of UTF-8
    store.upsert(["long#1"], vecs(1), [{"video_id": "v", "text": text}])
    meta = store.fetch(["long#1"])["long#1"].metadata
    assert meta["text_truncated"] is True and meta["video_id"] == "v"
    assert text.startswith(meta["text"].removesuffix(" …")) and len(meta["text"].encode()) < 40 * 1024
    assert "cut from" in caplog.text
    with pytest.raises(VectorStoreError, match="40 KB"):
        store.upsert(["long#2"], vecs(1), [{"blob": ["x" * 50_000]}])
