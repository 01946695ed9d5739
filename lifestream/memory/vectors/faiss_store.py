"""A FAISS vector store on local disk: exact (flat) or approximate (HNSW) cosine search with metadata.

Layout of the store directory:
    CURRENT            name of the live generation, replaced atomically (os.replace)
    gen-000042/        one complete snapshot: manifest.json, vectors.npy, records.json, [index.faiss]
A save writes a new generation beside the old one and only then flips CURRENT, so a crash at any
moment leaves the previous generation loadable; stale generations and temp dirs are swept later.

Ids: every string id owns one row (int64 = row number = FAISS's sequential id). Replacing or deleting
an id retires its row (the id table and metadata forget it at once, so it never comes back from
query/fetch/count). Retired rows stay in the FAISS index but are excluded from every search by an ID
selector (a bitmap of the live rows), so no query over-fetches to skip them. They are compacted away,
and the flat/HNSW choice of auto mode is applied, by `compact()` and on load, never inside an
upsert's latency; saves write only the live rows in flat mode.

Filters are evaluated on columnar metadata (columns.py) into a row mask; then the candidates are
scored exactly, either by gathering their vectors (a selective filter) or by a FAISS flat search
restricted to them with an IDSelectorBitmap; a broad filter in HNSW mode searches the graph with the
same selector. bench/RESULTS.md has the figures.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np

from lifestream.core.errors import DimensionMismatchError, VectorStoreError
from lifestream.memory.vectors.base import Filter, Match, Metadata, Record, as_matrix, check_batch
from lifestream.memory.vectors.columns import Columns, compile_selection

Mode = Literal["auto", "flat", "hnsw"]
FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"
# Up to this share of the rows, a filter's candidates are scored by gathering their vectors (cost grows
# with the candidates only); above it a FAISS flat scan with a selector is cheaper (it grows with n, at
# ~1/250 of a gathered row's cost per row: measured at 100k, 384-d).
GATHER_SHARE = 1 / 256
# Above this share of the rows, HNSW mode searches its graph with the filter's selector (approximate, as
# unfiltered queries are); below it the graph's neighbourhoods are too sparse in candidates: exact.
HNSW_FILTER_SHARE = 0.25
# Above this share of the rows, a flat index answers a filter by its plain search with a wider k, kept
# where the filter admits (see _overfetch). A selector scan reads only the admitted vectors, so it wins
# up to ~3/4 of the rows (bench/RESULTS.md: 1M flat, half the rows admitted: 0.33x the plain search).
FLAT_OVERFETCH_SHARE = 0.8


class FaissVectorStore:
    kind = "faiss"

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
            except (OSError, _GenerationMissing):
                self._reset()
                if attempt == 4:
                    raise
                time.sleep(0.02 * (attempt + 1))

    @staticmethod
    def read_manifest(directory: Path | str) -> dict[str, Any] | None:
        """The live generation's manifest (embedder, dimension, count...), or None if there is no index."""
        pointer = Path(directory) / CURRENT_FILE
        if not pointer.exists():
            return None
        manifest = Path(directory) / pointer.read_text().strip() / "manifest.json"
        return json.loads(manifest.read_text()) if manifest.exists() else None

    @classmethod
    def open_existing(cls, directory: Path | str, **kwargs: Any) -> FaissVectorStore:
        """Open an index whatever embedder built it (e.g. as a migration source)."""
        manifest = cls.read_manifest(directory)
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
        self._index_type = "flat" if self.mode == "auto" else self.mode
        self._index = self._new_index(self._index_type)

    def _new_index(self, index_type: str):
        faiss = self._faiss
        if index_type == "hnsw":
            index = faiss.IndexHNSWFlat(self.dimension, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = self.ef_construction
            index.hnsw.efSearch = self._ef(10)
            return index
        return faiss.IndexFlatIP(self.dimension)

    def _wanted_type(self, alive: int) -> str:
        if self.mode != "auto":
            return self.mode
        if self._index_type == "hnsw":
            # Hysteresis: do not flip back and forth around the threshold.
            return "hnsw" if alive >= self.hnsw_threshold // 2 else "flat"
        return "hnsw" if alive >= self.hnsw_threshold else "flat"

    def _ef(self, k: int) -> int:
        """HNSW search breadth. bench/RESULTS.md: on clustered 384-d data efSearch 32 gives recall@10
        0.998 at 100k but 0.935 at 1M, where 64 gives 0.987 — so widen with size unless configured."""
        if self.ef_search is not None:
            return max(self.ef_search, k)
        return max(32 if len(self._rows) < 300_000 else 64, k)

    @property
    def index_type(self) -> str:
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

    def _rebuild(self, index_type: str | None = None) -> None:
        """Drop retired rows and build a fresh index of the wanted type (the columns are renumbered)."""
        order = np.flatnonzero(self._alive[: self._n])
        vecs = self._vecs[order] if order.size else np.zeros((0, self.dimension), dtype=np.float32)
        ids = [self._row_ids[r] for r in order]
        meta = [self._meta[r] for r in order]
        self._columns.remap(order, self._n)
        self._index_type = index_type or self._wanted_type(len(order))
        self._index = self._new_index(self._index_type)
        self._vecs = np.ascontiguousarray(vecs, dtype=np.float32)
        self._n = len(order)
        self._alive = np.ones(self._n, dtype=bool)
        self._row_ids = ids  # type: ignore[assignment]
        self._meta = meta  # type: ignore[assignment]
        self._rows = {id_: i for i, id_ in enumerate(ids)}  # type: ignore[misc]
        self._dead = 0
        self._selector_cache = None
        if self._n:
            self._index.add(self._vecs[: self._n])

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
            self._dirty = True
            if self.autosave and self._defer_depth == 0 and self.directory is not None:
                self.save()
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
        with self._lock():
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
        pointer = self.directory / CURRENT_FILE
        try:
            current = pointer.read_text().strip()
        except FileNotFoundError:
            return
        if current != self._generation:
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
        if select is not None:
            return self._search_selection(q, self._selected(select), top_k)
        if not self._dead:
            return self._graph_or_flat(q, top_k, None, alive)
        return self._graph_or_flat(q, top_k, self._alive_selector(), alive)

    def _graph_or_flat(self, q: np.ndarray, top_k: int, selector: Any, candidates: int) -> list[Match]:
        """Search the index itself (HNSW graph or flat), restricted to `selector` when given."""
        faiss = self._faiss
        want = min(top_k, candidates)
        if self._index_type == "hnsw":
            ef = self._ef(want)
            if selector is not None and candidates < len(self._rows):
                # A filter leaves fewer candidates per neighbourhood: widen the beam in proportion.
                ef = min(max(ef, int(ef * len(self._rows) / max(candidates, 1))), 4096)
            params = faiss.SearchParametersHNSW(efSearch=ef)
            if selector is not None:
                params.sel = selector
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        scores, rows = self._index.search(q, want, params=params)
        matches = [self._match(int(r), float(s)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]
        if len(matches) < want:
            # The approximate graph reached too few candidates: answer exactly instead.
            return self._flat_search(q, want, selector)
        return matches

    def _flat_search(self, q: np.ndarray, k: int, selector: Any) -> list[Match]:
        """Exact search over the stored vectors (the HNSW graph's flat storage, or the flat index)."""
        faiss = self._faiss
        flat = faiss.downcast_index(self._index.storage) if self._index_type == "hnsw" else self._index
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
        scores, rows = flat.search(q, k, params=params)
        return [self._match(int(r), float(s)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]

    def _selected(self, select) -> np.ndarray:
        """The live rows a compiled filter admits: sorted row numbers, or a bool mask over the rows."""
        n = self._n
        chosen = select(self._columns, self._meta, n)
        if chosen.dtype == bool:
            return chosen & self._alive[:n]
        return chosen[self._alive[chosen]]

    def _search_selection(self, q: np.ndarray, chosen: np.ndarray, top_k: int) -> list[Match]:
        """The exact top_k among the chosen rows (approximate only for a broad filter on HNSW)."""
        n = self._n
        is_mask = chosen.dtype == bool
        candidates = int(np.count_nonzero(chosen)) if is_mask else int(chosen.shape[0])
        if candidates == 0:
            return []
        if candidates <= max(256, n * GATHER_SHARE):
            return self._exact(q[0], np.flatnonzero(chosen) if is_mask else chosen, top_k)
        mask = chosen if is_mask else np.zeros(n, dtype=bool)
        if not is_mask:
            mask[chosen] = True
        want = min(top_k, candidates)
        if candidates >= FLAT_OVERFETCH_SHARE * len(self._rows):
            found = self._overfetch(q, mask, want, candidates)
            if found is not None:
                return found
        bitmap = np.packbits(mask, bitorder="little")
        selector = self._faiss.IDSelectorBitmap(n, self._faiss.swig_ptr(bitmap))
        if self._index_type == "hnsw" and candidates >= HNSW_FILTER_SHARE * len(self._rows):
            return self._graph_or_flat(q, top_k, selector, candidates)
        return self._flat_search(q, want, selector)

    def _overfetch(self, q: np.ndarray, mask: np.ndarray, want: int, candidates: int) -> list[Match] | None:
        """A broad filter on a flat index: the plain search of the top k' rows, kept where the filter
        admits them. Exact when at least `want` survive: every admitted row outside the top k' scores
        below all of them. (A selector scan checks every id one by one, slower than the plain scan.)"""
        if self._index_type != "flat":
            return None
        k_all = min(self._n, 2 * want * self._n // max(candidates, 1) + want)
        scores, rows = self._index.search(q, k_all)
        kept = [(float(s), int(r)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0 and mask[r]]
        if len(kept) < want:
            return None
        return [self._match(r, s) for s, r in kept[:want]]

    def _alive_selector(self) -> Any:
        """A selector of the live rows, kept while nothing changes (the bitmap must outlive it)."""
        key = (self._n, self._dead)
        cached = self._selector_cache
        if cached is None or cached[0] != key:
            bitmap = np.packbits(self._alive[: self._n], bitorder="little")
            selector = self._faiss.IDSelectorBitmap(self._n, self._faiss.swig_ptr(bitmap))
            cached = self._selector_cache = (key, selector, bitmap)
        return cached[1]

    def _exact(self, q: np.ndarray, rows: np.ndarray, top_k: int) -> list[Match]:
        if not len(rows):
            return []
        idx = np.asarray(rows, dtype=np.int64)
        scores = self._vecs[idx] @ q
        k = min(top_k, len(rows))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(rows) else np.arange(len(rows))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self._match(int(idx[t]), float(scores[t])) for t in top]

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

    # --- persistence -------------------------------------------------------------------------------------
    @contextmanager
    def _lock(self) -> Iterator[None]:
        assert self.directory is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _current_generation(self) -> Path | None:
        assert self.directory is not None
        pointer = self.directory / CURRENT_FILE
        if not pointer.exists():
            return None
        name = pointer.read_text().strip()
        path = self.directory / name
        if not name.startswith(GENERATION_PREFIX) or not (path / "manifest.json").exists():
            raise _GenerationMissing(
                f"FAISS index at {self.directory} is damaged: {CURRENT_FILE} points to {name!r}"
            )
        return path

    def save(self) -> Path:
        """Write a new generation and atomically make it current; returns its directory."""
        if self.directory is None:
            raise VectorStoreError("this FAISS store is in memory only (no directory)")
        with self._exclusive():
            existing = sorted(p.name for p in self.directory.glob(GENERATION_PREFIX + "*") if p.is_dir())
            number = int(existing[-1].removeprefix(GENERATION_PREFIX)) + 1 if existing else 1
            name = f"{GENERATION_PREFIX}{number:06d}"
            tmp = self.directory / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
            tmp.mkdir()
            try:
                self._write_generation(tmp)
                os.replace(tmp, self.directory / name)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            _fsync_dir(self.directory)
            pointer_tmp = self.directory / f".{CURRENT_FILE}.{uuid.uuid4().hex[:8]}"
            pointer_tmp.write_text(name + "\n")
            _fsync_file(pointer_tmp)
            os.replace(pointer_tmp, self.directory / CURRENT_FILE)
            _fsync_dir(self.directory)
            self._sweep(keep=name)
            self._generation = name
        self._dirty = False
        return self.directory / name

    def _write_generation(self, target: Path) -> None:
        vecs, ids, metas = self._vecs[: self._n], self._row_ids, self._meta
        if self._index_type == "flat" and self._dead:
            # Flat indexes are rebuilt from vectors.npy on load, so deleted vectors stay off the disk
            # without rebuilding anything in memory.
            order = np.flatnonzero(self._alive[: self._n])
            vecs = vecs[order]
            ids = [self._row_ids[r] for r in order]
            metas = [self._meta[r] for r in order]
        with open(target / "vectors.npy", "wb") as fh:
            np.save(fh, vecs)
        records = {"ids": ids, "metadata": metas}
        (target / "records.json").write_text(json.dumps(records, separators=(",", ":")))
        if self._index_type == "hnsw":
            # The graph is expensive to rebuild; flat indexes are rebuilt from vectors.npy on load.
            self._faiss.write_index(self._index, str(target / "index.faiss"))
        manifest = {
            "format": FORMAT_VERSION,
            "embedder": self.embedder_name,
            "dimension": self.dimension,
            "index_type": self._index_type,
            "rows": len(ids),
            "count": len(self._rows),
        }
        # Written last: a generation without a manifest is never loaded.
        (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
        for path in target.iterdir():
            _fsync_file(path)

    def _sweep(self, keep: str) -> None:
        assert self.directory is not None
        for path in self.directory.iterdir():
            stale_gen = path.name.startswith(GENERATION_PREFIX) and path.name != keep
            if path.is_dir() and (stale_gen or path.name.startswith(".tmp-")):
                shutil.rmtree(path, ignore_errors=True)

    def _load_if_present(self) -> None:
        assert self.directory is not None
        if not self.directory.exists():
            return
        generation = self._current_generation()
        if generation is None:
            return
        manifest = json.loads((generation / "manifest.json").read_text())
        self._generation = generation.name
        if manifest.get("dimension") != self.dimension or manifest.get("embedder") != self.embedder_name:
            raise DimensionMismatchError(
                f"FAISS index at {self.directory} was built with embedder {manifest.get('embedder')!r} "
                f"({manifest.get('dimension')}-d) but the configured embedder is {self.embedder_name!r} "
                f"({self.dimension}-d); use another LIFESTREAM_FAISS_DIR or re-index"
            )
        vecs = np.load(generation / "vectors.npy")
        records = json.loads((generation / "records.json").read_text())
        self._vecs = np.ascontiguousarray(vecs, dtype=np.float32)
        self._n = vecs.shape[0]
        self._row_ids = records["ids"]
        self._meta = records["metadata"]
        self._rows = {id_: r for r, id_ in enumerate(self._row_ids) if id_ is not None}
        self._alive = np.fromiter((id_ is not None for id_ in self._row_ids), dtype=bool, count=self._n)
        self._columns = Columns()
        self._selector_cache = None
        self._dead = self._n - len(self._rows)
        self._index_type = manifest["index_type"]
        if self._index_type == "hnsw":
            self._index = self._faiss.read_index(str(generation / "index.faiss"))
        else:
            self._index = self._new_index("flat")
            if self._n:
                self._index.add(self._vecs[: self._n])
        if self._index.ntotal != self._n:
            raise VectorStoreError(
                f"FAISS index at {generation} is inconsistent ({self._index.ntotal} != {self._n})"
            )
        if self.maintenance_due():
            self._rebuild()  # on load, the one moment besides compact() that may take a rebuild's time

    def reload(self) -> None:
        """Re-read the current generation from disk (another process may have saved)."""
        self._reset()
        self._generation = None
        self._dirty = False
        self._load_retrying()


class _GenerationMissing(VectorStoreError):
    """CURRENT names a generation that is not there (swept by a concurrent save, or damage)."""


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


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync_file(path)
