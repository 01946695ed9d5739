"""Text embedders: an offline local model (default) and OpenAI, behind one protocol."""

from lifestream.embeddings.base import Embedder
from lifestream.embeddings.factory import make_embedder

__all__ = ["Embedder", "make_embedder"]
