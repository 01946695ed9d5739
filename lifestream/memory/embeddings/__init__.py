"""Text embedders: an offline local model (default) and OpenAI, behind one protocol."""

from lifestream.memory.embeddings.base import Embedder
from lifestream.memory.embeddings.factory import make_embedder

__all__ = ["Embedder", "make_embedder"]
