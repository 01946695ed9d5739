"""Pick the configured vector store; heavy imports (faiss, pinecone) happen only for the one chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lifestream.errors import ConfigError

if TYPE_CHECKING:
    from lifestream.embeddings.base import Embedder
    from lifestream.settings import Settings
    from lifestream.vectors.base import VectorStore


def make_vector_store(settings: Settings, embedder: Embedder) -> VectorStore:
    if settings.vector_store == "faiss":
        from lifestream.vectors.faiss_store import FaissVectorStore

        return FaissVectorStore(
            settings.resolved_faiss_dir,
            dimension=embedder.dimension,
            embedder_name=embedder.name,
            mode=settings.faiss_mode,
        )
    from lifestream.vectors.pinecone_store import PineconeVectorStore

    api_key = settings.pinecone_key()
    if not api_key:
        raise ConfigError("LIFESTREAM_PINECONE_API_KEY (or LIFESTREAM_PINECONE_API_KEY_SECRET) is not set")
    return PineconeVectorStore.connect(
        api_key=api_key,
        index_name=settings.resolved_pinecone_index,
        dimension=embedder.dimension,
        embedder_name=embedder.name,
        namespace=settings.pinecone_namespace,
        host=settings.pinecone_host,
        control_host=settings.pinecone_control_host,
        cloud=settings.pinecone_cloud,
        region=settings.pinecone_region,
    )
