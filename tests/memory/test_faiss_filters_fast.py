"""Filtered FAISS queries on columnar metadata + ID selectors: the same records as the reference
predicate (filters.compile_filter, itself checked against the loopback Pinecone's reading), exact
top_k, and retired rows excluded without over-fetching or rebuilding inside an upsert."""

from __future__ import annotations

import numpy as np
import pytest

from lifestream.core.errors import UnsupportedFilterError
from lifestream.memory.vectors.columns import Columns, compile_mask
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.memory.vectors.filters import compile_filter
from tests.memory.conftest import DIM

FIELDS = ("genre", "year", "tags", "ok", "absent")
VALUES = ("drama", "comedy", "x", "y", 2021, 2021.0, 2019, True, False, 1, 0, "2020", 5)


def random_value(rng: np.random.Generator):
    kind = rng.integers(0, 12)
    if kind == 0:
        return None
    if kind == 1:
        return [str(v) for v in rng.choice(["x", "y", "z", "drama"], size=rng.integers(0, 3))]
    if kind == 2:
        return [1, "x"]  # a mixed list: not set, for Pinecone
    if kind == 3:
        return 2**60  # beyond float64's exact integers: not set
    if kind == 4:
        return float(rng.choice([2019.0, 2021.0, 2023.5, float("inf")]))
    if kind == 5:
        return {"nested": True}
    if kind == 6:
        return bool(rng.integers(0, 2))
    if kind == 7:
        return int(rng.choice([0, 1, 5, 2019, 2021, 2023]))
    return str(rng.choice(["drama", "comedy", "x", "y", "2020"]))


def random_record(rng: np.random.Generator) -> dict:
    return {f: random_value(rng) for f in FIELDS[:-1] if rng.random() < 0.8}


def random_filter(rng: np.random.Generator, depth: int = 0) -> dict:
    if depth < 2 and rng.random() < 0.3:
        op = "$and" if rng.random() < 0.5 else "$or"
        return {op: [random_filter(rng, depth + 1) for _ in range(rng.integers(1, 4))]}
    field = str(rng.choice(FIELDS))
    op = str(rng.choice(["$eq", "$ne", "$in", "$nin", "$exists", "$gt", "$gte", "$lt", "$lte", "implicit"]))
    if op == "$exists":
        return {field: {"$exists": bool(rng.integers(0, 2))}}
    if op in ("$in", "$nin"):
        options = [v for v in rng.choice(np.array(VALUES, dtype=object), size=rng.integers(0, 4))]
        return {field: {op: [v for v in options if not isinstance(v, bool)]}}
    if op in ("$gt", "$gte", "$lt", "$lte"):
        return {field: {op: float(rng.choice([0, 1, 2019, 2021, 2022.5]))}}
    value = VALUES[rng.integers(0, len(VALUES))]
    spec = {field: value} if op == "implicit" else {field: {op: value}}
    if rng.random() < 0.2:
        spec[str(rng.choice(FIELDS))] = {"$exists": True}  # several keys: AND
    return spec


def test_column_masks_admit_exactly_what_the_reference_predicate_admits():
    rng = np.random.default_rng(13)
    records = [random_record(rng) for _ in range(300)]
    # the same columns built at once (the first filter on a field) and maintained over appends
    grown = Columns()
    for name in FIELDS:
        grown.field(name, records, 0)
    for lo in range(0, 300, 70):
        grown.append(lo, records[lo : lo + 70])
    disagreements = []
    for _ in range(1500):
        flt = random_filter(rng)
        try:
            predicate = compile_filter(flt)
        except UnsupportedFilterError:
            with pytest.raises(UnsupportedFilterError):
                compile_mask(flt)
            continue
        expected = [i for i, meta in enumerate(records) if predicate(meta)]
        got = np.flatnonzero(compile_mask(flt)(Columns(), records, len(records))).tolist()
        kept = np.flatnonzero(compile_mask(flt)(grown, records, len(records))).tolist()
        if not (got == kept == expected):
            disagreements.append((flt, expected, got, kept))
    assert disagreements == []


def _vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("mode", ["flat", "hnsw"])
def test_filtered_queries_return_the_exact_top_k_of_the_reference_scan(mode):
    # GIVEN a store whose metadata were written in several batches, with replacements and deletions
    # (so the columns are maintained on write, not only built once)
    rng = np.random.default_rng(7)
    n = 3000
    vecs = _vectors(n, seed=1)
    metas = [random_record(rng) | {"video_id": f"v{i % 40}"} for i in range(n)]
    store = FaissVectorStore(None, dimension=DIM, embedder_name="t", mode=mode)
    ids = [f"r{i}" for i in range(n)]
    store.query(vecs[0], top_k=1, filter={"genre": "drama"})  # build columns early, then keep them
    for lo in range(0, n, 700):
        store.upsert(ids[lo : lo + 700], vecs[lo : lo + 700], metas[lo : lo + 700])
    replaced = list(range(0, n, 9))
    for i in replaced:
        metas[i] = random_record(rng) | {"video_id": "v-re"}
    store.upsert([ids[i] for i in replaced], vecs[replaced], [metas[i] for i in replaced])
    gone = set(range(5, n, 11))
    store.delete([ids[i] for i in gone])
    assert store._dead > 0
    queries = _vectors(20, seed=2)
    filters = [random_filter(rng) for _ in range(60)] + [
        {"video_id": "v3"},
        {"video_id": {"$in": ["v1", "v-re"]}},
        {"video_id": {"$ne": "v1"}},  # broad: the HNSW graph with a selector in hnsw mode
    ]
    # WHEN each filter is queried (before and after compaction renumbers the rows)
    # THEN the hits are the reference scan's top 10
    for k, flt in enumerate(filters + filters[::3]):
        if k == len(filters):
            assert store.compact(force=True) and store._dead == 0
        try:
            predicate = compile_filter(flt)
        except UnsupportedFilterError:
            continue
        q = queries[k % len(queries)]
        admitted = [i for i in range(n) if i not in gone and predicate(metas[i])]
        scores = vecs[admitted] @ q
        truth = [ids[admitted[j]] for j in np.argsort(-scores, kind="stable")[:10]]
        got = [m.id for m in store.query(q, top_k=10, filter=flt)]
        assert len(got) == len(truth), flt
        if mode == "flat" or len(admitted) < 0.25 * (n - len(gone)):
            assert got == truth, flt  # exact
        else:
            assert len(set(got) & set(truth)) >= 9, flt  # HNSW with a selector: approximate, as unfiltered
        for match in store.query(q, top_k=3, filter=flt):
            assert predicate(match.metadata)


def test_unfiltered_hnsw_query_skips_retired_rows_without_over_fetching():
    # GIVEN an HNSW store where most rows were replaced (more retired rows than live ones)
    vecs = _vectors(400, seed=3)
    ids = [f"r{i}" for i in range(400)]
    store = FaissVectorStore(None, dimension=DIM, embedder_name="t", mode="hnsw", compact_ratio=10)
    store.upsert(ids, vecs, [{"v": 1} for _ in ids])
    for version in range(2, 5):
        store.upsert(ids, vecs, [{"v": version} for _ in ids])
    assert store._dead == 1200 and store._index.ntotal == 1600  # nothing rebuilt inside the upserts
    searched: list[int] = []
    original = store._index.search

    def spy(q, k, params=None):
        searched.append(k)
        return original(q, k, params=params)

    store._index.search = spy
    # WHEN queried THEN top_k live rows come back, each once, latest version, asking FAISS for k only
    hits = store.query(vecs[17], top_k=10)
    assert len(hits) == 10 and len({m.id for m in hits}) == 10
    assert hits[0].id == "r17" and all(m.metadata == {"v": 4} for m in hits)
    assert searched == [10]


def test_delete_by_filter_uses_the_same_semantics(tmp_path):
    store = FaissVectorStore(tmp_path / "ix", dimension=DIM, embedder_name="t")
    vecs = _vectors(6, seed=4)
    metas = [{"tags": ["x"]}, {"tags": ["y"]}, {"tags": []}, {}, {"tags": [1, "x"]}, {"tags": "x"}]
    store.upsert([f"r{i}" for i in range(6)], vecs, metas)
    store.delete_by_filter({"tags": {"$ne": "x"}})  # set and no element equals: r1, r2 only
    assert sorted(store.list_ids()) == ["r0", "r3", "r4", "r5"]
    reopened = FaissVectorStore(tmp_path / "ix", dimension=DIM, embedder_name="t")
    assert sorted(m.id for m in reopened.query(vecs[0], top_k=10, filter={"tags": "x"})) == ["r0", "r5"]
