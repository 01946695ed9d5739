"""Chunks of one video in, vectors out: embed, upsert under deterministic ids, drop the video's stale ids.

Re-indexing a video therefore replaces its vectors and never duplicates them; new vectors are written
before stale ones are removed, so a crash in between leaves the video searchable (at worst with a few
extra old chunks that the next run removes).

The lexical channel (`lifestream.memory.lexical`) is written in the same step, after the vectors, as one
replace-the-video transaction; a crash between the two is repaired by the retry, which rewrites both.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from lifestream.core.constants import LOCAL_USER
from lifestream.core.errors import VectorStoreError
from lifestream.core.models import Chunk
from lifestream.memory.embeddings.base import Embedder
from lifestream.memory.vectors.base import VectorStore

if TYPE_CHECKING:
    from lifestream.memory.lexical import LexicalIndex

logger = logging.getLogger(__name__)

EMBED_BATCH = 256


def recorded_day(date: str | None) -> int | None:
    """'2026-11-24' -> 20261124: Pinecone range operators compare numbers only."""
    if not date:
        return None
    return int(date.replace("-", ""))


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    meta = chunk.metadata()
    day = recorded_day(chunk.recorded_date)
    if day is not None:
        meta["recorded_day"] = day
    return meta


def video_id_prefix(video_id: str) -> str:
    return f"{video_id}#"


def owner_of(store: VectorStore) -> str:
    """Whose records a store reads and writes (an `OwnedVectorStore` knows; a bare store is the local user's)."""
    return str(getattr(store, "owner", None) or LOCAL_USER)


def index_video(
    video_id: str,
    chunks: Sequence[Chunk],
    *,
    store: VectorStore,
    embedder: Embedder,
    lexical: LexicalIndex | None = None,
    progress: bool = False,
) -> int:
    """Replace all of `video_id`'s vectors (and its lexical rows, given `lexical`) with `chunks`; returns
    how many vectors were upserted."""
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
    if lexical is not None:
        lexical.replace_video(owner_of(store), video_id, usable)
    return written


def delete_video(video_id: str, *, store: VectorStore, lexical: LexicalIndex | None = None) -> int:
    """Remove every vector of `video_id` (a superseded version), and its lexical rows given `lexical`;
    returns how many vectors there were. Lexical rows go first: a retry after a failure in between still
    finds the vectors to delete."""
    if lexical is not None:
        lexical.delete_video(owner_of(store), video_id)
    ids = list(store.list_ids(video_id_prefix(video_id)))
    if ids:
        store.delete(ids)
        logger.info("video %s: removed its %d vector(s)", video_id, len(ids))
    return len(ids)


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
