"""One job's life, for the cloud worker and the local CLI alike: claim → process_video → publish →
complete, or fail / abandon / supersede.

Design note: every write to the claimed job is fenced by the claim (`JobStore`: `claimed_by` and
status), so an attempt whose claim went stale cannot finish or requeue a job another attempt holds. What
differs between an uploaded object and a local file (where the input comes from, where results go,
whether a newer version exists) is a `JobSource`, so the callers only build one and read the outcome.
Anything unexpected is abandoned (recorded, claim freed) and re-raised, for the caller to retry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lifestream.core.checkpoint import Checkpoint
from lifestream.core.constants import LOCAL_USER
from lifestream.core.errors import InputError, LifeStreamError, OutOfTime, user_reason

if TYPE_CHECKING:
    from lifestream.core.settings import Settings
    from lifestream.jobs import Claim, ClaimLostError, JobRecord, JobStore
    from lifestream.memory.video_index import VideoIndex
    from lifestream.understand.pipeline import ProcessResult

# Progress rows double as heartbeats; more often than this (within one stage) only loads the database.
PROGRESS_EVERY_SECONDS = 2.0
PUBLISH_STAGE = "publish"

# Silent unless the caller says where to log: the worker passes its Lambda logger, the CLI shows outcomes
# in its own table (and its --json output on stdout must stay clean).
_quiet = logging.getLogger(__name__)
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class SupersededError(LifeStreamError):
    """A newer version of the object exists (or the object is gone): this version is not worth keeping."""


@dataclass(frozen=True)
class ClaimRequest:
    bucket: str
    key: str
    version: str
    worker_id: str
    stale_after: float
    size: int | None = None
    name: str | None = None
    source: str | None = None
    owner: str = LOCAL_USER
    # The owner's quota of jobs processing at once (None: no cap); beyond it the claim is deferred.
    max_processing: int | None = None


@dataclass
class Inputs:
    """What `process_video` reads and where it writes, as the source prepared it."""

    video: Path
    output_dir: Path
    checkpoint: Checkpoint
    subtitles: list[Path] = field(default_factory=list)
    uploaded_at: datetime | None = None


class JobSource(Protocol):
    def prepare(self, job: JobRecord, *, resumed: bool) -> Inputs:
        """Fetch or locate the input; raise `SupersededError` when a newer version exists."""
        ...

    def check_current(self) -> None:
        """Before publishing: raise `SupersededError` if the input was replaced while it was processed."""
        ...

    def publish(self, job: JobRecord, result: ProcessResult) -> dict[str, str]:
        """Put the results where people read them; returns the job's result keys."""
        ...

    def remove_results(self, job: JobRecord) -> None:
        """Delete a removed version's published results and checkpoint (idempotent)."""
        ...


OutcomeStatus = Literal[
    "already_completed",  # nothing to do
    "already_failed",
    "busy",  # another live attempt holds the claim: retry later
    "completed",
    "failed",  # a permanent input problem, recorded on the job
    # A newer version of the object exists (or it was deleted): this version's job, vectors and results
    # are removed, and the newer version's own event does the work.
    "superseded",
    # The claim was taken over (or the job removed) meanwhile: the attempt writes nothing more; the new
    # holder rewrites the same deterministic output, and a removed job's output is deleted here.
    "lost",
    "continued",  # out of invocation time and handed over (the caller's `on_out_of_time`)
    "deferred",  # its owner has as many jobs processing as the quota allows: try again later
]


@dataclass
class JobOutcome:
    status: OutcomeStatus
    job: JobRecord
    result: ProcessResult | None = None
    detail: str = ""


# Strings: JobRecord is imported for type checking only (see `_Attempt.run`).
OutOfTimeHandler = Callable[["JobRecord", OutOfTime, "Checkpoint | None"], "JobOutcome"]


def describe_error(exc: BaseException) -> str:
    """The operator's account of a failure (the job's `error`; the owner reads `user_reason`)."""
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted: {type(exc).__name__}: {exc}"
    if isinstance(exc, LifeStreamError):
        return f"{type(exc).__name__}: {exc}"
    return f"crashed: {type(exc).__name__}: {exc}"


def run_job(
    jobs: JobStore,
    request: ClaimRequest,
    source: JobSource,
    *,
    settings: Settings,
    index: VideoIndex | None,
    force: bool = False,
    time_left: Callable[[], float] | None = None,
    on_progress: Callable[[str, float], None] | None = None,
    on_claimed: Callable[[Claim], None] | None = None,
    on_out_of_time: OutOfTimeHandler | None = None,
    log: Any = None,
) -> JobOutcome:
    """Claim the object's job and, if this attempt got it, take it to an outcome (module docstring).
    `log` is a `logging.Logger`-like object for the attempt's log lines (default: none)."""
    claim = _claim(jobs, request)
    if force and claim.outcome in ("completed", "failed"):
        jobs.requeue(claim.job.id)
        claim = _claim(jobs, request)
    if on_claimed is not None:
        on_claimed(claim)
    if claim.outcome != "claimed":
        status = {
            "completed": "already_completed",
            "failed": "already_failed",
            "deferred": "deferred",
        }.get(claim.outcome, "busy")
        return JobOutcome(status, claim.job, detail=claim.job.error or "")
    attempt = _Attempt(
        jobs,
        claim.job,
        request.worker_id,
        source,
        settings=settings,
        index=index,
        time_left=time_left,
        on_progress=on_progress,
        on_out_of_time=on_out_of_time,
        log=log if log is not None else _quiet,
    )
    return attempt.run(resumed=claim.resumed)


def _claim(jobs: JobStore, request: ClaimRequest) -> Claim:
    return jobs.claim(
        bucket=request.bucket,
        key=request.key,
        version=request.version,
        size=request.size,
        worker_id=request.worker_id,
        stale_after=request.stale_after,
        name=request.name,
        source=request.source,
        owner=request.owner,
        max_processing=request.max_processing,
    )


class _Attempt:
    def __init__(
        self,
        jobs: JobStore,
        job: JobRecord,
        worker_id: str,
        source: JobSource,
        *,
        settings: Settings,
        index: VideoIndex | None,
        time_left: Callable[[], float] | None,
        on_progress: Callable[[str, float], None] | None,
        on_out_of_time: OutOfTimeHandler | None,
        log: Any,
    ) -> None:
        self.log = log
        self.jobs, self.job, self.worker_id, self.source = jobs, job, worker_id, source
        self.settings, self.index = settings, index
        self.time_left, self.on_progress, self.on_out_of_time = time_left, on_progress, on_out_of_time
        self.checkpoint: Checkpoint | None = None
        self._last_report = 0.0
        self._last_stage: str | None = None

    def run(self, *, resumed: bool) -> JobOutcome:
        # Here, not at module level: the handler's cold import must not pay for SQLAlchemy.
        from lifestream.jobs import ClaimLostError

        job = self.job
        try:
            try:
                return self._process(resumed)
            except OutOfTime as exc:
                if self.on_out_of_time is None:
                    raise
                return self.on_out_of_time(job, exc, self.checkpoint)
        except ClaimLostError as exc:
            return self._lost(exc)
        except SupersededError as exc:
            return self._superseded(exc)
        except InputError as exc:
            reason = describe_error(exc)
            try:
                failed = self.jobs.fail(
                    job.id, worker_id=self.worker_id, error=reason, reason=user_reason(exc)
                )
            except ClaimLostError as lost:
                return self._lost(lost)
            self._clear_checkpoint()
            self.log.warning("permanent input error; job failed", extra={"error": reason})
            return JobOutcome("failed", failed, detail=reason)
        except BaseException as exc:
            self._abandon(exc)
            raise

    def _process(self, resumed: bool) -> JobOutcome:
        from lifestream.understand.pipeline import process_video

        job = self.job
        inputs = self.source.prepare(job, resumed=resumed)
        self.checkpoint = inputs.checkpoint
        # The index opens its model and store on first use, inside the try of `run`: one that cannot be
        # opened must not leave the job claimed.
        result = process_video(
            inputs.video,
            settings=self.settings,
            video_id=job.video_id,
            output_dir=inputs.output_dir,
            uploaded_at=inputs.uploaded_at,
            subtitle_paths=inputs.subtitles,
            checkpoint=inputs.checkpoint,
            time_left=self.time_left,
            on_progress=self._report,
            index=self.index,
        )
        # Still ours? A stale attempt stops here, before it touches the published results.
        self.jobs.update_progress(job.id, worker_id=self.worker_id, stage=PUBLISH_STAGE, progress=1.0)
        self.source.check_current()
        result_keys = self.source.publish(job, result)
        # This version is the object now: the older versions' memories go (after ours was written).
        for older in self.jobs.other_versions(job):
            self._remove_memory(older)
            self.jobs.forget(older.id)
            self.log.info("older version replaced", extra={"replaced_video_id": older.video_id})
        done = self.jobs.complete(
            job.id,
            worker_id=self.worker_id,
            result_keys=result_keys,
            duration=result.duration,
            recorded_at=result.recorded_at,
            chunk_count=result.chunk_count,
        )
        self._clear_checkpoint()
        self.log.info("completed", extra={"chunks": result.chunk_count, "duration": result.duration})
        return JobOutcome("completed", done, result=result)

    def _report(self, stage: str, fraction: float) -> None:
        if self.on_progress is not None:
            self.on_progress(stage, fraction)
        now = time.monotonic()
        # A new stage is always recorded (`lifestream status` shows where a job is); within a stage,
        # at most every PROGRESS_EVERY_SECONDS.
        same_stage = stage == self._last_stage
        if same_stage and fraction < 1.0 and now - self._last_report < PROGRESS_EVERY_SECONDS:
            return
        self._last_report, self._last_stage = now, stage
        self.jobs.update_progress(
            self.job.id, worker_id=self.worker_id, stage=stage, progress=max(0.0, min(1.0, fraction))
        )

    def _remove_memory(self, job: JobRecord) -> None:
        if self.index is not None:
            self.index.delete(job.video_id)
        self.source.remove_results(job)

    def _superseded(self, exc: SupersededError) -> JobOutcome:
        from lifestream.jobs import ClaimLostError

        # Fenced: if another attempt holds the job now, it decides (it will find the same newer version).
        try:
            self.jobs.forget(self.job.id, worker_id=self.worker_id)
        except ClaimLostError as lost:
            return self._lost(lost)
        # An earlier attempt may have indexed or published this version before it stopped.
        self._remove_memory(self.job)
        self.log.info("superseded by a newer version; acknowledged", extra={"reason": str(exc)})
        return JobOutcome("superseded", self.job, detail=str(exc))

    def _lost(self, exc: ClaimLostError) -> JobOutcome:
        if exc.gone:
            # Removed while this attempt worked (a newer version replaced it): what it wrote is an orphan.
            self._remove_memory(self.job)
        self.log.warning("claim lost; stopping without writing to the job", extra={"reason": str(exc)})
        return JobOutcome("lost", exc.job or self.job, detail=str(exc))

    def _abandon(self, exc: BaseException) -> None:
        from lifestream.jobs import ClaimLostError

        try:
            self.jobs.abandon(
                self.job.id, worker_id=self.worker_id, error=describe_error(exc), reason=user_reason(exc)
            )
        except ClaimLostError as lost:
            released = lost.job is not None and lost.job.status == "queued" and lost.job.claimed_by is None
            if not released:  # a job handed back a moment ago is free already: nothing to warn about
                self.log.warning("claim already lost; the failure is not recorded on the job")
        except Exception:
            self.log.exception("could not record the transient failure in the job store")
        self.log.warning("transient failure; the job is free for a retry", extra={"error": repr(exc)})

    def _clear_checkpoint(self) -> None:
        if self.checkpoint is None:
            return
        try:
            self.checkpoint.clear()
        except Exception:
            self.log.exception("clearing the checkpoint failed (ignored)")
