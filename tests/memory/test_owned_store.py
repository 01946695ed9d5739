"""One user's view of every vector store: writes carry the owner, reads and deletes see only the owner's
records (FAISS: a filter; Pinecone: a namespace per owner), and pre-sign-in vectors are the local user's."""

from __future__ import annotations

import numpy as np
import pytest

from lifestream.core.errors import VectorStoreError
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.vectors.owned import for_owner, owner_namespace
from tests.memory.conftest import DIM


def _vecs(seed: int, n: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _fill(view, video: str, seed: int, n: int = 5) -> tuple[list[str], np.ndarray]:
    ids = [f"{video}#transcript#{i:04d}" for i in range(n)]
    vecs = _vecs(seed, n)
    view.upsert(ids, vecs, [{"video_id": video, "text": f"{video} {i}"} for i in range(n)])
    return ids, vecs


def test_each_owner_sees_only_their_own_vectors(store):
    alice, bob = for_owner(store, "alice"), for_owner(store, "bob")
    a_ids, a_vecs = _fill(alice, "va", 1)
    b_ids, _ = _fill(bob, "vb", 2)
    # Bob queries with Alice's exact vector: he gets his own records only.
    assert {m.id for m in bob.query(a_vecs[0], top_k=20)} == set(b_ids)
    assert alice.query(a_vecs[0], top_k=1)[0].id == a_ids[0]
    assert all(m.metadata["owner"] == "alice" for m in alice.query(a_vecs[0], top_k=20))
    assert bob.fetch(a_ids) == {}
    assert list(bob.list_ids("va#")) == []
    assert (alice.count(), bob.count()) == (5, 5)
    # Bob deleting Alice's ids, or "every video va", removes nothing of hers.
    bob.delete(a_ids)
    assert VideoIndex(bob, None, owner="bob").delete("va") == 0
    bob.delete_by_filter({"video_id": {"$eq": "va"}})
    assert alice.count() == 5 and set(alice.fetch(a_ids)) == set(a_ids)
    # Her own delete works.
    assert VideoIndex(alice, None, owner="alice").delete("va") == 5
    assert alice.count() == 0 and bob.count() == 5


def test_vectors_written_before_sign_in_belong_to_the_local_user(store):
    # GIVEN a record stored without an owner (as every vector before this release)
    store.upsert(["old#summary#0000"], _vecs(3, 1), [{"video_id": "old", "text": "old"}])
    # THEN the local user finds it and a signed-in user does not
    assert [m.id for m in for_owner(store, "local").query(_vecs(3, 1)[0], top_k=5)] == ["old#summary#0000"]
    assert for_owner(store, "alice").query(_vecs(3, 1)[0], top_k=5) == []


def test_pinecone_keeps_each_owner_in_a_namespace_of_its_own(store):
    if store.kind != "pinecone":
        pytest.skip("namespaces are Pinecone's")
    _fill(for_owner(store, "alice"), "va", 1)
    # Nothing of Alice's is in the configured (local user's) namespace, whatever the filter.
    assert store.query(_vecs(1, 1)[0], top_k=10) == []
    assert (
        for_owner(store, "alice").inner.namespace == owner_namespace("default", "alice") == "default--alice"
    )


def test_faiss_refuses_to_overwrite_another_owners_id(store):
    if store.kind == "pinecone":
        pytest.skip("ids are per namespace on Pinecone")
    ids, _ = _fill(for_owner(store, "alice"), "va", 1, n=1)
    with pytest.raises(VectorStoreError, match="another owner"):
        for_owner(store, "bob").upsert(ids, _vecs(9, 1), [{"video_id": "va", "text": "hijack"}])
    assert store.fetch(ids)[ids[0]].metadata["owner"] == "alice"


def test_owner_ids_that_could_escape_are_refused(store):
    for bad in ("", "../x", "a/b", "a\x00b", "x" * 200):
        with pytest.raises(ValueError):
            for_owner(store, bad)


@pytest.mark.parametrize("share", [0.95, 0.5, 0.02])
def test_an_owners_top_results_are_exact_whatever_their_share_of_the_index(store, share):
    # GIVEN an index where the owner holds `share` of 400 records (one user, shared, or a newcomer)
    if store.kind == "pinecone":
        pytest.skip("the namespace is the whole index")
    vecs = _vecs(5, 400)
    owners = ["alice" if i < int(share * 400) else "bob" for i in range(400)]
    for owner in ("alice", "bob"):
        rows = [i for i in range(400) if owners[i] == owner]
        for_owner(store, owner).upsert(
            [f"v{i}#transcript#{i:04d}" for i in rows], vecs[rows], [{"video_id": f"v{i}"} for i in rows]
        )
    alice = for_owner(store, "alice")
    mine = np.array([i for i in range(400) if owners[i] == "alice"])
    for q in _vecs(6, 10):
        # THEN her top 5 are her 5 nearest records (exact on flat; HNSW may miss a near-tie)
        expected = [f"v{i}#transcript#{i:04d}" for i in mine[np.argsort(-(vecs[mine] @ q))][:5]]
        got = [m.id for m in alice.query(q, top_k=5)]
        assert all(m.startswith("v") for m in got) and len(got) == 5
        assert {g.split("#")[0] for g in got} <= {f"v{i}" for i in mine}
        if store.index_type == "flat":
            assert got == expected
