"""The lexical (full-text, BM25-style) channel of search, kept in the job-store database."""

from lifestream.memory.lexical.index import LexicalIndex, query_terms

__all__ = ["LexicalIndex", "query_terms"]
