"""Fixtures of the memory layer: a word embedder and both vector stores.

(The OpenAI and Pinecone fakes' fixtures are shared, in tests/conftest.py.)"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.memory.vectors.pinecone_store import PineconeVectorStore
from tests.support.openai_fake import fake_embedding
from tests.support.pinecone_fake import DEFAULT_API_KEY, PineconeFake

DIM = 16


class WordEmbedder:
    """Deterministic bag-of-words embedder: texts sharing words are close. For logic tests only;
    the real models are exercised in test_local_embedder.py and test_search.py."""

    name = "test-words"

    def __init__(self, dimension: int = DIM) -> None:
        self.dimension = dimension
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([fake_embedding(t, self.dimension) for t in texts]).astype(np.float32)


def connect_pinecone(fake: PineconeFake, dimension: int = DIM, embedder_name: str = "test-words", **kwargs):
    kwargs.setdefault("sleep", lambda s: None)
    return PineconeVectorStore.connect(
        api_key=DEFAULT_API_KEY,
        index_name="lifestream-test",
        dimension=dimension,
        embedder_name=embedder_name,
        namespace="default",
        control_host=fake.url,
        poll_interval=0.01,
        **kwargs,
    )


@pytest.fixture(params=["faiss-flat", "faiss-hnsw", "pinecone"])
def store(request, tmp_path, no_sdk_backoff):
    """Every VectorStore implementation, empty, with DIM-dimensional vectors."""
    if request.param.startswith("faiss"):
        mode = request.param.split("-")[1]
        yield FaissVectorStore(tmp_path / "index", dimension=DIM, embedder_name="test-words", mode=mode)
    else:
        with PineconeFake() as fake:
            yield connect_pinecone(fake)


@pytest.fixture
def embedder() -> WordEmbedder:
    return WordEmbedder()
