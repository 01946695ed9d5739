"""Claiming a video's job, atomically on both engines without a read-then-write race.

Design note: the video and job rows are created with INSERT … ON CONFLICT DO NOTHING, then taken with a
conditional UPDATE whose WHERE clause states what may be claimed (a stale claim first, else a queued job);
the row count says who won. PostgreSQL re-checks the clause after waiting for a concurrent writer's row
lock and SQLite serialises writers, so exactly one claimer wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lifestream.core.errors import LifeStreamError
from lifestream.jobs.records import Claim, ClaimOutcome, load_record
from lifestream.jobs.schema import Job, JobStatus, Video
from lifestream.jobs.usage import lock_owner


def claim_job(
    conn: Connection,
    candidate: str,
    *,
    now: datetime,
    bucket: str,
    key: str,
    version: str,
    size: int | None,
    worker_id: str,
    stale_after: float,
    source: str | None,
    owner: str,
    max_processing: int | None = None,
) -> Claim:
    """Claim the job of the object (bucket, key, version), creating its rows under the video id
    `candidate` unless the object has one already. With `max_processing`, a job whose owner has that
    many other jobs processing (live claims) is `deferred` instead of taken."""
    _insert_once(
        conn,
        Video,
        {
            "id": candidate,
            "bucket": bucket,
            "key": key,
            "version": version,
            "size": size,
            "source": source,
            "created_at": now,
        },
    )
    # By the object, not by the computed id: a first claim under another name (a copy of a
    # local file) already chose the id.
    video_id = conn.execute(
        select(Video.id).where(Video.bucket == bucket, Video.key == key, Video.version == version)
    ).scalar_one_or_none()
    if video_id is None:
        # Two uploads whose ids collide (40-bit hash + same slug): never mix their jobs.
        holder = conn.execute(
            select(Video.bucket, Video.key, Video.version).where(Video.id == candidate)
        ).one()
        raise LifeStreamError(
            f"video id {candidate} of s3://{bucket}/{key} ({version}) is already used by "
            f"s3://{holder.bucket}/{holder.key} ({holder.version})"
        )
    _insert_once(
        conn,
        Job,
        {
            "video_id": video_id,
            "owner": owner,
            "status": JobStatus.QUEUED.value,
            "progress": 0.0,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        },
    )
    take = dict(
        status=JobStatus.PROCESSING.value,
        claimed_by=worker_id,
        heartbeat_at=now,
        updated_at=now,
        attempts=Job.attempts + 1,
        started_at=func.coalesce(Job.started_at, now),
        finished_at=None,
    )
    fresh = now - timedelta(seconds=stale_after)
    if max_processing is not None and _owner_is_full(conn, owner, video_id, fresh, max_processing):
        job = load_record(conn, conn.execute(select(Job.id).where(Job.video_id == video_id)).scalar_one())
        claimable = job.status == JobStatus.QUEUED or (
            job.status == JobStatus.PROCESSING and (job.heartbeat_at is None or job.heartbeat_at < fresh)
        )
        if claimable:
            return Claim(outcome="deferred", job=job)
    stale = conn.execute(
        update(Job)
        .where(
            Job.video_id == video_id,
            Job.status == JobStatus.PROCESSING.value,
            or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < now - timedelta(seconds=stale_after)),
        )
        .values(**take)
        .returning(Job.id)
    ).scalar_one_or_none()
    if stale is not None:
        return Claim(outcome="claimed", job=load_record(conn, stale), resumed=True)
    queued = conn.execute(
        update(Job)
        .where(Job.video_id == video_id, Job.status == JobStatus.QUEUED.value)
        .values(**take)
        .returning(Job.id)
    ).scalar_one_or_none()
    if queued is not None:
        job = load_record(conn, queued)
        return Claim(outcome="claimed", job=job, resumed=job.checkpoint is not None)
    # Nobody can take it: processing with a live heartbeat, completed or failed. (If another
    # worker released it in the instant since, it reads as queued and is reported busy: the
    # caller retries later, which is always safe.)
    job_id = conn.execute(select(Job.id).where(Job.video_id == video_id)).scalar_one()
    job = load_record(conn, job_id)
    outcome: ClaimOutcome = {
        JobStatus.COMPLETED: "completed",
        JobStatus.FAILED: "failed",
    }.get(job.status, "busy")
    return Claim(outcome=outcome, job=job)


def _owner_is_full(conn: Connection, owner: str, video_id: str, fresh: datetime, limit: int) -> bool:
    # One claim of this owner at a time until the transaction ends, so two workers cannot both see room
    # for one more.
    lock_owner(conn, "owner", owner)
    processing = conn.execute(
        select(func.count())
        .select_from(Job)
        .where(
            Job.owner == owner,
            Job.video_id != video_id,
            Job.status == JobStatus.PROCESSING.value,
            Job.heartbeat_at >= fresh,
        )
    ).scalar_one()
    return processing >= limit


def _insert_once(conn: Connection, model, values: dict[str, Any]) -> None:
    # No conflict target: a concurrent insert may collide on any unique key (id or the object
    # triple), and both mean "the row exists now".
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())
