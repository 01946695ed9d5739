"""Pinecone serverless index behind the VectorStore protocol (package `pinecone` 10.x, HTTP client).

- Creates a serverless cosine index of the embedder's dimension when it is missing, waits until ready,
  and refuses an existing index of another dimension (or tagged with another embedder).
- Upserts are packed greedily into requests within Pinecone's limits (<= 1000 records, <= 2 MB).
- The SDK already retries 429/5xx a few times; on top of that, throttling and server errors are
  retried here with exponential backoff and jitter, then surface as TransientError. Other API errors
  surface as VectorStoreError: a failed query is never an empty result.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from lifestream.core.errors import DimensionMismatchError, TransientError, VectorStoreError
from lifestream.memory.vectors import metadata_codec
from lifestream.memory.vectors.base import Filter, Match, Metadata, Record, StoreKind, as_rows, check_batch
from lifestream.memory.vectors.filters import validate_filter

logger = logging.getLogger(__name__)

MAX_UPSERT_RECORDS = 1000
MAX_UPSERT_BYTES = 2 * 1024 * 1024
# Room for the JSON envelope ({"vectors":[...],"namespace":"..."}); record sizes below are exact.
UPSERT_BYTE_BUDGET = MAX_UPSERT_BYTES - 1024
MAX_DELETE_IDS = 1000
# ids travel in the query string of GET /vectors/fetch: keep URLs well below common limits.
FETCH_BATCH = 100
LIST_PAGE = 100
MAX_METADATA_BYTES = 40 * 1024
EMBEDDER_TAG = "lifestream-embedder"
TRUNCATED_KEY = "text_truncated"

T = TypeVar("T")


def wire_values(vector: Sequence[float]) -> list[float]:
    """Float32 values (as `as_rows` gives them) as short decimals: Pinecone stores float32, and 9 decimals
    keep that precision while making each request ~40% smaller than full float64 reprs. Plain Python: the
    API's asset has no numpy."""
    return [round(x, 9) for x in vector]


class PineconeVectorStore:
    kind: StoreKind = "pinecone"

    def __init__(
        self,
        index: Any,
        *,
        dimension: int,
        embedder_name: str,
        namespace: str = "",
        max_attempts: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._index = index
        self.dimension = dimension
        self.embedder_name = embedder_name
        self.namespace = namespace
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self.requests: dict[str, int] = {}

    # --- construction ------------------------------------------------------------------------------------
    @classmethod
    def connect(
        cls,
        *,
        api_key: str,
        index_name: str,
        dimension: int,
        embedder_name: str,
        namespace: str = "",
        host: str | None = None,
        control_host: str | None = None,
        cloud: str = "aws",
        region: str = "us-east-1",
        create: bool = True,
        ready_timeout: float = 300.0,
        poll_interval: float = 2.0,
        **kwargs: Any,
    ) -> PineconeVectorStore:
        from pinecone import Pinecone

        pc = Pinecone(api_key=api_key, host=control_host) if control_host else Pinecone(api_key=api_key)
        data_host = host
        if control_host or not host:
            data_host = _ensure_index(
                pc,
                index_name,
                dimension=dimension,
                embedder_name=embedder_name,
                cloud=cloud,
                region=region,
                create=create,
                ready_timeout=ready_timeout,
                poll_interval=poll_interval,
                host_override=host,
            )
        index = pc.Index(host=data_host)
        store = cls(index, dimension=dimension, embedder_name=embedder_name, namespace=namespace, **kwargs)
        store._check_dimension()
        return store

    def _check_dimension(self) -> None:
        stats = self._call("describe_index_stats", self._index.describe_index_stats)
        if stats.dimension is not None and int(stats.dimension) != self.dimension:
            raise DimensionMismatchError(
                f"Pinecone index has dimension {stats.dimension} but embedder {self.embedder_name!r} "
                f"produces {self.dimension}-d vectors; use another LIFESTREAM_PINECONE_INDEX or re-embed"
            )

    def in_namespace(self, namespace: str) -> PineconeVectorStore:
        """The same index and connection, reading and writing another namespace (one per owner)."""
        other = PineconeVectorStore(
            self._index,
            dimension=self.dimension,
            embedder_name=self.embedder_name,
            namespace=namespace,
            max_attempts=self.max_attempts,
            base_delay=self.base_delay,
            max_delay=self.max_delay,
            sleep=self._sleep,
        )
        other.requests = self.requests  # one request tally per connection
        return other

    # --- retries -----------------------------------------------------------------------------------------
    def _call(self, op: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        from pinecone.errors.exceptions import (
            ApiError,
            PineconeConnectionError,
            PineconeError,
            PineconeTimeoutError,
        )

        delay = self.base_delay
        for attempt in range(1, self.max_attempts + 1):
            self.requests[op] = self.requests.get(op, 0) + 1
            try:
                return fn(*args, **kwargs)
            except (PineconeConnectionError, PineconeTimeoutError) as exc:
                failure: Exception = exc
                retry_after = None
            except ApiError as exc:
                status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
                if status not in (408, 429) and not (isinstance(status, int) and status >= 500):
                    raise VectorStoreError(f"Pinecone {op} failed: {exc}") from exc
                failure = exc
                retry_after = getattr(exc, "retry_after", None)
            except PineconeError as exc:
                raise VectorStoreError(f"Pinecone {op} failed: {exc}") from exc
            if attempt == self.max_attempts:
                raise TransientError(
                    f"Pinecone {op} still failing after {attempt} attempts: {failure}"
                ) from failure
            wait = min(self.max_delay, max(retry_after or 0.0, delay * random.uniform(0.5, 1.5)))
            logger.warning("Pinecone %s failed (%s); retry %d in %.2fs", op, failure, attempt, wait)
            self._sleep(wait)
            delay *= 2
        raise AssertionError("unreachable")

    # --- VectorStore -------------------------------------------------------------------------------------
    def upsert(self, ids: Sequence[str], vectors, metadatas: Sequence[Metadata]) -> int:
        ids = list(ids)
        if not ids:
            return 0
        matrix = as_rows(vectors, self.dimension)
        check_batch(ids, matrix, metadatas)
        written = 0
        for batch in self._pack(ids, matrix, metadatas):
            response = self._call(
                "upsert", self._index.upsert, vectors=batch, namespace=self.namespace, show_progress=False
            )
            written += int(response.upserted_count)
        return written

    def _pack(
        self, ids: list[str], matrix: list[list[float]], metadatas: Sequence[Metadata]
    ) -> Iterator[list[dict]]:
        """Greedy packing: fill each request up to the record and byte limits before starting another."""
        batch: list[dict] = []
        size = 0
        for id_, vector, meta in zip(ids, matrix, metadatas, strict=True):
            encoded = _fit_metadata(id_, metadata_codec.encode(meta))
            record = {"id": id_, "values": wire_values(vector), "metadata": encoded}
            # The SDK serialises with orjson: compact, UTF-8, shortest float repr — the same bytes as this.
            record_bytes = len(json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()) + 1
            if batch and (len(batch) >= MAX_UPSERT_RECORDS or size + record_bytes > UPSERT_BYTE_BUDGET):
                yield batch
                batch, size = [], 0
            batch.append(record)
            size += record_bytes
        if batch:
            yield batch

    def query(self, vector, top_k: int = 5, filter: Filter | None = None) -> list[Match]:
        if top_k < 1:
            raise VectorStoreError(f"top_k must be at least 1, got {top_k}")
        q = as_rows(vector, self.dimension)
        if len(q) != 1:
            raise VectorStoreError(f"query takes one vector, got {len(q)}")
        validate_filter(filter)
        response = self._call(
            "query",
            self._index.query,
            vector=wire_values(q[0]),
            top_k=top_k,
            filter=dict(filter) if filter else None,
            include_metadata=True,
            namespace=self.namespace,
        )
        return [
            Match(
                id=m.id,
                score=max(-1.0, min(1.0, float(m.score))),
                metadata=metadata_codec.decode(m.metadata),
            )
            for m in response.matches
        ]

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for start in range(0, len(ids), MAX_DELETE_IDS):
            self._call(
                "delete",
                self._index.delete,
                ids=ids[start : start + MAX_DELETE_IDS],
                namespace=self.namespace,
            )

    def delete_by_filter(self, filter: Filter) -> None:
        if not filter:
            raise VectorStoreError("delete_by_filter needs a non-empty filter")
        validate_filter(filter)
        self._call("delete", self._index.delete, filter=dict(filter), namespace=self.namespace)

    def fetch(self, ids: Sequence[str]) -> dict[str, Record]:
        ids = list(ids)
        out: dict[str, Record] = {}
        for start in range(0, len(ids), FETCH_BATCH):
            response = self._call(
                "fetch", self._index.fetch, ids=ids[start : start + FETCH_BATCH], namespace=self.namespace
            )
            for id_, vec in response.vectors.items():
                out[id_] = Record(
                    id=id_,
                    vector=list(vec.values),
                    metadata=metadata_codec.decode(vec.metadata),
                )
        return out

    def count(self) -> int:
        stats = self._call("describe_index_stats", self._index.describe_index_stats)
        summary = stats.namespaces.get(self.namespace) or stats.namespaces.get(
            self.namespace or "__default__"
        )
        return int(summary.vector_count) if summary else 0

    def list_ids(self, prefix: str = "") -> Iterator[str]:
        token: str | None = None
        while True:
            page = self._call(
                "list",
                self._index.list_paginated,
                prefix=prefix or None,
                limit=LIST_PAGE,
                pagination_token=token,
                namespace=self.namespace,
            )
            for item in page.vectors:
                if item.id is not None:
                    yield item.id
            token = page.pagination.next if page.pagination is not None else None
            if not token:
                return

    def iter_records(self, batch_size: int = FETCH_BATCH) -> Iterator[list[Record]]:
        batch: list[str] = []
        for id_ in self.list_ids():
            batch.append(id_)
            if len(batch) >= batch_size:
                fetched = self.fetch(batch)
                yield [fetched[i] for i in batch if i in fetched]
                batch = []
        if batch:
            fetched = self.fetch(batch)
            yield [fetched[i] for i in batch if i in fetched]


def _metadata_bytes(encoded: Metadata) -> int:
    return len(json.dumps(encoded, separators=(",", ":"), ensure_ascii=False).encode())


def _fit_metadata(id_: str, encoded: Metadata) -> Metadata:
    """Pinecone caps metadata at 40 KB per record. A very long chunk text is shortened to fit (the
    vector still represents the whole text) rather than failing the whole video; anything else that
    is too big is an error."""
    size = _metadata_bytes(encoded)
    if size <= MAX_METADATA_BYTES:
        return encoded
    text = encoded.get("text")
    if isinstance(text, str):
        raw = text.encode()
        keep = max(0, len(raw) - (size - MAX_METADATA_BYTES) - 256)
        encoded = {**encoded, "text": raw[:keep].decode(errors="ignore") + " …", TRUNCATED_KEY: True}
        logger.warning(
            "metadata text of %s cut from %d to %d bytes to fit Pinecone's 40 KB", id_, len(raw), keep
        )
        size = _metadata_bytes(encoded)
    if size > MAX_METADATA_BYTES:
        raise VectorStoreError(f"metadata of {id_!r} is {size} bytes; Pinecone allows 40 KB per record")
    return encoded


def _ensure_index(
    pc: Any,
    name: str,
    *,
    dimension: int,
    embedder_name: str,
    cloud: str,
    region: str,
    create: bool,
    ready_timeout: float,
    poll_interval: float,
    host_override: str | None,
) -> str:
    from pinecone import ServerlessSpec
    from pinecone.errors.exceptions import NotFoundError, PineconeError

    try:
        try:
            model = pc.indexes.describe(name)
        except NotFoundError:
            if not create:
                raise VectorStoreError(f"Pinecone index {name!r} does not exist") from None
            logger.info("creating Pinecone serverless index %s (%d-d, cosine)", name, dimension)
            pc.indexes.create(
                name=name,
                dimension=dimension,
                metric="cosine",
                spec=ServerlessSpec(cloud=cloud, region=region),
                tags={EMBEDDER_TAG: _tag_value(embedder_name)},
                timeout=-1,  # we poll ourselves, at our own interval
            )
            model = pc.indexes.describe(name)
        deadline = time.monotonic() + ready_timeout
        while not model.status.ready:
            if model.status.state in ("InitializationFailed", "Terminating", "Disabled"):
                raise VectorStoreError(f"Pinecone index {name!r} is {model.status.state}")
            if time.monotonic() > deadline:
                raise TransientError(f"Pinecone index {name!r} not ready after {ready_timeout:.0f}s")
            time.sleep(poll_interval)
            model = pc.indexes.describe(name)
    except PineconeError as exc:
        raise VectorStoreError(f"Pinecone control plane: {exc}") from exc
    existing_dim = _index_dimension(model)
    if existing_dim is not None and existing_dim != dimension:
        raise DimensionMismatchError(
            f"Pinecone index {name!r} has dimension {existing_dim} but the embedder produces {dimension}-d vectors"
        )
    tagged = (model.tags or {}).get(EMBEDDER_TAG)
    if tagged and tagged != _tag_value(embedder_name):
        raise DimensionMismatchError(
            f"Pinecone index {name!r} was built with embedder {tagged!r}, not {embedder_name!r}"
        )
    host = host_override or model.host
    if not host:
        raise VectorStoreError(f"Pinecone index {name!r} has no host yet")
    return host


def _tag_value(embedder_name: str) -> str:
    # Tag values allow letters, digits, '_' and '-' only.
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in embedder_name)[:120]


def _index_dimension(model: Any) -> int | None:
    try:
        return int(model.schema.fields["_values"].dimension)
    except (AttributeError, KeyError, TypeError):
        return getattr(model, "dimension", None)
