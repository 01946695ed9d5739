"""Everything a worker invocation needs, built once per process (a warm Lambda reuses it).

Heavy parts (embedding model, vector store, database engine) are created on first use, so importing the
handler stays fast and an `s3:TestEvent` never loads a model.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from lifestream.core.settings import Settings, load_settings


class WorkerRuntime:
    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Any | None = None,
        store: Any | None = None,
        jobs: Any | None = None,
        tmp_root: Path | None = None,
        progress_listener: Callable[[str, str, float], None] | None = None,
    ) -> None:
        self.settings = settings
        # (key, stage, fraction) after each unit of work; the local worker shows it, Lambda has none.
        self.progress_listener = progress_listener
        self.tmp_root = Path(tmp_root or tempfile.gettempdir())
        self._lock = threading.Lock()
        self._s3_services: dict[str, Any] = {}
        self._queues: dict[str, tuple[str, int]] = {}
        self._parts = {"embedder": embedder, "store": store}
        if jobs is not None:
            self.__dict__["jobs"] = jobs

    @cached_property
    def jobs(self):
        from lifestream.jobs import JobStore

        return JobStore.from_settings(self.settings)

    @cached_property
    def index(self):
        """Every owner's search index, sharing one embedder, vector store and the job store's database."""
        from lifestream.memory.video_index import IndexParts

        return IndexParts(self.settings, jobs=self.jobs, **self._parts)

    @property
    def embedder(self):
        return self.index.embedder

    @property
    def store(self):
        return self.index.store

    @cached_property
    def sqs_client(self):
        return self.settings.client("sqs")

    def queue_of(self, queue_arn: str) -> tuple[str, int]:
        """(URL, visibility timeout) of the queue an event source ARN names, asked once per process."""
        with self._lock:
            if queue_arn not in self._queues:
                _, _, _, _, account, name = queue_arn.split(":", 5)
                sqs = self.sqs_client
                url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
                attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
                self._queues[queue_arn] = (url, int(attributes["Attributes"]["VisibilityTimeout"]))
            return self._queues[queue_arn]

    def s3(self, bucket: str):
        """An `S3Service` for the bucket an event names (results go beside the upload)."""
        with self._lock:
            if bucket not in self._s3_services:
                from lifestream.storage.s3_service import S3Service

                self._s3_services[bucket] = S3Service.from_settings(self.settings, bucket=bucket)
            return self._s3_services[bucket]

    def results(self, bucket: str):
        """Where the results of an upload in `bucket` go: beside it, in the same bucket."""
        from lifestream.storage.results import S3Results

        return S3Results(self.s3(bucket))

    def warm(self) -> None:
        """Build the heavy parts now (the local worker does this before it starts the clock)."""
        _ = self.jobs, self.index.store


_runtime: WorkerRuntime | None = None
_runtime_lock = threading.Lock()


def get_runtime() -> WorkerRuntime:
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = WorkerRuntime(load_settings())
        return _runtime


def configure(settings: Settings | None = None, **parts: Any) -> WorkerRuntime:
    """Install the runtime the handler will use (local worker, tests); returns it."""
    global _runtime
    with _runtime_lock:
        _runtime = WorkerRuntime(settings or load_settings(), **parts)
        return _runtime


def reset() -> None:
    global _runtime
    with _runtime_lock:
        _runtime = None
