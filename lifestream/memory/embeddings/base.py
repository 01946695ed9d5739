"""The Embedder protocol: text in, L2-normalised float32 vectors out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dimension), each row L2-normalised; order preserved.
        These are document (passage) vectors; asymmetric models also have `embed_query`."""
        ...


def embed_query(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Vectors for search queries: the embedder's query side when it has one (e5: "query: " prefix),
    else its one `embed` (MiniLM and OpenAI embed queries and documents alike)."""
    side = getattr(embedder, "embed_query", None)
    return side(list(texts)) if callable(side) else embedder.embed(list(texts))


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


def empty(dimension: int) -> np.ndarray:
    return np.zeros((0, dimension), dtype=np.float32)
