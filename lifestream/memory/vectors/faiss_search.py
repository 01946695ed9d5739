"""How the FAISS store answers one query: which search a filter gets, by the share of rows it admits.

Design note: a filter is first evaluated on the columnar metadata into the admitted rows; then they are
scored exactly, by gathering their vectors (a selective filter), by the plain search kept where the filter
admits (a broad filter on a flat index), or by a FAISS search restricted to them with an IDSelectorBitmap
(the graph's, approximate, for a broad filter in HNSW mode). bench/RESULTS.md has the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from lifestream.memory.vectors.base import Match

IndexType = Literal["flat", "hnsw"]
# Up to this share of the rows, a filter's candidates are scored by gathering their vectors (cost grows
# with the candidates only); above it a FAISS flat scan with a selector is cheaper (it grows with n, at
# ~1/250 of a gathered row's cost per row: measured at 100k, 384-d).
GATHER_SHARE = 1 / 256
# Above this share of the rows, HNSW mode searches its graph with the filter's selector (approximate, as
# unfiltered queries are); below it the graph's neighbourhoods are too sparse in candidates: exact.
HNSW_FILTER_SHARE = 0.25
# Above this share of the rows, a flat index answers a filter by its plain search with a wider k, kept
# where the filter admits (see FaissSearch.overfetch). A selector scan reads only the admitted vectors,
# so it wins up to ~3/4 of the rows (bench/RESULTS.md: 1M flat, half the rows admitted: 0.33x the plain
# search).
FLAT_OVERFETCH_SHARE = 0.8


def search_breadth(k: int, alive: int, configured: int | None) -> int:
    """HNSW search breadth. bench/RESULTS.md: on clustered 384-d data efSearch 32 gives recall@10
    0.998 at 100k but 0.935 at 1M, where 64 gives 0.987 — so widen with size unless configured."""
    if configured is not None:
        return max(configured, k)
    return max(32 if alive < 300_000 else 64, k)


def bitmap_selector(faiss: Any, mask: np.ndarray) -> tuple[Any, np.ndarray]:
    """A selector of the rows `mask` admits, and the bitmap it reads: keep that referenced while the
    selector is in use (FAISS holds only a pointer to it)."""
    bitmap = np.packbits(mask, bitorder="little")
    return faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap)), bitmap


@dataclass(frozen=True, slots=True)
class FaissSearch:
    """The store's index and vectors as one query sees them. Rows are FAISS ids (retired ones included
    in `rows`); `alive` counts the live ones; `match` turns a row and its score into a result."""

    faiss: Any
    index: Any
    index_type: IndexType
    vectors: np.ndarray
    rows: int
    alive: int
    ef_search: int | None
    match: Callable[[int, float], Match]

    def selection(self, q: np.ndarray, chosen: np.ndarray, top_k: int) -> list[Match]:
        """The exact top_k among the chosen rows (approximate only for a broad filter on HNSW)."""
        n = self.rows
        is_mask = chosen.dtype == bool
        candidates = int(np.count_nonzero(chosen)) if is_mask else int(chosen.shape[0])
        if candidates == 0:
            return []
        if candidates <= max(256, n * GATHER_SHARE):
            return self.exact(q[0], np.flatnonzero(chosen) if is_mask else chosen, top_k)
        mask = chosen if is_mask else np.zeros(n, dtype=bool)
        if not is_mask:
            mask[chosen] = True
        want = min(top_k, candidates)
        if candidates >= FLAT_OVERFETCH_SHARE * self.alive:
            found = self.overfetch(q, mask, want, candidates)
            if found is not None:
                return found
        # The selector reads _bitmap's memory: the name keeps it alive until we return.
        selector, _bitmap = bitmap_selector(self.faiss, mask)
        if self.index_type == "hnsw" and candidates >= HNSW_FILTER_SHARE * self.alive:
            return self.graph_or_flat(q, top_k, selector, candidates)
        return self.flat(q, want, selector)

    def overfetch(self, q: np.ndarray, mask: np.ndarray, want: int, candidates: int) -> list[Match] | None:
        """A broad filter on a flat index: the plain search of the top k' rows, kept where the filter
        admits them. Exact when at least `want` survive: every admitted row outside the top k' scores
        below all of them. (A selector scan checks every id one by one, slower than the plain scan.)"""
        if self.index_type != "flat":
            return None
        k_all = min(self.rows, 2 * want * self.rows // max(candidates, 1) + want)
        scores, rows = self.index.search(q, k_all)
        kept = [(float(s), int(r)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0 and mask[r]]
        if len(kept) < want:
            return None
        return [self.match(r, s) for s, r in kept[:want]]

    def graph_or_flat(self, q: np.ndarray, top_k: int, selector: Any, candidates: int) -> list[Match]:
        """Search the index itself (HNSW graph or flat), restricted to `selector` when given."""
        faiss = self.faiss
        want = min(top_k, candidates)
        if self.index_type == "hnsw":
            ef = search_breadth(want, self.alive, self.ef_search)
            if selector is not None and candidates < self.alive:
                # A filter leaves fewer candidates per neighbourhood: widen the beam in proportion.
                ef = min(max(ef, int(ef * self.alive / max(candidates, 1))), 4096)
            params = faiss.SearchParametersHNSW(efSearch=ef)
            if selector is not None:
                params.sel = selector
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        scores, rows = self.index.search(q, want, params=params)
        matches = [self.match(int(r), float(s)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]
        if len(matches) < want:
            # The approximate graph reached too few candidates: answer exactly instead.
            return self.flat(q, want, selector)
        return matches

    def flat(self, q: np.ndarray, k: int, selector: Any) -> list[Match]:
        """Exact search over the stored vectors (the HNSW graph's flat storage, or the flat index)."""
        faiss = self.faiss
        flat = faiss.downcast_index(self.index.storage) if self.index_type == "hnsw" else self.index
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
        scores, rows = flat.search(q, k, params=params)
        return [self.match(int(r), float(s)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]

    def exact(self, q: np.ndarray, rows: np.ndarray, top_k: int) -> list[Match]:
        """The top_k of `rows` by gathering their vectors."""
        if not len(rows):
            return []
        idx = np.asarray(rows, dtype=np.int64)
        scores = self.vectors[idx] @ q
        k = min(top_k, len(rows))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(rows) else np.arange(len(rows))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self.match(int(idx[t]), float(scores[t])) for t in top]
