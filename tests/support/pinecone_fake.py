"""A loopback Pinecone: control plane (describe/create/list/delete index) and the data plane of
serverless indexes, over real HTTP on 127.0.0.1, for the `pinecone` 10.x SDK (API version 2026-07).

It checks what the SDK sends as the real service does and rejects what the service would reject:
- every request carries `Api-Key` (must match) and `X-Pinecone-Api-Version`;
- upsert: at most 1000 records and 2 MB per request (400 / 413), ids 1..512 chars, `values` of the
  index dimension, metadata only strings, numbers, booleans and lists of strings, <= 40 KB per record;
- query and delete-by-filter: `topK` 1..10000, vector of the index dimension, filters in Pinecone's
  operator language (https://docs.pinecone.io/guides/search/filter-by-metadata), checked and evaluated
  by tests/support/pinecone_filter.py: an implementation written from Pinecone's documentation (every
  source, and each choice where the docs are silent, is cited there), independent of the
  lifestream.memory.vectors.filters that FAISS uses, so the contract suite compares two readings of the
  docs rather than one with itself; a rejected filter is a 400 INVALID_ARGUMENT;
- list: pages of at most 100 ids with a pagination token; fetch takes ids from the query string.
Scores are cosine similarity, as in a `metric=cosine` index.

Faults: `fail_next(n, status=429, retry_after=None, path=None)` answers the next n matching requests
with that status. Every request is logged in `requests` (method, path, body size, record count),
which bench_requests.py uses to count round trips.
"""

from __future__ import annotations

import base64
import json
import math
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support import pinecone_filter
from tests.support.loopback_http import LoopbackFake, Reply

MAX_UPSERT_RECORDS = 1000
MAX_REQUEST_BYTES = 2 * 1024 * 1024
MAX_METADATA_BYTES = 40 * 1024
MAX_TOP_K = 10_000
MAX_LIST_LIMIT = 100
DEFAULT_API_KEY = "pc-test-key"


@dataclass
class LoggedRequest:
    method: str
    path: str
    body_bytes: int
    records: int = 0
    status: int = 200


@dataclass
class FakeIndex:
    name: str
    dimension: int
    metric: str = "cosine"
    tags: dict[str, str] = field(default_factory=dict)
    cloud: str = "aws"
    region: str = "us-east-1"
    polls_until_ready: int = 0
    namespaces: dict[str, dict[str, tuple[list[float], dict[str, Any]]]] = field(default_factory=dict)


class _Reject(Exception):
    def __init__(self, status: int, message: str, code: str = "INVALID_ARGUMENT"):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


class PineconeFake(LoopbackFake):
    thread_name = "pinecone-fake"

    def __init__(self, *, api_key: str = DEFAULT_API_KEY, ready_after_polls: int = 0) -> None:
        super().__init__()
        self.api_key = api_key
        self.ready_after_polls = ready_after_polls
        self.indexes: dict[str, FakeIndex] = {}
        self.requests: list[LoggedRequest] = []
        self.create_bodies: list[dict[str, Any]] = []
        self._faults: list[
            tuple[int, int, float | None, str | None]
        ] = []  # [count, status, retry_after, path]
        self._lock = threading.RLock()

    def respond(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        status, payload, extra = self.handle(method, raw_path, headers, body)
        data = json.dumps(payload).encode() if payload is not None else b""
        return status, {"Content-Type": "application/json", **extra}, data

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- test controls -----------------------------------------------------------------------------------
    def create_index(self, name: str, dimension: int, **kwargs: Any) -> FakeIndex:
        with self._lock:
            self.indexes[name] = FakeIndex(name=name, dimension=dimension, **kwargs)
            return self.indexes[name]

    def fail_next(
        self, n: int, *, status: int = 429, retry_after: float | None = None, path: str | None = None
    ) -> None:
        with self._lock:
            self._faults.append((n, status, retry_after, path))

    def count(self, path: str, method: str | None = None) -> int:
        return sum(1 for r in self.requests if r.path == path and (method is None or r.method == method))

    @property
    def data_index(self) -> FakeIndex:
        # The data plane of this fake serves one index: the only (or most recently created) one.
        if not self.indexes:
            raise _Reject(404, "no index exists", "NOT_FOUND")
        return list(self.indexes.values())[-1]

    def vectors(self, namespace: str = "") -> dict[str, tuple[list[float], dict[str, Any]]]:
        return self.data_index.namespaces.get(namespace, {})

    # --- dispatch ----------------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes):
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        logged = LoggedRequest(method=method, path=path, body_bytes=len(body))
        with self._lock:
            self.requests.append(logged)
            lowered = {k.lower(): v for k, v in headers.items()}
            try:
                if lowered.get("api-key") != self.api_key:
                    raise _Reject(401, "Invalid API key", "UNAUTHENTICATED")
                if not lowered.get("x-pinecone-api-version"):
                    raise _Reject(400, "missing X-Pinecone-Api-Version header")
                fault = self._take_fault(path)
                if fault is not None:
                    status, retry_after = fault
                    logged.status = status
                    extra = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                    return (
                        status,
                        {"error": {"code": "INJECTED", "message": f"injected {status}"}, "status": status},
                        extra,
                    )
                payload = json.loads(body) if body else {}
                status, result = self._route(method, path, query, payload, logged)
                logged.status = status
                return status, result, {}
            except _Reject as exc:
                logged.status = exc.status
                return (
                    exc.status,
                    {"error": {"code": exc.code, "message": exc.message}, "status": exc.status},
                    {},
                )
            except pinecone_filter.FilterRejected as exc:
                logged.status = 400
                return 400, {"error": {"code": "INVALID_ARGUMENT", "message": str(exc)}, "status": 400}, {}

    def _take_fault(self, path: str) -> tuple[int, float | None] | None:
        for i, (n, status, retry_after, only) in enumerate(self._faults):
            if only is None or only == path:
                if n <= 1:
                    self._faults.pop(i)
                else:
                    self._faults[i] = (n - 1, status, retry_after, only)
                return status, retry_after
        return None

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any, logged: LoggedRequest):
        if path == "/indexes" and method == "POST":
            return self._create(body)
        if path == "/indexes" and method == "GET":
            return 200, {"indexes": [self._model(ix) for ix in self.indexes.values()]}
        if path.startswith("/indexes/"):
            name = unquote(path.removeprefix("/indexes/"))
            if name not in self.indexes:
                raise _Reject(404, f"Resource {name} not found", "NOT_FOUND")
            if method == "DELETE":
                del self.indexes[name]
                return 202, None
            index = self.indexes[name]
            if index.polls_until_ready > 0:
                index.polls_until_ready -= 1
            return 200, self._model(index)
        routes = {
            ("POST", "/vectors/upsert"): self._upsert,
            ("POST", "/query"): self._query,
            ("GET", "/vectors/fetch"): self._fetch,
            ("POST", "/vectors/delete"): self._delete,
            ("POST", "/describe_index_stats"): self._stats,
            ("GET", "/vectors/list"): self._list,
        }
        handler = routes.get((method, path))
        if handler is None:
            raise _Reject(404, f"no route {method} {path}", "NOT_FOUND")
        return handler(body, query, logged)

    # --- control plane -----------------------------------------------------------------------------------
    def _create(self, body: dict[str, Any]):
        self.create_bodies.append(body)
        name = body.get("name")
        if not name:
            raise _Reject(400, "name is required")
        if name in self.indexes:
            raise _Reject(409, f"Resource {name} already exists", "ALREADY_EXISTS")
        try:
            field_spec = body["schema"]["fields"]["_values"]
            dimension = int(field_spec["dimension"])
            metric = field_spec.get("metric", "cosine")
        except (KeyError, TypeError, ValueError):
            raise _Reject(400, f"expected a dense vector schema, got {body.get('schema')!r}") from None
        deployment = body.get("deployment") or {}
        index = self.create_index(
            name,
            dimension,
            metric=metric,
            tags=dict(body.get("tags") or {}),
            cloud=deployment.get("cloud", "aws"),
            region=deployment.get("region", "us-east-1"),
            polls_until_ready=self.ready_after_polls,
        )
        return 201, self._model(index)

    def _model(self, index: FakeIndex) -> dict[str, Any]:
        ready = index.polls_until_ready == 0
        return {
            "name": index.name,
            "host": self.url,
            "status": {"ready": ready, "state": "Ready" if ready else "Initializing"},
            "schema": {
                "fields": {
                    "_values": {"type": "dense_vector", "dimension": index.dimension, "metric": index.metric}
                }
            },
            "deployment": {"deployment_type": "managed", "cloud": index.cloud, "region": index.region},
            "deletion_protection": "disabled",
            "tags": index.tags or None,
        }

    # --- data plane --------------------------------------------------------------------------------------
    def _namespace(self, name: str) -> dict[str, tuple[list[float], dict[str, Any]]]:
        return self.data_index.namespaces.setdefault(name or "", {})

    def _check_vector(self, values: Any, what: str) -> list[float]:
        dim = self.data_index.dimension
        if not isinstance(values, list) or len(values) != dim:
            got = len(values) if isinstance(values, list) else type(values).__name__
            raise _Reject(
                400, f"{what}: vector dimension {got} does not match the dimension of the index {dim}"
            )
        if not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values
        ):
            raise _Reject(400, f"{what}: values must be finite numbers")
        return [float(v) for v in values]

    @staticmethod
    def _check_metadata(meta: Any, id_: str) -> dict[str, Any]:
        if meta is None:
            return {}
        if not isinstance(meta, dict):
            raise _Reject(400, f"metadata of {id_!r} must be an object")
        for key, value in meta.items():
            ok = (
                isinstance(value, (str, bool))
                or (isinstance(value, (int, float)) and math.isfinite(value))
                or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            )
            if not ok:
                raise _Reject(
                    400,
                    f"Metadata value for field {key!r} of {id_!r} must be a string, number, boolean or list of strings",
                )
        if len(json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_METADATA_BYTES:
            raise _Reject(400, f"Metadata size of {id_!r} exceeds the limit of 40960 bytes")
        return meta

    def _upsert(self, body: dict[str, Any], query: Any, logged: LoggedRequest):
        if logged.body_bytes > MAX_REQUEST_BYTES:
            raise _Reject(
                413, f"request size {logged.body_bytes} exceeds the maximum of {MAX_REQUEST_BYTES} bytes"
            )
        vectors = body.get("vectors")
        if not isinstance(vectors, list) or not vectors:
            raise _Reject(400, "vectors must be a non-empty list")
        if len(vectors) > MAX_UPSERT_RECORDS:
            raise _Reject(400, f"upsert of {len(vectors)} vectors exceeds the limit of {MAX_UPSERT_RECORDS}")
        logged.records = len(vectors)
        staged = []
        for record in vectors:
            id_ = record.get("id")
            if not isinstance(id_, str) or not 1 <= len(id_) <= 512:
                raise _Reject(400, f"vector id must be a string of 1 to 512 characters, got {id_!r}")
            values = self._check_vector(record.get("values"), id_)
            meta = self._check_metadata(record.get("metadata"), id_)
            staged.append((id_, values, dict(meta)))
        ns = self._namespace(body.get("namespace", ""))
        for id_, values, meta in staged:
            ns[id_] = (values, meta)
        return 200, {"upsertedCount": len(staged)}

    def _query(self, body: dict[str, Any], query: Any, logged: LoggedRequest):
        top_k = body.get("topK")
        if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise _Reject(400, f"topK must be an integer between 1 and {MAX_TOP_K}")
        if "vector" not in body:
            raise _Reject(400, "query needs a vector")
        q = self._check_vector(body["vector"], "query")
        flt = body.get("filter")
        pinecone_filter.check(flt)
        qn = math.sqrt(sum(v * v for v in q)) or 1.0
        scored = []
        for id_, (values, meta) in self._namespace(body.get("namespace", "")).items():
            if pinecone_filter.matches(flt, meta):
                vn = math.sqrt(sum(v * v for v in values)) or 1.0
                scored.append(
                    (sum(a * b for a, b in zip(q, values, strict=True)) / (qn * vn), id_, values, meta)
                )
        scored.sort(key=lambda item: (-item[0], item[1]))
        matches = []
        for score, id_, values, meta in scored[:top_k]:
            match: dict[str, Any] = {
                "id": id_,
                "score": score,
                "values": values if body.get("includeValues") else [],
            }
            if body.get("includeMetadata"):
                match["metadata"] = meta
            matches.append(match)
        logged.records = len(matches)
        return 200, {"matches": matches, "namespace": body.get("namespace", ""), "usage": {"readUnits": 5}}

    def _fetch(self, body: Any, query: dict[str, list[str]], logged: LoggedRequest):
        ids = query.get("ids") or []
        if not ids:
            raise _Reject(400, "ids are required")
        namespace = (query.get("namespace") or [""])[0]
        ns = self._namespace(namespace)
        found = {id_: {"id": id_, "values": ns[id_][0], "metadata": ns[id_][1]} for id_ in ids if id_ in ns}
        logged.records = len(found)
        return 200, {"vectors": found, "namespace": namespace, "usage": {"readUnits": 1}}

    def _delete(self, body: dict[str, Any], query: Any, logged: LoggedRequest):
        ns = self._namespace(body.get("namespace", ""))
        if "filter" in body:
            pinecone_filter.check(body["filter"])
        selectors = [k for k in ("ids", "deleteAll", "filter") if body.get(k)]
        if len(selectors) != 1:
            raise _Reject(400, "delete needs exactly one of ids, deleteAll, filter")
        if body.get("ids"):
            if len(body["ids"]) > 1000:
                raise _Reject(400, "delete accepts at most 1000 ids")
            for id_ in body["ids"]:
                ns.pop(id_, None)
            logged.records = len(body["ids"])
        elif body.get("deleteAll"):
            ns.clear()
        else:
            doomed = [id_ for id_, (_, meta) in ns.items() if pinecone_filter.matches(body["filter"], meta)]
            for id_ in doomed:
                del ns[id_]
            logged.records = len(doomed)
        return 200, {}

    def _stats(self, body: dict[str, Any], query: Any, logged: LoggedRequest):
        index = self.data_index
        namespaces = {name: {"vectorCount": len(vs)} for name, vs in index.namespaces.items() if vs}
        return 200, {
            "namespaces": namespaces,
            "dimension": index.dimension,
            "indexFullness": 0.0,
            "totalVectorCount": sum(len(vs) for vs in index.namespaces.values()),
            "metric": index.metric,
            "vectorType": "dense",
        }

    def _list(self, body: Any, query: dict[str, list[str]], logged: LoggedRequest):
        namespace = (query.get("namespace") or [""])[0]
        prefix = (query.get("prefix") or [""])[0]
        limit = int((query.get("limit") or [MAX_LIST_LIMIT])[0])
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise _Reject(400, f"limit must be between 1 and {MAX_LIST_LIMIT}")
        token = (query.get("paginationToken") or [None])[0]
        after = base64.urlsafe_b64decode(token.encode()).decode() if token else None
        ids = sorted(
            i for i in self._namespace(namespace) if i.startswith(prefix) and (after is None or i > after)
        )
        page = ids[:limit]
        result: dict[str, Any] = {
            "vectors": [{"id": i} for i in page],
            "namespace": namespace,
            "usage": {"readUnits": 1},
        }
        if len(ids) > limit:
            result["pagination"] = {"next": base64.urlsafe_b64encode(page[-1].encode()).decode()}
        logged.records = len(page)
        return 200, result
