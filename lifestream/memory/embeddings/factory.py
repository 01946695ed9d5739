"""Pick the configured embedder. Heavy imports happen here, lazily: the cloud worker (OpenAI) never
imports onnxruntime or torch, and the local path never imports the OpenAI client."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lifestream.core.settings import Settings
    from lifestream.memory.embeddings.base import Embedder


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedding_provider == "openai":
        from lifestream.memory.embeddings.openai_embedder import OpenAIEmbedder

        return OpenAIEmbedder(
            api_key=settings.openai_key(),
            model=settings.resolved_embedding_model,
            dimension=settings.resolved_embedding_dimension,
            base_url=settings.openai_base_url,
            long_input=getattr(settings, "embedding_long_input", "truncate"),
        )
    from lifestream.memory.embeddings.local_embedder import make_local_embedder

    embedder = make_local_embedder(
        getattr(settings, "local_embedding_backend", "auto"), model=settings.resolved_embedding_model
    )
    if settings.embedding_dimension and settings.embedding_dimension != embedder.dimension:
        from lifestream.core.errors import ConfigError

        raise ConfigError(
            f"LIFESTREAM_EMBEDDING_DIMENSION={settings.embedding_dimension} but {embedder.name} is "
            f"{embedder.dimension}-d"
        )
    return embedder
