"""Copy every vector from one store to another (FAISS -> Pinecone), then measure parity.

- Without re-embedding when both sides use the same embedder: vectors and metadata are copied as
  stored. With `re_embed_with`, each record's `text` is embedded again by the new embedder (for a
  switch of model); the target must then be built for that embedder.
- In batches of sorted ids, with a state file recording the last finished id: an interrupted run
  resumes after it. Upserts are idempotent, so replaying a batch is harmless.
- Parity: for N sample records (deterministic), the top-k ids of source and target for the same
  query are compared; the report gives the mean and minimum overlap.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from lifestream.core.constants import LOCAL_USER
from lifestream.core.errors import DimensionMismatchError, VectorStoreError
from lifestream.memory.embeddings.base import Embedder
from lifestream.memory.vectors.base import VectorStore
from lifestream.memory.vectors.owned import for_owner, owner_partition, stored_owner


@dataclass
class ParityReport:
    queries: int
    top_k: int
    mean_overlap: float
    min_overlap: float
    per_query: list[float] = field(default_factory=list)


@dataclass
class MigrationReport:
    total: int
    copied: int
    skipped_resumed: int
    batches: int
    re_embedded: bool
    target_count: int
    parity: ParityReport | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _signature(source: VectorStore, target: VectorStore, re_embed: Embedder | None) -> str:
    new = f"re-embed:{re_embed.name}" if re_embed else "copy"
    return (
        f"{source.kind}:{source.embedder_name}:{source.dimension}->{target.kind}:{target.embedder_name}:{new}"
    )


def _load_state(path: Path | None, signature: str) -> dict:
    if path is None or not path.exists():
        return {}
    state = json.loads(path.read_text())
    return state if state.get("signature") == signature else {}


def _save_state(path: Path | None, state: dict) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def migrate_store(
    source: VectorStore,
    target: VectorStore,
    *,
    batch_size: int = 200,
    re_embed_with: Embedder | None = None,
    state_path: Path | None = None,
    parity_queries: int = 20,
    top_k: int = 10,
    on_batch: Callable[[int, int], None] | None = None,
) -> MigrationReport:
    """Copy all of `source` into `target`; `on_batch(done, total)` is called after each batch."""
    if re_embed_with is None:
        if (source.embedder_name, source.dimension) != (target.embedder_name, target.dimension):
            raise DimensionMismatchError(
                f"source vectors come from {source.embedder_name!r} ({source.dimension}-d) but the target is "
                f"for {target.embedder_name!r} ({target.dimension}-d); re-embed to switch embedders"
            )
    elif (re_embed_with.name, re_embed_with.dimension) != (target.embedder_name, target.dimension):
        raise DimensionMismatchError(
            f"re-embedding with {re_embed_with.name!r} needs a target built for it, not {target.embedder_name!r}"
        )

    signature = _signature(source, target, re_embed_with)
    state = _load_state(state_path, signature)
    last_done: str | None = state.get("last_id")
    ids = sorted(source.list_ids())
    pending = [i for i in ids if last_done is None or i > last_done]
    skipped = len(ids) - len(pending)
    copied = int(state.get("copied", 0))
    owners: set[str] = set(state.get("owners", [])) | {LOCAL_USER}
    batches = 0
    for start in range(0, len(pending), batch_size):
        chunk = pending[start : start + batch_size]
        records = source.fetch(chunk)
        present = [records[i] for i in chunk if i in records]  # deleted meanwhile: nothing to copy
        if present:
            if re_embed_with is not None:
                texts = [r.metadata.get("text") for r in present]
                missing = [
                    r.id for r, t in zip(present, texts, strict=True) if not isinstance(t, str) or not t
                ]
                if missing:
                    raise VectorStoreError(f"cannot re-embed records without text metadata: {missing[:5]}")
                vectors = re_embed_with.embed(texts)  # type: ignore[arg-type]
            else:
                vectors = np.stack([r.vector for r in present])
            vectors = np.asarray(vectors)
            # Each owner's records into the owner's own part of the target (a Pinecone namespace per user).
            by_owner: dict[str, list[int]] = {}
            for row, record in enumerate(present):
                by_owner.setdefault(stored_owner(record.metadata), []).append(row)
            for owner, rows in by_owner.items():
                owner_partition(target, owner).upsert(
                    [present[r].id for r in rows], vectors[rows], [present[r].metadata for r in rows]
                )
            owners.update(by_owner)
            copied += len(present)
        batches += 1
        _save_state(
            state_path,
            {"signature": signature, "last_id": chunk[-1], "copied": copied, "owners": sorted(owners)},
        )
        if on_batch:
            on_batch(skipped + start + len(chunk), len(ids))

    flush = getattr(target, "save", None)
    if callable(flush) and getattr(target, "directory", None) is not None:
        flush()
    parity = (
        parity_report(source, target, sample=parity_queries, top_k=top_k, re_embed_with=re_embed_with)
        if parity_queries
        else None
    )
    return MigrationReport(
        total=len(ids),
        copied=copied,
        skipped_resumed=skipped,
        batches=batches,
        re_embedded=re_embed_with is not None,
        target_count=sum(owner_partition(target, o).count() for o in sorted(owners)),
        parity=parity,
    )


def parity_report(
    source: VectorStore,
    target: VectorStore,
    *,
    sample: int = 20,
    top_k: int = 10,
    re_embed_with: Embedder | None = None,
    seed: int = 0,
) -> ParityReport:
    """Overlap of the top-k ids of both stores for `sample` queries taken from stored records.

    Each query is a stored record's own vector (its text re-embedded for the target when the embedder
    changed), so no query set has to be invented and the check costs no embedding calls."""
    ids = sorted(source.list_ids())
    if not ids:
        return ParityReport(queries=0, top_k=top_k, mean_overlap=1.0, min_overlap=1.0)
    chosen = random.Random(seed).sample(ids, min(sample, len(ids)))
    records = source.fetch(chosen)
    queries = [records[i] for i in chosen if i in records]
    target_vectors = (
        re_embed_with.embed([str(r.metadata.get("text", "")) for r in queries])
        if re_embed_with is not None
        else [r.vector for r in queries]
    )
    overlaps = []
    for record, target_vector in zip(queries, target_vectors, strict=True):
        # Each query as its record's owner sees both stores.
        owner = stored_owner(record.metadata)
        a = {m.id for m in for_owner(source, owner).query(record.vector, top_k=top_k)}
        b = {m.id for m in for_owner(target, owner).query(target_vector, top_k=top_k)}
        overlaps.append(len(a & b) / max(1, min(top_k, len(a))))
    return ParityReport(
        queries=len(overlaps),
        top_k=top_k,
        mean_overlap=float(np.mean(overlaps)),
        min_overlap=float(np.min(overlaps)),
        per_query=overlaps,
    )
