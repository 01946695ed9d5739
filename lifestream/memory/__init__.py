"""What LifeStream remembers and how it is found again: embedders, vector stores (FAISS locally, Pinecone
in the cloud), indexing a video's chunks, search, cited answers, and the FAISS → Pinecone migration.
"""

from lifestream.core.lazy import lazy_exports

_NAMES = {
    "index_video": "index_builder",
    "semantic_search": "search",
    "ask": "answers",
    "Answer": "answers",
    "Citation": "answers",
    "migrate_store": "migrate",
    "make_embedder": "embeddings",
    "Embedder": "embeddings",
    "make_vector_store": "vectors",
    "VectorStore": "vectors",
}
__all__ = [
    "Answer",
    "Citation",
    "Embedder",
    "VectorStore",
    "ask",
    "index_video",
    "make_embedder",
    "make_vector_store",
    "migrate_store",
    "semantic_search",
]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
