"""The one interface both vector stores implement, and the records that cross it.

Vectors cross it as rows of floats: a numpy array (FAISS, the local embedders) or plain lists (the
OpenAI embedder and Pinecone, so that the API's Lambda asset needs no numpy). numpy is imported only by
`as_matrix`, which only FAISS uses.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from lifestream.core.errors import DimensionMismatchError, VectorStoreError

if TYPE_CHECKING:
    import numpy as np

Metadata = dict[str, Any]
Filter = Mapping[str, Any]
StoreKind = Literal["faiss", "pinecone"]


@dataclass(frozen=True)
class Match:
    """A query hit; `score` is cosine similarity in [-1, 1] on every store."""

    id: str
    score: float
    metadata: Metadata = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """A stored vector with its metadata, as returned by `fetch` and `iter_records`."""

    id: str
    vector: np.ndarray | list[float]
    metadata: Metadata = field(default_factory=dict)


@runtime_checkable
class VectorStore(Protocol):
    kind: StoreKind
    dimension: int
    embedder_name: str

    def upsert(
        self,
        ids: Sequence[str],
        vectors: np.ndarray | Sequence[Sequence[float]],
        metadatas: Sequence[Metadata],
    ) -> int:
        """Insert or replace; returns how many records were written."""
        ...

    def query(
        self, vector: Sequence[float] | np.ndarray, top_k: int = 5, filter: Filter | None = None
    ) -> list[Match]: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def delete_by_filter(self, filter: Filter) -> None: ...

    def fetch(self, ids: Sequence[str]) -> dict[str, Record]: ...

    def count(self) -> int: ...

    def list_ids(self, prefix: str = "") -> Iterator[str]:
        """Every stored id starting with `prefix` (all ids for the empty prefix)."""
        ...

    def iter_records(self, batch_size: int = 200) -> Iterator[list[Record]]:
        """Every stored record, a batch at a time (used by migration)."""
        ...


def as_matrix(vectors: np.ndarray | Sequence[Sequence[float]], dimension: int) -> np.ndarray:
    """Validate and L2-normalise vectors, so inner product equals cosine similarity."""
    import numpy as np

    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    if matrix.ndim != 2:
        raise VectorStoreError(f"vectors must be a 2-D array, got shape {matrix.shape}")
    if matrix.shape[0] and matrix.shape[1] != dimension:
        raise DimensionMismatchError(
            f"vector dimension {matrix.shape[1]} does not match the index dimension {dimension}"
        )
    if not np.all(np.isfinite(matrix)):
        raise VectorStoreError("vectors contain NaN or infinite values")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise VectorStoreError("a zero vector has no direction and cannot be compared by cosine")
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


def as_rows(vectors: Any, dimension: int) -> list[list[float]]:
    """`as_matrix` in plain Python, for the few vectors of a request: the same checks and errors, each row
    L2-normalised and rounded to float32 (what the stores keep)."""
    if hasattr(vectors, "tolist"):
        vectors = vectors.tolist()
    rows = list(vectors)
    if rows and not isinstance(rows[0], Sequence):
        rows = [rows]  # one vector
    if any(not isinstance(row, Sequence) or (row and isinstance(row[0], Sequence)) for row in rows):
        raise VectorStoreError("vectors must be a 2-D array (rows of numbers)")
    out: list[list[float]] = []
    for row in rows:
        if len(row) != dimension:
            raise DimensionMismatchError(
                f"vector dimension {len(row)} does not match the index dimension {dimension}"
            )
        values = [float(x) for x in row]
        if not all(math.isfinite(x) for x in values):
            raise VectorStoreError("vectors contain NaN or infinite values")
        norm = math.sqrt(math.fsum(x * x for x in values))
        if norm == 0:
            raise VectorStoreError("a zero vector has no direction and cannot be compared by cosine")
        out.append(array("f", [x / norm for x in values]).tolist())
    return out


def check_batch(ids: Sequence[str], matrix: Sequence[Any], metadatas: Sequence[Metadata]) -> None:
    if not (len(ids) == len(matrix) == len(metadatas)):
        raise VectorStoreError(
            f"upsert needs as many ids, vectors and metadatas (got {len(ids)}, {len(matrix)}, {len(metadatas)})"
        )
    if len(set(ids)) != len(ids):
        raise VectorStoreError("upsert got the same id twice in one batch")
    for id_ in ids:
        if not isinstance(id_, str) or not id_ or len(id_) > 512:
            raise VectorStoreError(f"vector ids must be non-empty strings of at most 512 characters: {id_!r}")
