"""FAISS specifics: persistence, crash safety, embedder checks, modes, compaction."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lifestream.core.errors import DimensionMismatchError, VectorStoreError
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from tests.memory.conftest import DIM


def make(path, **kwargs):
    kwargs.setdefault("dimension", DIM)
    kwargs.setdefault("embedder_name", "test-words")
    return FaissVectorStore(path, **kwargs)


def vectors(n, seed=0):
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_saved_index_reloads_with_ids_vectors_and_metadata(tmp_path):
    # GIVEN a store with data, saved automatically after each change
    store = make(tmp_path / "ix")
    vecs = vectors(30)
    store.upsert([f"a#{i}" for i in range(30)], vecs, [{"i": i} for i in range(30)])
    store.delete(["a#3"])

    # WHEN another process opens the same directory
    again = make(tmp_path / "ix")

    # THEN it sees exactly the same state
    assert again.count() == 29
    assert again.fetch(["a#3"]) == {}
    top = again.query(vecs[7], top_k=1)[0]
    assert top.id == "a#7" and top.metadata == {"i": 7}
    # and deleted vectors are physically gone from the file, not just hidden
    gen = tmp_path / "ix" / (tmp_path / "ix" / "CURRENT").read_text().strip()
    assert np.load(gen / "vectors.npy").shape == (29, DIM)


def test_crash_during_save_keeps_the_previous_index_loadable(tmp_path, monkeypatch):
    store = make(tmp_path / "ix")
    store.upsert(["a#1"], vectors(1), [{"v": 1}])

    # WHEN writing the next generation dies half-way (after vectors, before the manifest)
    def dying(self, target):
        np.save(target / "vectors.npy", np.zeros((5, DIM), np.float32))
        raise OSError("disk full")

    monkeypatch.setattr(FaissVectorStore, "_write_generation", dying)
    with pytest.raises(OSError):
        store.upsert(["a#2"], vectors(1, seed=1), [{"v": 2}])
    monkeypatch.undo()

    # THEN the directory still loads the last complete state
    reloaded = make(tmp_path / "ix")
    assert sorted(reloaded.list_ids()) == ["a#1"]
    assert not [p for p in (tmp_path / "ix").iterdir() if p.name.startswith(".tmp-")]


def test_crash_before_the_pointer_flip_keeps_the_previous_index(tmp_path, monkeypatch):
    store = make(tmp_path / "ix")
    store.upsert(["a#1"], vectors(1), [{"v": 1}])
    import lifestream.memory.vectors.faiss_generations as module

    real_replace = module.os.replace

    def replace(src, dst):
        if str(dst).endswith("CURRENT"):
            raise KeyboardInterrupt("power cut")
        return real_replace(src, dst)

    monkeypatch.setattr(module.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        store.upsert(["a#2"], vectors(1, seed=1), [{"v": 2}])
    monkeypatch.undo()
    assert sorted(make(tmp_path / "ix").list_ids()) == ["a#1"]
    # and the next successful save sweeps the orphaned generation
    store.save()
    assert len([p for p in (tmp_path / "ix").iterdir() if p.name.startswith("gen-")]) == 1


def test_opening_with_another_embedder_or_dimension_is_refused(tmp_path):
    make(tmp_path / "ix").upsert(["a#1"], vectors(1), [{}])
    with pytest.raises(DimensionMismatchError, match="test-words"):
        make(tmp_path / "ix", embedder_name="other-model")
    with pytest.raises(DimensionMismatchError, match="16-d"):
        make(tmp_path / "ix", dimension=DIM * 2)


def test_damaged_pointer_is_a_clear_error(tmp_path):
    make(tmp_path / "ix").upsert(["a#1"], vectors(1), [{}])
    (tmp_path / "ix" / "CURRENT").write_text("gen-999999\n")
    with pytest.raises(VectorStoreError, match="damaged"):
        make(tmp_path / "ix")


def test_auto_mode_switches_to_hnsw_by_size_and_keeps_answers(tmp_path):
    store = make(tmp_path / "ix", mode="auto", hnsw_threshold=500)
    vecs = vectors(800, seed=5)
    store.upsert([f"a#{i}" for i in range(400)], vecs[:400], [{"i": i} for i in range(400)])
    assert store.index_type == "flat"
    store.upsert([f"a#{i}" for i in range(400, 800)], vecs[400:], [{"i": i} for i in range(400, 800)])
    assert store.index_type == "flat"  # the switch is a rebuild: never inside an upsert
    assert store.maintenance_due()
    assert store.compact() is True
    assert store.index_type == "hnsw"
    reloaded = make(tmp_path / "ix", mode="auto", hnsw_threshold=500)
    assert reloaded.index_type == "hnsw"
    manifest = json.loads(next((tmp_path / "ix").glob("gen-*/manifest.json")).read_text())
    assert manifest["index_type"] == "hnsw" and manifest["count"] == 800
    hits = sum(reloaded.query(vecs[i], top_k=1)[0].id == f"a#{i}" for i in range(0, 800, 40))
    assert hits == 20


def test_hnsw_replacements_are_compacted_explicitly_or_on_load_never_in_upsert(tmp_path):
    store = make(tmp_path / "ix", mode="hnsw", compact_ratio=0.2)
    vecs = vectors(100)
    ids = [f"a#{i}" for i in range(100)]
    store.upsert(ids, vecs, [{} for _ in ids])
    store.upsert(ids[:10], vecs[:10], [{"v": 2} for _ in range(10)])
    assert store._dead == 10  # below the threshold: retired rows are hidden, not yet rebuilt
    assert [m.id for m in store.query(vecs[0], top_k=100)].count("a#0") == 1
    store.upsert(ids[10:40], vecs[10:40], [{"v": 2} for _ in range(30)])
    assert store._dead == 40  # past the threshold, but an upsert never pays for a rebuild
    assert [m.id for m in store.query(vecs[0], top_k=100)].count("a#0") == 1
    assert make(tmp_path / "ix", mode="hnsw", compact_ratio=0.2)._dead == 0  # compacted on load
    assert store.compact() is True
    assert store._dead == 0 and store._index.ntotal == 100


def test_in_memory_store_needs_no_directory():
    store = FaissVectorStore(None, dimension=DIM, embedder_name="x")
    store.upsert(["a#1"], vectors(1), [{}])
    assert store.count() == 1
    with pytest.raises(VectorStoreError):
        store.save()


def test_deferred_save_writes_once(tmp_path, monkeypatch):
    store = make(tmp_path / "ix")
    saves = []
    real = FaissVectorStore.save
    monkeypatch.setattr(FaissVectorStore, "save", lambda self: saves.append(1) or real(self))
    with store.deferred_save():
        for i in range(5):
            store.upsert([f"a#{i}"], vectors(1, seed=i), [{}])
    assert len(saves) == 1
    assert make(tmp_path / "ix").count() == 5


def test_two_writers_on_one_directory_do_not_lose_updates(tmp_path):
    # GIVEN two handles on the same index, as a worker process and a CLI process would hold
    a = make(tmp_path / "ix")
    b = make(tmp_path / "ix")
    vecs = vectors(3)

    # WHEN each writes after the other has loaded
    a.upsert(["a#1"], vecs[:1], [{"by": "a"}])
    b.upsert(["b#1"], vecs[1:2], [{"by": "b"}])
    a.upsert(["a#2"], vecs[2:3], [{"by": "a"}])

    # THEN nothing is lost, and each handle sees the other's writes
    assert sorted(make(tmp_path / "ix").list_ids()) == ["a#1", "a#2", "b#1"]
    assert b.query(vecs[2], top_k=1)[0].id == "a#2"
    assert a.count() == 3


def test_concurrent_processes_indexing_keep_every_vector(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from lifestream.memory.vectors.faiss_store import FaissVectorStore;"
        "s = FaissVectorStore(sys.argv[1], dimension=16, embedder_name='test-words');"
        "tag = sys.argv[2]; rng = np.random.default_rng(int(sys.argv[3]));"
        "[s.upsert([f'{tag}#{i}'], rng.standard_normal((1, 16)), [{}]) for i in range(25)]"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "ix"), tag, str(n)])
        for n, tag in enumerate(["p", "q", "r"])
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    assert make(tmp_path / "ix").count() == 75


def test_readers_opening_during_saves_never_fail(tmp_path):
    import threading

    writer = make(tmp_path / "ix")
    writer.upsert(["a#0"], vectors(1), [{}])
    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_writing():
        for i in range(1, 150):
            writer.upsert([f"a#{i}"], vectors(1, seed=i), [{}])
        stop.set()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    opened = 0
    while not stop.is_set():
        try:
            assert make(tmp_path / "ix").count() >= 1
            opened += 1
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
    thread.join()
    assert errors == [] and opened > 0
