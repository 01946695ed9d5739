"""The job store's own error: a fenced write refused because the writer lost its claim."""

from __future__ import annotations

from lifestream.core.errors import LifeStreamError
from lifestream.jobs.records import JobRecord


class ClaimLostError(LifeStreamError):
    """A fenced write was refused: the writer no longer holds the job's claim. `job` is the job as it is
    now (another worker's, or finished), or None when the job no longer exists (superseded and removed)."""

    def __init__(self, message: str, *, job: JobRecord | None) -> None:
        super().__init__(message)
        self.job = job

    @property
    def gone(self) -> bool:
        return self.job is None
