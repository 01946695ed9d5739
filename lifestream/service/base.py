"""The parts every service call shares, built on first use and shared by every request of the process:
the job store, the search index of each owner, S3, and where a job's results live.

Every method of the service takes the owner explicitly and scopes by it: the job store filters by
`owner`, the index is the owner's, objects are addressed from the owner's job. Another user's video or
job raises the same `NotFoundError` as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from lifestream.core.errors import NotFoundError
from lifestream.core.settings import Settings
from lifestream.core.timefmt import local_zone

if TYPE_CHECKING:
    from lifestream.jobs import JobRecord, JobStore
    from lifestream.memory.video_index import IndexParts, VideoIndex
    from lifestream.storage.results import ResultStore

MAX_PAGE = 200


def not_found(video_id: str) -> NotFoundError:
    return NotFoundError(f"no video {video_id!r}")


class LibraryBase:
    def __init__(
        self,
        settings: Settings,
        *,
        jobs: JobStore | None = None,
        store: Any = None,
        embedder: Any = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        self._index_parts = {"store": store, "embedder": embedder}
        if jobs is not None:
            self.__dict__["jobs"] = jobs

    @cached_property
    def zone(self) -> dt.tzinfo:
        return local_zone(self.settings.timezone)

    @cached_property
    def jobs(self) -> JobStore:
        from lifestream.jobs import JobStore

        return JobStore.from_settings(self.settings)

    @cached_property
    def index_parts(self) -> IndexParts:
        from lifestream.memory.video_index import IndexParts

        with self._lock:
            return IndexParts(self.settings, jobs=self.jobs, **self._index_parts)

    def index(self, owner: str) -> VideoIndex:
        """The owner's search index (their vectors, their lexical rows)."""
        return self.index_parts.for_owner(owner)

    @property
    def embedder(self):
        return self.index_parts.embedder

    @property
    def store(self):
        """The whole vector store, every owner's vectors (`index(owner)` is one owner's)."""
        return self.index_parts.store

    @cached_property
    def s3(self):
        from lifestream.storage.s3_service import S3Service

        return S3Service.from_settings(self.settings)

    def bucket_service(self, bucket: str):
        """The S3 service of a job's bucket (the configured one, but for jobs recorded elsewhere)."""
        from lifestream.storage.s3_service import S3Service

        return self.s3 if bucket == self.s3.bucket else S3Service.from_settings(self.settings, bucket=bucket)

    def results(self, job: JobRecord) -> ResultStore:
        """Where this job's outputs are: files under the data directory or objects in its bucket."""
        from lifestream.storage.results import ResultStore

        return ResultStore.for_job(job.bucket, self.settings, self.bucket_service)

    def close(self) -> None:
        if "jobs" in self.__dict__:
            self.jobs.close()

    def _job(self, owner: str, video_id: str) -> JobRecord:
        job = self.jobs.find_by_video(video_id, owner=owner)
        if job is None:
            raise not_found(video_id)
        return job
