"""The job store: one row per uploaded video and one job per video, shared by every worker.

Design note: every write a worker makes to a claimed job is fenced like the claim itself (claims.py):
`WHERE id = … AND claimed_by = <its worker id> AND status = 'processing'`. A worker whose claim went stale
and was taken over (or whose job finished or was removed meanwhile) gets `ClaimLostError` and must stop
without touching the job: the new holder owns its results, checkpoint and outcome. Time comes from
`clock`, so claim ageing is testable without sleeps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, select, update

from lifestream.core.constants import LOCAL_USER
from lifestream.core.errors import JobNotFoundError, LifeStreamError
from lifestream.jobs.claims import claim_job
from lifestream.jobs.engine import describe, follow_password_rotation, make_engine, translate_errors
from lifestream.jobs.errors import ClaimLostError
from lifestream.jobs.ids import video_id_for
from lifestream.jobs.migrate import run_migrations
from lifestream.jobs.records import Claim, JobRecord, load_record, select_records
from lifestream.jobs.schema import Job, JobStatus, Video, utcnow
from lifestream.jobs.usage import Usage

MAX_ERROR_CHARS = 4000
_T = TypeVar("_T")


def _truncate(error: str) -> str:
    return error if len(error) <= MAX_ERROR_CHARS else error[: MAX_ERROR_CHARS - 1] + "…"


def _parse_job_id(job_id: int | str) -> int:
    # Ids travel through SQS messages and the command line as text.
    try:
        return int(job_id)
    except (TypeError, ValueError):
        raise JobNotFoundError(f"no job with id {job_id!r} (job ids are numbers)") from None


class JobStore:
    def __init__(self, url: str, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine: Engine = make_engine(url)
        # Timezone-aware "now"; tests inject a clock they advance instead of sleeping.
        self.clock = clock
        # Rate-limit buckets and upload tickets, in the same database (lifestream.jobs.usage).
        self.usage = Usage(self.engine, lambda: self.clock())

    @classmethod
    def from_settings(cls, settings) -> JobStore:
        """The configured store; a SQLite store is migrated on open, since nothing else would do it."""
        store = cls(settings.resolved_database_url)
        if settings.database_secret and not settings.database_url:
            from lifestream.core.secrets import database_credentials

            secret = settings.database_secret
            follow_password_rotation(
                store.engine, lambda refresh: database_credentials(secret, refresh=refresh)["password"]
            )
        if store.engine.dialect.name == "sqlite":
            store.migrate()
        return store

    def __repr__(self) -> str:
        return f"JobStore({describe(self.engine)!r})"

    def close(self) -> None:
        self.engine.dispose()

    def migrate(self) -> str:
        """Bring the schema to the newest revision (idempotent); returns that revision."""
        with translate_errors(self.engine):
            return run_migrations(self.engine)

    def revision(self) -> str | None:
        """The schema revision the database is at (None before the first migration)."""
        from lifestream.jobs.migrate import current_revision

        with translate_errors(self.engine), self.engine.connect() as conn:
            return current_revision(conn)

    # --- internals ------------------------------------------------------------------------------------
    def _tx(self, work: Callable[[Connection], _T]) -> _T:
        with translate_errors(self.engine), self.engine.begin() as conn:
            return work(conn)

    @staticmethod
    def _held_by(jid: int, worker_id: str):
        return (Job.id == jid, Job.claimed_by == worker_id, Job.status == JobStatus.PROCESSING.value)

    def _refused(self, conn: Connection, jid: int, worker_id: str) -> ClaimLostError:
        try:
            job: JobRecord | None = load_record(conn, jid)
        except JobNotFoundError:
            job = None
        if job is None:
            return ClaimLostError(f"job {jid} no longer exists; {worker_id} stops", job=None)
        holder = f"claimed by {job.claimed_by}" if job.claimed_by else "not claimed"
        return ClaimLostError(
            f"job {jid} is {job.status} and {holder}, no longer held by {worker_id}; its write was refused",
            job=job,
        )

    def _fenced(self, job_id: int | str, worker_id: str, **values: Any) -> JobRecord:
        jid = _parse_job_id(job_id)

        def work(conn: Connection) -> JobRecord:
            result = conn.execute(
                update(Job).where(*self._held_by(jid, worker_id)).values(updated_at=self.clock(), **values)
            )
            if result.rowcount == 0:
                raise self._refused(conn, jid, worker_id)
            return load_record(conn, jid)

        return self._tx(work)

    # --- claiming -------------------------------------------------------------------------------------
    def claim(
        self,
        *,
        bucket: str,
        key: str,
        version: str,
        size: int | None = None,
        worker_id: str,
        stale_after: float,
        name: str | None = None,
        source: str | None = None,
        owner: str = LOCAL_USER,
        max_processing: int | None = None,
    ) -> Claim:
        """Claim the job of the object (bucket, key, version). `name` gives the video id its readable
        part when the key has none; `source` is recorded for people (a local file's path); `owner` is
        who the video belongs to (the caller derives it from the key: lifestream.core.ownership);
        `max_processing` caps the owner's jobs processing at once (`deferred` beyond it: claims.py)."""
        candidate = video_id_for(bucket, key, version, name=name)

        def work(conn: Connection) -> Claim:
            return claim_job(
                conn,
                candidate,
                now=self.clock(),
                bucket=bucket,
                key=key,
                version=version,
                size=size,
                worker_id=worker_id,
                stale_after=stale_after,
                source=source,
                owner=owner,
                max_processing=max_processing,
            )

        return self._tx(work)

    # --- a claimed job's life: every write is fenced by the claim (see the module docstring) -----------
    def update_progress(
        self,
        job_id: int | str,
        *,
        worker_id: str,
        stage: str,
        progress: float,
        checkpoint: dict[str, Any] | None = None,
    ) -> JobRecord:
        """Record progress; it doubles as the claim's heartbeat."""
        if not 0.0 <= progress <= 1.0:
            raise ValueError(f"progress must be between 0 and 1, got {progress}")
        values: dict[str, Any] = {"stage": stage, "progress": progress, "heartbeat_at": self.clock()}
        if checkpoint is not None:
            values["checkpoint"] = checkpoint
        return self._fenced(job_id, worker_id, **values)

    def release(self, job_id: int | str, *, worker_id: str, checkpoint: dict[str, Any] | None) -> JobRecord:
        """Hand the job back (queued) keeping stage, progress and checkpoint, so that the continuation
        message — sent after this — can claim it at once and resume."""
        values: dict[str, Any] = {"status": JobStatus.QUEUED.value, "claimed_by": None, "heartbeat_at": None}
        if checkpoint is not None:
            values["checkpoint"] = checkpoint
        return self._fenced(job_id, worker_id, **values)

    def complete(
        self,
        job_id: int | str,
        *,
        worker_id: str,
        result_keys: dict[str, str],
        duration: float | None,
        recorded_at: datetime | None,
        chunk_count: int | None,
    ) -> JobRecord:
        jid = _parse_job_id(job_id)

        def work(conn: Connection) -> JobRecord:
            now = self.clock()
            result = conn.execute(
                update(Job)
                .where(*self._held_by(jid, worker_id))
                .values(
                    status=JobStatus.COMPLETED.value,
                    stage="done",
                    progress=1.0,
                    error=None,
                    reason=None,
                    result_keys=dict(result_keys),
                    checkpoint=None,
                    claimed_by=None,
                    heartbeat_at=None,
                    finished_at=now,
                    updated_at=now,
                )
                .returning(Job.video_id)
            ).scalar_one_or_none()
            if result is None:
                raise self._refused(conn, jid, worker_id)
            conn.execute(
                update(Video)
                .where(Video.id == result)
                .values(duration=duration, recorded_at=recorded_at, chunk_count=chunk_count)
            )
            return load_record(conn, jid)

        return self._tx(work)

    def fail(
        self, job_id: int | str, *, worker_id: str, error: str, reason: str | None = None
    ) -> JobRecord:
        """Permanent failure: later deliveries of the same upload are acknowledged, not retried. `error` is
        the operator's, `reason` the owner's (see the columns)."""
        return self._fenced(
            job_id,
            worker_id,
            status=JobStatus.FAILED.value,
            error=_truncate(error),
            reason=_truncate(reason) if reason else None,
            claimed_by=None,
            heartbeat_at=None,
            finished_at=self.clock(),
        )

    def abandon(
        self, job_id: int | str, *, worker_id: str, error: str, reason: str | None = None
    ) -> JobRecord:
        """Transient failure: record why and free the claim so the retry can take it immediately."""
        return self._fenced(
            job_id,
            worker_id,
            status=JobStatus.QUEUED.value,
            error=_truncate(error),
            reason=_truncate(reason) if reason else None,
            claimed_by=None,
            heartbeat_at=None,
        )

    def note_released_failure(self, job_id: int | str, *, error: str, reason: str | None = None) -> bool:
        """Record why a job released a moment ago was not handed over — unless another attempt has
        claimed it since (then its holder's record wins). False when nothing was written."""
        jid = _parse_job_id(job_id)

        def work(conn: Connection) -> bool:
            result = conn.execute(
                update(Job)
                .where(Job.id == jid, Job.status == JobStatus.QUEUED.value, Job.claimed_by.is_(None))
                .values(
                    error=_truncate(error),
                    reason=_truncate(reason) if reason else None,
                    updated_at=self.clock(),
                )
            )
            return result.rowcount > 0

        return self._tx(work)

    def requeue(self, job_id: int | str) -> JobRecord:
        """Make a completed or failed job claimable again (reprocessing on request); progress restarts.
        A job being processed is left to its holder."""
        jid = _parse_job_id(job_id)

        def work(conn: Connection) -> JobRecord:
            result = conn.execute(
                update(Job)
                .where(Job.id == jid, Job.status.in_([JobStatus.COMPLETED.value, JobStatus.FAILED.value]))
                .values(
                    status=JobStatus.QUEUED.value,
                    stage=None,
                    progress=0.0,
                    error=None,
                    reason=None,
                    checkpoint=None,
                    claimed_by=None,
                    heartbeat_at=None,
                    finished_at=None,
                    updated_at=self.clock(),
                )
            )
            job = load_record(conn, jid)  # JobNotFoundError for an unknown id
            if result.rowcount == 0 and job.status != JobStatus.QUEUED:
                raise LifeStreamError(f"job {jid} is {job.status} (by {job.claimed_by}); not requeued")
            return job

        return self._tx(work)

    # --- replacing a video ----------------------------------------------------------------------------
    def other_versions(self, job: JobRecord) -> list[JobRecord]:
        """The jobs of the other versions of the same object (bucket, key): what a new version replaces."""

        def work(conn: Connection) -> list[JobRecord]:
            stmt = select_records().where(
                Video.bucket == job.bucket, Video.key == job.key, Video.id != job.video_id
            )
            return [JobRecord.model_validate(dict(r)) for r in conn.execute(stmt).mappings()]

        return self._tx(work)

    def versions(self, bucket: str, key: str) -> list[str]:
        """The versions of (bucket, key) the store knows."""
        stmt = select(Video.version).where(Video.bucket == bucket, Video.key == key).order_by(Video.version)
        return self._tx(lambda conn: list(conn.execute(stmt).scalars()))

    def rekey(
        self, bucket: str, *, key: str, version: str, new_key: str, new_version: str, source: str | None
    ) -> bool:
        """Give a video a new identity, keeping its id, job and vectors (local files recorded by path
        before they were keyed by content). False when there is no such video or the new identity is taken."""

        def work(conn: Connection) -> bool:
            taken = conn.execute(
                select(Video.id).where(
                    Video.bucket == bucket, Video.key == new_key, Video.version == new_version
                )
            ).first()
            if taken is not None:
                return False
            result = conn.execute(
                update(Video)
                .where(Video.bucket == bucket, Video.key == key, Video.version == version)
                .values(key=new_key, version=new_version, source=source)
            )
            return result.rowcount > 0

        return self._tx(work)

    def forget(self, job_id: int | str, *, worker_id: str | None = None) -> bool:
        """Remove a job and its video row (a superseded version). With `worker_id` the delete is fenced
        like any write of a claimed job. False when it was already gone."""
        jid = _parse_job_id(job_id)

        def work(conn: Connection) -> bool:
            where = self._held_by(jid, worker_id) if worker_id is not None else (Job.id == jid,)
            video_id = conn.execute(delete(Job).where(*where).returning(Job.video_id)).scalar_one_or_none()
            if video_id is None:
                if worker_id is not None:
                    error = self._refused(conn, jid, worker_id)
                    if not error.gone:
                        raise error
                return False
            conn.execute(delete(Video).where(Video.id == video_id))
            return True

        return self._tx(work)

    # --- reading --------------------------------------------------------------------------------------
    # With `owner`, another user's job reads exactly like a missing one (JobNotFoundError): ids never leak.
    def get(self, job_id: int | str, *, owner: str | None = None) -> JobRecord:
        jid = _parse_job_id(job_id)
        job = self._tx(lambda conn: load_record(conn, jid))
        if owner is not None and job.owner != owner:
            raise JobNotFoundError(f"no job with id {jid}")
        return job

    def find_by_video(self, video_id: str, *, owner: str | None = None) -> JobRecord | None:
        stmt = select_records().where(Job.video_id == video_id)
        if owner is not None:
            stmt = stmt.where(Job.owner == owner)

        def work(conn: Connection) -> JobRecord | None:
            row = conn.execute(stmt).mappings().one_or_none()
            return None if row is None else JobRecord.model_validate(dict(row))

        return self._tx(work)

    def lookup(self, ref: str | int, *, owner: str | None = None) -> JobRecord:
        """A job by number, by video id, or by a unique prefix of a video id (what people type)."""
        text = str(ref).strip()
        if text.isdigit():
            try:
                return self.get(int(text), owner=owner)
            except JobNotFoundError:
                raise JobNotFoundError(f"no job {text}: `lifestream jobs` lists them") from None
        exact = self.find_by_video(text, owner=owner)
        if exact is not None:
            return exact
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = select_records().where(Job.video_id.like(escaped + "%", escape="\\")).limit(6)
        if owner is not None:
            stmt = stmt.where(Job.owner == owner)

        def work(conn: Connection) -> list[JobRecord]:
            return [JobRecord.model_validate(dict(r)) for r in conn.execute(stmt).mappings()]

        matches = self._tx(work) if text else []
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise JobNotFoundError(f"no job or video {text!r}: `lifestream jobs` lists them")
        names = ", ".join(m.video_id for m in matches[:5])
        raise JobNotFoundError(f"{text!r} matches several videos ({names}…): give more of the id")

    def list_jobs(
        self,
        *,
        limit: int = 50,
        status: JobStatus | str | None = None,
        owner: str | None = None,
        recorded_from: datetime | None = None,
        recorded_before: datetime | None = None,
        offset: int = 0,
    ) -> list[JobRecord]:
        """Most recently updated first; `recorded_from` ≤ recorded_at < `recorded_before` when given."""
        stmt = select_records().order_by(Job.updated_at.desc(), Job.id.desc()).limit(limit).offset(offset)
        if status is not None:
            stmt = stmt.where(Job.status == JobStatus(status).value)
        if owner is not None:
            stmt = stmt.where(Job.owner == owner)
        if recorded_from is not None:
            stmt = stmt.where(Video.recorded_at >= recorded_from)
        if recorded_before is not None:
            stmt = stmt.where(Video.recorded_at < recorded_before)

        def work(conn: Connection) -> list[JobRecord]:
            return [JobRecord.model_validate(dict(r)) for r in conn.execute(stmt).mappings()]

        return self._tx(work)
