"""Vector stores: one protocol, a local FAISS store and a Pinecone store, same filters and scores."""

from lifestream.memory.vectors.base import Filter, Match, Metadata, Record, VectorStore
from lifestream.memory.vectors.factory import make_vector_store
from lifestream.memory.vectors.filters import compile_filter, validate_filter

__all__ = [
    "Filter",
    "Match",
    "Metadata",
    "Record",
    "VectorStore",
    "compile_filter",
    "make_vector_store",
    "validate_filter",
]
