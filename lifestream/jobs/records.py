"""What the job store hands out: a job as read (`JobRecord`, one query joins its video) and the answer to
a claim (`Claim`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Select, select

from lifestream.core.errors import JobNotFoundError
from lifestream.jobs.schema import Job, JobStatus, Video

# deferred: claimable, but its owner already has as many jobs processing as the quota allows.
ClaimOutcome = Literal["claimed", "completed", "busy", "failed", "deferred"]


class JobRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    video_id: str
    owner: str
    bucket: str
    key: str
    version: str
    status: JobStatus
    stage: str | None
    progress: float
    attempts: int
    error: str | None
    result_keys: dict[str, str] | None
    checkpoint: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration: float | None
    recorded_at: datetime | None
    chunk_count: int | None
    size: int | None = None
    source: str | None = None
    claimed_by: str | None = None
    heartbeat_at: datetime | None = None
    reason: str | None = None


class Claim(BaseModel):
    outcome: ClaimOutcome
    job: JobRecord
    # True when this claim continues earlier work: a stale claim taken over, or a released job that
    # saved a checkpoint. The worker then resumes from the checkpoint instead of starting over.
    resumed: bool = False

    @property
    def claimed(self) -> bool:
        return self.outcome == "claimed"


def select_records() -> Select:
    """The query of `JobRecord`s: each job with its video's columns."""
    return select(
        Job.id,
        Job.video_id,
        Job.owner,
        Video.bucket,
        Video.key,
        Video.version,
        Job.status,
        Job.stage,
        Job.progress,
        Job.attempts,
        Job.error,
        Job.reason,
        Job.result_keys,
        Job.checkpoint,
        Job.created_at,
        Job.updated_at,
        Job.started_at,
        Job.finished_at,
        Video.duration,
        Video.recorded_at,
        Video.chunk_count,
        Video.size,
        Video.source,
        Job.claimed_by,
        Job.heartbeat_at,
    ).join(Video, Video.id == Job.video_id)


def load_record(conn: Connection, job_id: int) -> JobRecord:
    row = conn.execute(select_records().where(Job.id == job_id)).mappings().one_or_none()
    if row is None:
        raise JobNotFoundError(f"no job with id {job_id}")
    return JobRecord.model_validate(dict(row))
