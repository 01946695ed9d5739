"""Pick the configured vector store; heavy imports (faiss, pinecone) happen only for the one chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lifestream.core.errors import ConfigError

if TYPE_CHECKING:
    from lifestream.core.settings import Settings
    from lifestream.memory.embeddings.base import Embedder
    from lifestream.memory.vectors.base import VectorStore
    from lifestream.memory.vectors.pinecone_store import PineconeVectorStore


def make_vector_store(settings: Settings, embedder: Embedder) -> VectorStore:
    if settings.vector_store == "faiss":
        from lifestream.memory.vectors.faiss_store import FaissVectorStore

        return FaissVectorStore(
            settings.resolved_faiss_dir,
            dimension=embedder.dimension,
            embedder_name=embedder.name,
            mode=settings.faiss_mode,
        )
    api_key = settings.pinecone_key()
    if not api_key:
        raise ConfigError("LIFESTREAM_PINECONE_API_KEY (or LIFESTREAM_PINECONE_API_KEY_SECRET) is not set")
    return connect_pinecone(
        settings, api_key=api_key, dimension=embedder.dimension, embedder_name=embedder.name
    )


def connect_pinecone(
    settings: Settings, *, api_key: str, dimension: int, embedder_name: str
) -> PineconeVectorStore:
    """The configured Pinecone index for vectors of this width and embedder (the caller checked the key,
    so that it can say what needed it before any slow work)."""
    from lifestream.memory.vectors.pinecone_store import PineconeVectorStore

    return PineconeVectorStore.connect(
        api_key=api_key,
        index_name=settings.resolved_pinecone_index,
        dimension=dimension,
        embedder_name=embedder_name,
        namespace=settings.pinecone_namespace,
        host=settings.pinecone_host,
        control_host=settings.pinecone_control_host,
        cloud=settings.pinecone_cloud,
        region=settings.pinecone_region,
    )
