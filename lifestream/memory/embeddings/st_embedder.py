"""Any sentence-transformers model, by hub name or local directory, for people who have a model hub
(or a copied model). Loaded as given: with HF_HUB_OFFLINE=1 only cached or local models load.

Models that declare query/document prompts (e5, bge, gte... in their sentence-transformers config)
get them through `encode_query`/`encode_document`; others embed both sides alike. The index records
the model name as given, so an index is never searched with vectors of another model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lifestream.core.errors import ConfigError
from lifestream.memory.embeddings.base import empty, normalise


def model_label(model: str) -> str:
    """The embedder name an index records: the hub name, or `path:<absolute dir>` for a local model."""
    path = Path(model).expanduser()
    return f"path:{path.resolve()}" if path.is_dir() else model.strip()


class SentenceTransformerEmbedder:
    backend = "sentence-transformers"

    def __init__(self, model: str, *, batch_size: int = 64, device: str = "cpu") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(f"embedding model {model!r} needs sentence-transformers (and torch)") from exc
        self.name = model_label(model)
        self.batch_size = batch_size
        source = str(Path(model).expanduser()) if Path(model).expanduser().is_dir() else model.strip()
        try:
            self._model = SentenceTransformer(source, device=device)
        except Exception as exc:  # noqa: BLE001 - hub/IO/format errors all mean "this model cannot be used"
            raise ConfigError(
                f"could not load the sentence-transformers model {model!r} ({type(exc).__name__}: {exc}). "
                "Give a model directory, or a hub name with network access (HF_HUB_OFFLINE unset)"
            ) from None
        measure = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension  # sentence-transformers < 5.2
        )
        dimension = measure()
        if not dimension:
            raise ConfigError(f"sentence-transformers model {model!r} does not declare its dimension")
        self.dimension = int(dimension)
        prompts = getattr(self._model, "prompts", None) or {}
        self.prompts = {k: v for k, v in prompts.items() if v}

    def _encode(self, texts: Sequence[str], method: str) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return empty(self.dimension)
        encode = getattr(self._model, method, self._model.encode)
        vectors = encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalise(vectors)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "encode_document")

    embed_documents = embed

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "encode_query")
