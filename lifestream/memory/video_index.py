"""`VideoIndex`: one owner's searchable memory of their videos, and the one way to write and read it.

It joins the three parts that must agree: the embedder, the vector store (scoped to the owner) and the
lexical index (full text in the job-store database). Indexing replaces a video's vectors under
deterministic ids, new ones before stale ones are removed, so a crash in between leaves the video
searchable; the lexical rows are then replaced in one transaction, and a retry rewrites both.
`IndexParts` holds the heavy parts a process shares across owners, each built on first use, so a run
that indexes nothing never loads a model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from functools import cached_property
from typing import TYPE_CHECKING, Any

from lifestream.core.constants import LOCAL_USER
from lifestream.core.errors import VectorStoreError
from lifestream.core.models import Chunk
from lifestream.memory.search_filters import recorded_day

if TYPE_CHECKING:
    from lifestream.core.settings import Settings
    from lifestream.jobs import JobStore
    from lifestream.memory.embeddings.base import Embedder
    from lifestream.memory.lexical import LexicalIndex
    from lifestream.memory.search import SearchOutcome
    from lifestream.memory.vectors.base import VectorStore

logger = logging.getLogger(__name__)

EMBED_BATCH = 256


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    meta = chunk.metadata()
    day = recorded_day(chunk.recorded_date)
    if day is not None:
        meta["recorded_day"] = day
    return meta


def video_id_prefix(video_id: str) -> str:
    return f"{video_id}#"


class VideoIndex:
    """The owner's vectors, embedder and lexical rows. `vectors` is used as given: pass a store scoped to
    the owner (`IndexParts.for_owner` does), or a bare store for the local user."""

    def __init__(
        self,
        vectors: VectorStore,
        embedder: Embedder,
        lexical: LexicalIndex | None = None,
        *,
        owner: str = LOCAL_USER,
    ) -> None:
        self._vectors, self._embedder, self._lexical = vectors, embedder, lexical
        self.owner = owner

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        owner: str = LOCAL_USER,
        *,
        store: VectorStore | None = None,
        embedder: Embedder | None = None,
    ) -> VideoIndex:
        """The configured index of `owner` (`store`/`embedder` replace the configured ones)."""
        return IndexParts(settings, store=store, embedder=embedder).for_owner(owner)

    # Properties, so that an index made by `IndexParts` builds its parts only when first used.
    @property
    def vectors(self) -> VectorStore:
        return self._vectors

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    @property
    def lexical(self) -> LexicalIndex | None:
        return self._lexical

    def count(self) -> int:
        return self.vectors.count()

    def index(self, video_id: str, chunks: Sequence[Chunk], *, progress: bool = False) -> int:
        """Replace all of `video_id`'s vectors and lexical rows with `chunks`; returns how many vectors
        were upserted."""
        store, embedder = self.vectors, self.embedder
        seen: set[str] = set()
        for chunk in chunks:
            if chunk.video_id != video_id:
                raise VectorStoreError(
                    f"chunk {chunk.id!r} belongs to video {chunk.video_id!r}, not {video_id!r}"
                )
            if chunk.id in seen:
                raise VectorStoreError(f"chunk id {chunk.id!r} appears twice for video {video_id!r}")
            seen.add(chunk.id)
        if embedder.dimension != store.dimension:
            raise VectorStoreError(
                f"embedder {embedder.name!r} makes {embedder.dimension}-d vectors, the store holds {store.dimension}-d"
            )
        usable = [c for c in chunks if c.text.strip()]
        if len(usable) < len(chunks):
            logger.warning("video %s: skipping %d chunk(s) with empty text", video_id, len(chunks) - len(usable))

        deferred = getattr(store, "deferred_save", None)
        written = 0
        with deferred() if deferred else nullcontext():
            with _progress(progress, len(usable), f"indexing {video_id}") as advance:
                # A remote embedder packs requests to the API limits itself: give it everything at once so
                # slicing here does not add requests; local models get slices for a live progress bar.
                step = max(1, len(usable)) if getattr(embedder, "batches_itself", False) else EMBED_BATCH
                for start in range(0, len(usable), step):
                    batch = usable[start : start + step]
                    vectors = embedder.embed([c.embed_text for c in batch])
                    written += store.upsert([c.id for c in batch], vectors, [chunk_metadata(c) for c in batch])
                    advance(len(batch))
            keep = {c.id for c in usable}
            stale = [id_ for id_ in store.list_ids(video_id_prefix(video_id)) if id_ not in keep]
            if stale:
                store.delete(stale)
                logger.info("video %s: removed %d stale vector(s)", video_id, len(stale))
        if self.lexical is not None:
            self.lexical.replace_video(self.owner, video_id, usable)
        return written

    def delete(self, video_id: str) -> int:
        """Remove every vector and lexical row of `video_id`; returns how many vectors there were. Lexical
        rows go first: a retry after a failure in between still finds the vectors to delete."""
        if self.lexical is not None:
            self.lexical.delete_video(self.owner, video_id)
        ids = list(self.vectors.list_ids(video_id_prefix(video_id)))
        if ids:
            self.vectors.delete(ids)
            logger.info("video %s: removed its %d vector(s)", video_id, len(ids))
        return len(ids)

    def search(self, query: str, **options: Any) -> SearchOutcome:
        """Dense, lexical or hybrid search of this owner's videos: `lifestream.memory.search.search`, whose
        keywords (filters, mode, top_k, min_score, dates) it takes."""
        from lifestream.memory.search import search

        return search(query, index=self, **options)


class IndexParts:
    """The embedder, vector store and lexical index one process shares across owners, built on first use
    from the settings unless given."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store: VectorStore | None = None,
        embedder: Embedder | None = None,
        jobs: JobStore | None = None,
    ) -> None:
        self.settings = settings
        self._jobs = jobs
        self._lock = threading.Lock()
        for name, part in (("store", store), ("embedder", embedder)):
            if part is not None:
                self.__dict__[name] = part

    @cached_property
    def embedder(self) -> Embedder:
        from lifestream.memory.embeddings import make_embedder

        return make_embedder(self._settings())

    @cached_property
    def store(self) -> VectorStore:
        from lifestream.memory.vectors import make_vector_store

        with self._lock:
            return make_vector_store(self._settings(), self.embedder)

    @cached_property
    def lexical(self) -> LexicalIndex:
        """The lexical channel lives in the job store's database and shares the job store's pool."""
        from lifestream.memory.lexical import LexicalIndex

        if self._jobs is not None:
            return LexicalIndex(self._jobs.engine)
        return LexicalIndex.from_settings(self._settings())

    def _settings(self) -> Settings:
        if self.settings is None:
            raise VectorStoreError("this index was given its parts and has no settings to build others from")
        return self.settings

    def for_owner(self, owner: str) -> VideoIndex:
        return _OwnedIndex(self, owner)

    def warm(self) -> None:
        _ = self.store, self.lexical


class _OwnedIndex(VideoIndex):
    """An owner's view of shared parts: nothing is built until it is used."""

    def __init__(self, parts: IndexParts, owner: str) -> None:
        self.parts, self.owner = parts, owner

    @cached_property
    def vectors(self) -> VectorStore:  # type: ignore[override]
        from lifestream.memory.vectors.owned import for_owner

        return for_owner(self.parts.store, self.owner)

    @property
    def embedder(self) -> Embedder:
        return self.parts.embedder

    @property
    def lexical(self) -> LexicalIndex:
        return self.parts.lexical


class _progress:
    """A rich progress bar when asked for, a no-op otherwise."""

    def __init__(self, enabled: bool, total: int, label: str) -> None:
        self.enabled = enabled and total > 0
        self.total = total
        self.label = label

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.progress import Progress

        self._bar = Progress(transient=True)
        self._bar.start()
        task = self._bar.add_task(self.label, total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self._bar.stop()
