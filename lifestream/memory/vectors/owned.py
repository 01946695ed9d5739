"""One user's view of a vector store: what it writes carries the owner, what it reads is only the owner's.

Every path to the vectors on behalf of a user (the worker indexing an upload, search, ask, delete) goes
through `for_owner`, so scoping is decided here once:
- Pinecone: a namespace per owner, Pinecone's own multitenancy pattern (a query never touches another
  tenant's records, and deleting a tenant is one namespace). LOCAL_USER keeps the configured namespace,
  where every vector written before sign-in already is.
- FAISS: one index, every query ANDed with an owner filter (and fetch/list/delete checked against the
  stored owner). Vectors written before sign-in have no `owner` field and belong to LOCAL_USER.
Every record also carries `owner` in its metadata on both stores, so a FAISS → Pinecone migration (or an
audit) can tell whose it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from typing import Any

from lifestream.core.constants import LOCAL_USER
from lifestream.core.ownership import is_valid_owner
from lifestream.memory.vectors.base import Filter, Match, Metadata, Record, VectorStore

OWNER_FIELD = "owner"


def owner_namespace(base: str, owner: str) -> str:
    return base if owner == LOCAL_USER else f"{base}--{owner}"


def owner_filter(owner: str) -> dict[str, Any]:
    mine: dict[str, Any] = {OWNER_FIELD: {"$eq": owner}}
    if owner == LOCAL_USER:
        return {"$or": [mine, {OWNER_FIELD: {"$exists": False}}]}
    return mine


def stored_owner(metadata: Metadata) -> str:
    return str(metadata.get(OWNER_FIELD) or LOCAL_USER)


def _and(first: dict[str, Any], second: Filter | None) -> dict[str, Any]:
    return {"$and": [first, dict(second)]} if second else first


def owner_partition(store: VectorStore, owner: str) -> VectorStore:
    """Where `owner`'s records live in `store`, as a plain store: their own namespace on Pinecone, the
    shared store otherwise (for copying records as they are, e.g. a migration)."""
    in_namespace = getattr(store, "in_namespace", None)
    if in_namespace is None:
        return store
    namespace = owner_namespace(store.namespace, owner)
    return store if namespace == store.namespace else in_namespace(namespace)


def for_owner(store: VectorStore, owner: str) -> OwnedVectorStore:
    """`store` as `owner` sees it."""
    if not is_valid_owner(owner):
        raise ValueError(f"not an owner id: {owner!r}")
    if isinstance(store, OwnedVectorStore):
        if store.owner != owner:
            raise ValueError(f"a store scoped to {store.owner!r} cannot be re-scoped to {owner!r}")
        return store
    partitioned = getattr(store, "in_namespace", None) is not None
    return OwnedVectorStore(owner_partition(store, owner), owner, partitioned=partitioned)


class OwnedVectorStore:
    """A `VectorStore` restricted to one owner (see the module docstring). `partitioned` stores keep
    owners apart themselves (a Pinecone namespace); the others are filtered record by record."""

    def __init__(self, inner: VectorStore, owner: str, *, partitioned: bool) -> None:
        self.inner, self.owner, self.partitioned = inner, owner, partitioned
        self.kind = inner.kind
        self.dimension = inner.dimension
        self.embedder_name = inner.embedder_name

    def deferred_save(self):
        deferred = getattr(self.inner, "deferred_save", None)
        return deferred() if deferred else nullcontext(self)

    def upsert(self, ids: Sequence[str], vectors, metadatas: Sequence[Metadata]) -> int:
        ids = list(ids)
        if not self.partitioned:
            # An id is global in a shared index: never let one owner overwrite another's record.
            theirs = [i for i, m in self._metadata(ids).items() if stored_owner(m) != self.owner]
            if theirs:
                from lifestream.core.errors import VectorStoreError

                raise VectorStoreError(f"vector id {theirs[0]!r} belongs to another owner")
        stamped = [{**m, OWNER_FIELD: self.owner} for m in metadatas]
        return self.inner.upsert(ids, vectors, stamped)

    def query(self, vector, top_k: int = 5, filter: Filter | None = None) -> list[Match]:
        if self.partitioned:
            return self.inner.query(vector, top_k=top_k, filter=filter)
        if not filter:
            # A filtered FAISS query scans every row in Python (≈40 ms at 100k); an unfiltered one uses the
            # index (≈1 ms). So ask the index for a wider top list and keep the owner's: when it holds
            # top_k of theirs (always, for one user), those are exactly their top_k on a flat index and
            # as good as HNSW's own answer otherwise. Only an owner with few of the index's records
            # falls through to the exact owner-filtered scan.
            wide = min(max(4 * top_k, top_k + 32), 2000)
            matches = self.inner.query(vector, top_k=wide)
            mine = [m for m in matches if stored_owner(m.metadata) == self.owner]
            if len(mine) >= top_k or len(matches) < wide:
                return mine[:top_k]
        return self.inner.query(vector, top_k=top_k, filter=_and(owner_filter(self.owner), filter))

    def _mine(self, ids: Sequence[str]) -> list[str]:
        if self.partitioned:
            return list(ids)
        metas = self._metadata(ids)
        return [i for i in ids if i in metas and stored_owner(metas[i]) == self.owner]

    def _metadata(self, ids: Sequence[str]) -> dict[str, Metadata]:
        # Metadata alone when the store can give it (FAISS): counting 100k records copies no vectors.
        light = getattr(self.inner, "metadata", None)
        if light is not None:
            return light(list(ids))
        return {i: r.metadata for i, r in self.inner.fetch(list(ids)).items()}

    def delete(self, ids: Sequence[str]) -> None:
        mine = self._mine(ids)
        if mine:
            self.inner.delete(mine)

    def delete_by_filter(self, filter: Filter) -> None:
        if self.partitioned:
            self.inner.delete_by_filter(filter)
        else:
            self.inner.delete_by_filter(_and(owner_filter(self.owner), filter))

    def fetch(self, ids: Sequence[str]) -> dict[str, Record]:
        fetched = self.inner.fetch(list(ids))
        if self.partitioned:
            return fetched
        return {i: r for i, r in fetched.items() if stored_owner(r.metadata) == self.owner}

    def count(self) -> int:
        if self.partitioned:
            return self.inner.count()
        return sum(1 for _ in self.list_ids())

    def list_ids(self, prefix: str = "") -> Iterator[str]:
        ids = list(self.inner.list_ids(prefix))
        if self.partitioned:
            return iter(ids)
        return iter(self._mine(ids))

    def iter_records(self, batch_size: int = 200) -> Iterator[list[Record]]:
        for batch in self.inner.iter_records(batch_size):
            mine = [r for r in batch if self.partitioned or stored_owner(r.metadata) == self.owner]
            if mine:
                yield mine
