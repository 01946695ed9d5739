"""The Embedder protocol: text in, L2-normalised vectors out (rows of float32 values).

The local models return numpy arrays; the OpenAI embedder returns plain lists, so that the API's Lambda
asset (which searches and re-indexes with it) needs no numpy. numpy is imported where a local model uses it.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np


@runtime_checkable
class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray | list[list[float]]:
        """len(texts) rows of `dimension` float32 values, each L2-normalised; order preserved.
        These are document (passage) vectors; asymmetric models also have `embed_query`."""
        ...


def embed_query(embedder: Embedder, texts: Sequence[str]) -> np.ndarray | list[list[float]]:
    """Vectors for search queries: the embedder's query side when it has one (e5: "query: " prefix),
    else its one `embed` (MiniLM and OpenAI embed queries and documents alike)."""
    side = getattr(embedder, "embed_query", None)
    return side(list(texts)) if callable(side) else embedder.embed(list(texts))


def normalise(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


def unit_rows(rows: Sequence[Sequence[float]]) -> list[list[float]]:
    """`normalise` in plain Python: each row L2-normalised (a zero row stays zero), as float32 values."""
    out = []
    for row in rows:
        norm = math.sqrt(math.fsum(x * x for x in row)) or 1.0
        out.append(array("f", [x / norm for x in row]).tolist())
    return out


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Plain Python, for a few dozen vectors on the API's numpy-free path."""
    norms = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return math.fsum(x * y for x, y in zip(a, b, strict=True)) / norms if norms else 0.0


def as_lists(vectors: Any) -> list[list[float]]:
    """Rows as plain lists, whatever the embedder returned."""
    return vectors.tolist() if hasattr(vectors, "tolist") else [list(row) for row in vectors]


def empty(dimension: int) -> np.ndarray:
    import numpy as np

    return np.zeros((0, dimension), dtype=np.float32)
