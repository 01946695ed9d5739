"""The loopback Pinecone rejects what the service rejects, so tests passing against it mean something."""

from __future__ import annotations

import httpx
import pytest
from pinecone import Pinecone
from pinecone.errors.exceptions import ApiError

from tests.support.pinecone_fake import DEFAULT_API_KEY


@pytest.fixture
def index(pinecone_fake, no_sdk_backoff):
    pinecone_fake.create_index("ix", 4)
    return Pinecone(api_key=DEFAULT_API_KEY).Index(host=pinecone_fake.url)


@pytest.mark.parametrize(
    ("vectors", "message"),
    [
        ([{"id": f"v{i}", "values": [0.1] * 4} for i in range(1001)], "limit of 1000"),
        ([{"id": "v", "values": [0.1] * 5}], "dimension 5"),
        ([{"id": "v", "values": [0.1] * 4, "metadata": {"t": "x" * 41_000}}], "40960"),
        ([{"id": "x" * 513, "values": [0.1] * 4}], "1 to 512"),
    ],
)
def test_invalid_upserts_are_rejected(index, vectors, message):
    with pytest.raises(ApiError, match=message):
        index.upsert(vectors=vectors)


HEADERS = {"Api-Key": DEFAULT_API_KEY, "X-Pinecone-Api-Version": "2026-07"}


@pytest.mark.parametrize("metadata", [{"nested": {"a": 1}}, {"nums": [1, 2]}, {"none": None}])
def test_metadata_pinecone_cannot_hold_is_rejected(index, pinecone_fake, metadata):
    # The SDK checks these itself, so they are sent raw, as another client might.
    body = {"vectors": [{"id": "v", "values": [0.1] * 4, "metadata": metadata}]}
    response = httpx.post(f"{pinecone_fake.url}/vectors/upsert", json=body, headers=HEADERS)
    assert response.status_code == 400 and "must be a string, number" in response.text


def test_oversized_request_is_413(index):
    vectors = [{"id": f"v{i}", "values": [0.1] * 4, "metadata": {"t": "x" * 30_000}} for i in range(80)]
    with pytest.raises(ApiError) as info:
        index.upsert(vectors=vectors)
    assert info.value.status_code == 413


def test_query_limits_and_filters_are_checked(index, pinecone_fake):
    index.upsert(vectors=[{"id": "a", "values": [1, 0, 0, 0], "metadata": {"day": 20260101}}])
    too_many = httpx.post(
        f"{pinecone_fake.url}/query", json={"topK": 10_001, "vector": [1, 0, 0, 0]}, headers=HEADERS
    )
    assert too_many.status_code == 400 and "topK" in too_many.text
    with pytest.raises(ApiError, match="numbers only"):
        index.query(vector=[1, 0, 0, 0], top_k=1, filter={"day": {"$gt": "2026-01-01"}})
    result = index.query(
        vector=[1, 0, 0, 0], top_k=1, filter={"day": {"$gte": 20260101}}, include_metadata=True
    )
    assert result.matches[0].id == "a" and result.matches[0].metadata == {"day": 20260101}


def test_requests_need_the_api_key_and_version_header(pinecone_fake, index):
    with pytest.raises(ApiError) as info:
        Pinecone(api_key="wrong").Index(host=pinecone_fake.url).describe_index_stats()
    assert info.value.status_code == 401
    response = httpx.post(
        f"{pinecone_fake.url}/describe_index_stats", json={}, headers={"Api-Key": DEFAULT_API_KEY}
    )
    assert response.status_code == 400 and "X-Pinecone-Api-Version" in response.text


def test_list_pages_hold_at_most_100_ids(index, pinecone_fake):
    index.upsert(vectors=[{"id": f"p#{i:03d}", "values": [0.1] * 4} for i in range(250)])
    pages = [[v.id for v in page.vectors] for page in index.list(prefix="p#")]
    assert [len(p) for p in pages] == [100, 100, 50]
    assert sum(pages, []) == [f"p#{i:03d}" for i in range(250)]


@pytest.mark.parametrize(
    "flt",
    [
        {"day": {"$regex": "2026"}},  # unknown operator
        {"$not": {"day": 1}},  # not in Pinecone's vector filter language
        {"$gt": 1},  # a comparison needs a field
        {"day": {"$in": 20260101}},  # $in takes an array
        {"day": {"$in": [True]}},  # of strings and numbers
        {"day": {"$eq": [1, 2]}},  # $eq takes a scalar
        {"day": [1, 2]},  # so does implicit equality
        {"day": None},
        {"day": {"$exists": "yes"}},
        {"day": {"$gte": "2026-01-01"}},
        {"day": {"nested": {"$eq": 1}}},  # an object that is not an operator object
        {"day": {}},
        {"$and": {"day": 1}},
        {"$or": []},
        {"$and": [{"day": 1}, "x"]},
        [],
    ],
)
@pytest.mark.parametrize("route", ["/query", "/vectors/delete"])
def test_filters_the_service_rejects_get_a_pinecone_shaped_400(index, pinecone_fake, flt, route):
    # Sent raw: the store validates filters itself, so only another client would send these.
    index.upsert(vectors=[{"id": "a", "values": [1, 0, 0, 0], "metadata": {"day": 20260101}}])
    body = {"filter": flt, "namespace": ""}
    if route == "/query":
        body |= {"topK": 1, "vector": [1, 0, 0, 0]}
    response = httpx.post(f"{pinecone_fake.url}{route}", json=body, headers=HEADERS)
    assert response.status_code == 400
    payload = response.json()
    assert payload["status"] == 400 and payload["error"]["code"] == "INVALID_ARGUMENT"
    assert payload["error"]["message"]
    assert set(pinecone_fake.vectors()) == {"a"}  # a rejected delete deletes nothing


def test_ne_and_nin_skip_records_without_the_field(index):
    index.upsert(
        vectors=[
            {"id": "set", "values": [1, 0, 0, 0], "metadata": {"kind": "talk"}},
            {"id": "unset", "values": [0, 1, 0, 0], "metadata": {"other": 1}},
        ]
    )
    for flt in ({"kind": {"$ne": "meeting"}}, {"kind": {"$nin": ["meeting"]}}):
        result = index.query(vector=[1, 1, 0, 0], top_k=5, filter=flt)
        assert [m.id for m in result.matches] == ["set"]
    result = index.query(vector=[1, 1, 0, 0], top_k=5, filter={"kind": {"$exists": False}})
    assert [m.id for m in result.matches] == ["unset"]


def test_the_fake_evaluates_filters_without_lifestreams_filter_module():
    # An independent implementation is the point: the contract suite compares FAISS with it.
    import ast
    from pathlib import Path

    support = Path(__file__).parents[1] / "support"
    for name in ("pinecone_fake.py", "pinecone_filter.py"):
        tree = ast.parse((support / name).read_text())
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        }
        assert not any(m and m.startswith("lifestream.memory.vectors") for m in imported), name
