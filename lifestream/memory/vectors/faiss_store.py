"""A FAISS vector store on local disk: exact (flat) or approximate (HNSW) cosine search with metadata.

Design note: every string id owns one row (int64 = row number = FAISS's sequential id). Replacing or
deleting an id retires its row: the id table and metadata forget it at once, and an ID selector of the live
rows keeps it out of every search, so no query over-fetches to skip it. Retired rows are compacted away,
and auto mode's flat/HNSW choice applied, by `compact()` and on load, never inside an upsert's latency.
How a query is searched: faiss_search.py; how the store is saved: faiss_generations.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np

from lifestream.core.errors import VectorStoreError
from lifestream.memory.vectors import faiss_generations as generations
from lifestream.memory.vectors.base import Filter, Match, Metadata, Record, StoreKind, as_matrix, check_batch
from lifestream.memory.vectors.columns import Columns, compile_selection
from lifestream.memory.vectors.faiss_search import FaissSearch, IndexType, bitmap_selector, search_breadth

Mode = Literal["auto", "flat", "hnsw"]


class FaissVectorStore:
    kind: StoreKind = "faiss"

    def __init__(
        self,
        directory: Path | str | None,
        *,
        dimension: int,
        embedder_name: str,
        mode: Mode = "auto",
        hnsw_threshold: int = 50_000,
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int | None = None,
        autosave: bool = True,
        compact_ratio: float = 0.2,
    ) -> None:
        import faiss  # local-only dependency: the cloud worker never imports it

        self._faiss = faiss
        self.directory = Path(directory) if directory is not None else None
        self.dimension = int(dimension)
        self.embedder_name = embedder_name
        self.mode: Mode = mode
        self.hnsw_threshold = hnsw_threshold
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.autosave = autosave
        self.compact_ratio = compact_ratio
        self._defer_depth = 0
        self._lock_depth = 0
        self._generation: str | None = None
        self._dirty = False
        self._reset()
        if self.directory is not None:
            self._load_retrying()

    def _load_retrying(self) -> None:
        # Opening without the lock (readers never take it): a concurrent save may sweep the generation
        # we are reading; the pointer then names a newer one, so read it again.
        for attempt in range(5):
            try:
                self._load_if_present()
                return
            except (OSError, generations.GenerationMissing):
                self._reset()
                if attempt == 4:
                    raise
                time.sleep(0.02 * (attempt + 1))

    @classmethod
    def open_existing(cls, directory: Path | str, **kwargs: Any) -> FaissVectorStore:
        """Open an index whatever embedder built it (e.g. as a migration source)."""
        manifest = generations.read_manifest(directory)
        if manifest is None:
            raise VectorStoreError(f"no FAISS index at {directory}")
        return cls(directory, dimension=manifest["dimension"], embedder_name=manifest["embedder"], **kwargs)

    # --- state -------------------------------------------------------------------------------------------
    def _reset(self) -> None:
        self._vecs = np.zeros((0, self.dimension), dtype=np.float32)
        self._n = 0
        self._row_ids: list[str | None] = []
        self._meta: list[Metadata | None] = []
        self._rows: dict[str, int] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._columns = Columns()
        self._selector_cache: tuple[int, Any, np.ndarray] | None = None
        self._dead = 0
        # An explicit mode holds from the first vector (auto starts flat and switches in compact/load).
        self._index_type: IndexType = "flat" if self.mode == "auto" else self.mode
        self._index = self._new_index(self._index_type)

    def _new_index(self, index_type: IndexType):
        faiss = self._faiss
        if index_type == "hnsw":
            index = faiss.IndexHNSWFlat(self.dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = self.ef_construction
            index.hnsw.efSearch = search_breadth(10, len(self._rows), self.ef_search)
            return index
        return faiss.IndexFlatIP(self.dimension)

    def _wanted_type(self, alive: int) -> IndexType:
        if self.mode != "auto":
            return self.mode
        if self._index_type == "hnsw":
            # Hysteresis: do not flip back and forth around the threshold.
            return "hnsw" if alive >= self.hnsw_threshold // 2 else "flat"
        return "hnsw" if alive >= self.hnsw_threshold else "flat"

    @property
    def index_type(self) -> IndexType:
        return self._index_type

    def _append_rows(self, matrix: np.ndarray) -> int:
        start = self._n
        need = start + matrix.shape[0]
        if need > self._vecs.shape[0]:
            grown = np.zeros((max(need, 2 * self._vecs.shape[0], 1024), self.dimension), dtype=np.float32)
            grown[:start] = self._vecs[:start]
            self._vecs = grown
        self._vecs[start:need] = matrix
        if need > self._alive.shape[0]:
            grown_alive = np.zeros(self._vecs.shape[0], dtype=bool)
            grown_alive[: self._alive.shape[0]] = self._alive
            self._alive = grown_alive
        self._alive[start:need] = True
        self._n = need
        self._index.add(matrix)
        return start

    def _retire(self, row: int) -> None:
        id_ = self._row_ids[row]
        if id_ is not None:
            del self._rows[id_]
            self._row_ids[row] = None
            self._meta[row] = None
            self._alive[row] = False
            self._dead += 1

    def _rebuild(self, index_type: IndexType | None = None) -> None:
        """Drop retired rows and build a fresh index of the wanted type (the columns are renumbered)."""
        order = np.flatnonzero(self._alive[: self._n])
        vecs = self._vecs[order] if order.size else np.zeros((0, self.dimension), dtype=np.float32)
        ids = [self._row_ids[r] for r in order]
        meta = [self._meta[r] for r in order]
        self._columns.remap(order, self._n)
        self._index_type = index_type or self._wanted_type(len(order))
        self._index = self._new_index(self._index_type)
        self._take_rows(vecs, ids, meta)
        if self._n:
            self._index.add(self._vecs[: self._n])

    def _take_rows(self, vecs: np.ndarray, ids: list[str | None], meta: list[Metadata | None]) -> None:
        """Make these the stored rows (a retired row's id is None); filling the index is the caller's."""
        self._vecs = np.ascontiguousarray(vecs, dtype=np.float32)
        self._n = vecs.shape[0]
        self._row_ids = ids
        self._meta = meta
        self._rows = {id_: r for r, id_ in enumerate(ids) if id_ is not None}
        self._alive = np.fromiter((id_ is not None for id_ in ids), dtype=bool, count=self._n)
        self._dead = self._n - len(self._rows)
        self._selector_cache = None

    def maintenance_due(self) -> bool:
        """Whether `compact()` would change anything: retired rows piling up, or auto mode wanting the
        other index type."""
        alive = len(self._rows)
        wanted = self._wanted_type(alive)
        return wanted != self._index_type or bool(
            self._dead and self._dead > self.compact_ratio * max(self._n, 1)
        )

    def compact(self, *, force: bool = False) -> bool:
        """Drop retired rows and apply auto mode's index choice, then save. Explicit (or on load) so
        that no upsert pays for a rebuild; returns whether it rebuilt."""
        with self._exclusive():
            if not (force and self._dead) and not self.maintenance_due():
                return False
            self._rebuild(self._wanted_type(len(self._rows)))
            self._changed()
        return True

    def _changed(self) -> None:
        self._dirty = True
        if self.autosave and self._defer_depth == 0 and self.directory is not None:
            self.save()

    @contextmanager
    def deferred_save(self) -> Iterator[FaissVectorStore]:
        """Group several mutations into one save (index building, migration), holding the directory
        lock throughout so another process cannot interleave its own read-modify-write."""
        with self._exclusive():
            self._defer_depth += 1
            try:
                yield self
            finally:
                self._defer_depth -= 1
            if self._defer_depth == 0 and self._dirty and self.autosave and self.directory is not None:
                self.save()

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Re-entrant inter-process lock on the directory; on entry, pick up another process's save."""
        if self.directory is None or self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with generations.locked(self.directory):
            self._lock_depth = 1
            try:
                self._refresh_if_stale()
                yield
            finally:
                self._lock_depth = 0

    def _refresh_if_stale(self) -> None:
        """Reload when another process has saved a newer generation (and we hold nothing unsaved)."""
        if self.directory is None or self._dirty:
            return
        current = generations.current_name(self.directory)
        if current is not None and current != self._generation:
            self.reload()

    def _maybe_refresh(self) -> None:
        if self._defer_depth == 0 and self._lock_depth == 0:
            self._refresh_if_stale()

    # --- VectorStore -------------------------------------------------------------------------------------
    def upsert(self, ids: Sequence[str], vectors, metadatas: Sequence[Metadata]) -> int:
        ids = list(ids)
        matrix = as_matrix(vectors, self.dimension) if len(ids) else np.zeros((0, self.dimension), np.float32)
        check_batch(ids, matrix, metadatas)
        if not ids:
            return 0
        metas = [_checked_metadata(m) for m in metadatas]
        with self._exclusive():
            for id_ in ids:
                row = self._rows.get(id_)
                if row is not None:
                    self._retire(row)
            start = self._append_rows(matrix)
            for offset, (id_, meta) in enumerate(zip(ids, metas, strict=True)):
                self._row_ids.append(id_)
                self._meta.append(meta)
                self._rows[id_] = start + offset
            self._columns.append(start, metas)
            self._changed()
        return len(ids)

    def query(self, vector, top_k: int = 5, filter: Filter | None = None) -> list[Match]:
        if top_k < 1:
            raise VectorStoreError(f"top_k must be at least 1, got {top_k}")
        q = as_matrix(vector, self.dimension)
        if q.shape[0] != 1:
            raise VectorStoreError("query takes one vector")
        select = compile_selection(filter) if filter else None  # validates even when the store is empty
        self._maybe_refresh()
        alive = len(self._rows)
        if alive == 0:
            return []
        search = FaissSearch(
            self._faiss,
            self._index,
            self._index_type,
            self._vecs,
            self._n,
            alive,
            self.ef_search,
            self._match,
        )
        if select is not None:
            return search.selection(q, self._selected(select), top_k)
        if not self._dead:
            return search.graph_or_flat(q, top_k, None, alive)
        return search.graph_or_flat(q, top_k, self._alive_selector(), alive)

    def _selected(self, select) -> np.ndarray:
        """The live rows a compiled filter admits: sorted row numbers, or a bool mask over the rows."""
        n = self._n
        chosen = select(self._columns, self._meta, n)
        if chosen.dtype == bool:
            return chosen & self._alive[:n]
        return chosen[self._alive[chosen]]

    def _alive_selector(self) -> Any:
        """A selector of the live rows, kept while nothing changes (the bitmap must outlive it)."""
        key = (self._n, self._dead)
        cached = self._selector_cache
        if cached is None or cached[0] != key:
            selector, bitmap = bitmap_selector(self._faiss, self._alive[: self._n])
            cached = self._selector_cache = (key, selector, bitmap)
        return cached[1]

    def _match(self, row: int, score: float) -> Match:
        return Match(
            id=self._row_ids[row],  # type: ignore[arg-type]
            score=max(-1.0, min(1.0, score)),
            metadata=_copy(self._meta[row]),
        )

    def delete(self, ids: Sequence[str]) -> None:
        with self._exclusive():
            removed = 0
            for id_ in ids:
                row = self._rows.get(id_)
                if row is not None:
                    self._retire(row)
                    removed += 1
            if removed:
                self._changed()

    def delete_by_filter(self, filter: Filter) -> None:
        if not filter:
            raise VectorStoreError("delete_by_filter needs a non-empty filter")
        select = compile_selection(filter)
        with self._exclusive():
            chosen = self._selected(select)
            rows = np.flatnonzero(chosen) if chosen.dtype == bool else chosen
            for row in rows:
                self._retire(int(row))
            if len(rows):
                self._changed()

    def fetch(self, ids: Sequence[str]) -> dict[str, Record]:
        self._maybe_refresh()
        out: dict[str, Record] = {}
        for id_ in ids:
            row = self._rows.get(id_)
            if row is not None:
                out[id_] = Record(id=id_, vector=self._vecs[row].copy(), metadata=_copy(self._meta[row]))
        return out

    def count(self) -> int:
        self._maybe_refresh()
        return len(self._rows)

    def metadata(self, ids: Sequence[str]) -> dict[str, Metadata]:
        """The stored metadata of `ids` (those present), without copying their vectors."""
        self._maybe_refresh()
        return {i: _copy(self._meta[self._rows[i]]) for i in ids if i in self._rows}

    def list_ids(self, prefix: str = "") -> Iterator[str]:
        self._maybe_refresh()
        return iter([id_ for id_ in self._row_ids if id_ is not None and id_.startswith(prefix)])

    def iter_records(self, batch_size: int = 200) -> Iterator[list[Record]]:
        ids = [id_ for id_ in self._row_ids if id_ is not None]
        for start in range(0, len(ids), batch_size):
            fetched = self.fetch(ids[start : start + batch_size])
            yield [fetched[i] for i in ids[start : start + batch_size] if i in fetched]

    # --- persistence: faiss_generations.py -------------------------------------------------------------
    def save(self) -> Path:
        """Write a new generation and atomically make it current; returns its directory."""
        if self.directory is None:
            raise VectorStoreError("this FAISS store is in memory only (no directory)")
        with self._exclusive():
            self._generation = generations.publish(self.directory, self._write_generation)
        self._dirty = False
        return self.directory / self._generation

    def _write_generation(self, target: Path) -> None:
        vecs, ids, metas = self._vecs[: self._n], self._row_ids, self._meta
        if self._index_type == "flat" and self._dead:
            # Flat indexes are rebuilt from vectors.npy on load, so deleted vectors stay off the disk
            # without rebuilding anything in memory.
            order = np.flatnonzero(self._alive[: self._n])
            vecs = vecs[order]
            ids = [self._row_ids[r] for r in order]
            metas = [self._meta[r] for r in order]
        if self._index_type == "hnsw":
            # The graph is expensive to rebuild; flat indexes are rebuilt from vectors.npy on load.
            self._faiss.write_index(self._index, str(target / "index.faiss"))
        manifest = {
            "embedder": self.embedder_name,
            "dimension": self.dimension,
            "index_type": self._index_type,
            "rows": len(ids),
            "count": len(self._rows),
        }
        generations.write_generation(target, vecs, {"ids": ids, "metadata": metas}, manifest)

    def _load_if_present(self) -> None:
        assert self.directory is not None
        if not self.directory.exists():
            return
        generation = generations.current_generation(self.directory)
        if generation is None:
            return
        manifest = generation.manifest()
        self._generation = generation.name
        generations.check_built_by(manifest, self.directory, self.dimension, self.embedder_name)
        records = generation.records()
        self._take_rows(generation.vectors(), records["ids"], records["metadata"])
        self._columns = Columns()
        self._index_type = manifest["index_type"]
        if self._index_type == "hnsw":
            self._index = self._faiss.read_index(generation.index_file)
        else:
            self._index = self._new_index("flat")
            if self._n:
                self._index.add(self._vecs[: self._n])
        if self._index.ntotal != self._n:
            raise VectorStoreError(
                f"FAISS index at {generation.path} is inconsistent ({self._index.ntotal} != {self._n})"
            )
        if self.maintenance_due():
            self._rebuild()  # on load, the one moment besides compact() that may take a rebuild's time

    def reload(self) -> None:
        """Re-read the current generation from disk (another process may have saved)."""
        self._reset()
        self._generation = None
        self._dirty = False
        self._load_retrying()


def _checked_metadata(meta: Metadata) -> Metadata:
    try:
        return json.loads(json.dumps(meta))
    except (TypeError, ValueError) as exc:
        raise VectorStoreError(f"metadata must be JSON-serialisable: {exc}") from None


def _clone(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def _copy(meta: Metadata | None) -> dict[str, Any]:
    """A private copy for the caller: results never alias the store's own metadata."""
    return _clone(meta) if meta else {}
