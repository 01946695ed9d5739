"""What LifeStream remembers and how it is found again: embedders, vector stores (FAISS locally, Pinecone
in the cloud), indexing a video's chunks, search (`VideoIndex` joins the parts), cited answers, and the FAISS → Pinecone migration.
"""

from lifestream.core.lazy import lazy_exports

_NAMES = {
    "VideoIndex": "video_index",
    "SearchFilters": "search_filters",
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
    "SearchFilters",
    "VideoIndex",
    "Citation",
    "Embedder",
    "VectorStore",
    "ask",
    "make_embedder",
    "make_vector_store",
    "migrate_store",
    "semantic_search",
]
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
