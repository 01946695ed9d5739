"""What the worker does with one SQS message and each uploaded object it names: the S3 side of
`lifestream.worker.lifecycle.run_job`.

Design note: only what should be retried raises (network, throttling, the database, a live claim
elsewhere); SQS redelivers it, and after maxReceiveCount the DLQ keeps it. Every other outcome is
acknowledged, and one out of invocation time hands its job over to a continuation message first.
Idempotency rests on the job claim of (bucket, key, version), never on the SQS message id.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lifestream.core.constants import is_video_key
from lifestream.core.errors import (
    EmptyFileError,
    ObjectNotFoundError,
    OutOfTime,
    TransientError,
    UnsupportedFileError,
    user_reason,
)
from lifestream.core.ownership import owner_of_key
from lifestream.core.sidecars import MAX_SIDECAR_BYTES, subtitle_files
from lifestream.storage.results import KEYFRAMES
from lifestream.worker.events import Continuation, ObjectEvents, ObjectRef, S3TestEvent, parse_body
from lifestream.worker.lifecycle import (
    ClaimRequest,
    Inputs,
    OutcomeStatus,
    SupersededError,
    describe_error,
    run_job,
)
from lifestream.worker.lifecycle import JobOutcome as LifecycleOutcome
from lifestream.worker.log import logger
from lifestream.worker.runtime import WorkerRuntime, get_runtime

if TYPE_CHECKING:
    from lifestream.jobs import Claim

# A record met too late in a batch is passed on before any work: this stage name marks that hand-over.
NOT_STARTED = "not-started"
# A chain of continuations longer than this is a bug or a misconfiguration, not a long video.
MAX_HOPS = 200


class JobBusyError(TransientError):
    """Another live attempt holds the claim: retry later, when it has finished or gone stale."""


@dataclass(frozen=True)
class ObjectOutcome:
    status: Literal["skipped"] | OutcomeStatus
    key: str
    job_id: str | None = None
    video_id: str | None = None
    detail: str = ""


def handle_message(
    body: str,
    context: Any = None,
    runtime: WorkerRuntime | None = None,
    *,
    source_queue_arn: str | None = None,
) -> list[ObjectOutcome]:
    """Process one SQS message body; raise when it should be retried."""
    runtime = runtime or get_runtime()
    message = parse_body(body)
    if isinstance(message, S3TestEvent):
        logger.info("s3:TestEvent acknowledged", extra={"bucket": message.bucket})
        return []
    if isinstance(message, Continuation):
        return [
            process_object(
                message.object, context, runtime, continuation=message, source_queue_arn=source_queue_arn
            )
        ]
    assert isinstance(message, ObjectEvents)
    for ignored in message.ignored:
        logger.info("ignoring non-creation S3 record", extra={"record": ignored})
    outcomes: list[ObjectOutcome] = []
    first_error: BaseException | None = None
    # Every object of the message gets its chance; a retry re-acknowledges the ones already completed.
    for ref in message.objects:
        try:
            outcomes.append(process_object(ref, context, runtime, source_queue_arn=source_queue_arn))
        except Exception as exc:  # noqa: BLE001 - re-raised after the other objects had their turn
            first_error = first_error or exc
    if first_error is not None:
        raise first_error
    return outcomes


def process_object(
    ref: ObjectRef,
    context: Any,
    runtime: WorkerRuntime,
    *,
    continuation: Continuation | None = None,
    source_queue_arn: str | None = None,
) -> ObjectOutcome:
    settings = runtime.settings
    if not is_video_key(ref.key):
        logger.warning("skipping key outside uploads/ or without a video suffix", extra={"key": ref.key})
        return ObjectOutcome("skipped", ref.key, detail="not a video key under uploads/")
    # The key says whose video it is (uploads/<owner>/…); the job, its vectors and results follow.
    owner = owner_of_key(ref.key)
    request = ClaimRequest(
        owner=owner,
        bucket=ref.bucket,
        key=ref.key,
        version=ref.version,
        size=ref.size,
        worker_id=worker_id(context),
        stale_after=settings.worker_stale_claim_seconds,
        max_processing=settings.quota_jobs_processing or None,
    )
    upload = _UploadedObject(ref, runtime, context, continuation, source_queue_arn)

    def claimed(claim: Claim) -> None:
        logger.append_keys(job_id=claim.job.id, video_id=claim.job.video_id, key=ref.key)
        if claim.claimed:
            logger.info("claimed", extra={"attempt": claim.job.attempts, "resumed": claim.resumed})

    try:
        outcome = run_job(
            runtime.jobs,
            request,
            upload,
            settings=settings,
            index=runtime.index.for_owner(owner),
            time_left=upload.time_left,
            on_progress=upload.listen,
            on_claimed=claimed,
            on_out_of_time=upload.hand_over,
            log=logger,
        )
        job = outcome.job
        if outcome.status == "busy":
            raise JobBusyError(
                f"job {job.id} for s3://{ref.bucket}/{ref.key} is being processed by another attempt"
            )
        if outcome.status == "failed":
            _tag_failed_upload(upload)
        if outcome.status == "deferred":
            upload.defer(job)
        elif outcome.status == "already_completed":
            logger.info("already completed; acknowledged")
        elif outcome.status == "already_failed":
            logger.info("already failed permanently; acknowledged", extra={"error": job.error})
        return ObjectOutcome(outcome.status, ref.key, job.id, job.video_id, outcome.detail)
    finally:
        upload.cleanup()
        logger.remove_keys(["job_id", "video_id", "key"])


def _tag_failed_upload(upload: _UploadedObject) -> None:
    """Mark an upload whose job failed for good, so the bucket's lifecycle expires it (every other upload
    is kept: a diary plays it). Best effort: an upload deleted meanwhile has nothing to tag."""
    from lifestream.core.constants import FAILED_UPLOAD_TAG

    ref = upload.ref
    extra = {"VersionId": ref.version_id} if ref.version_id else {}
    try:
        upload.s3.client.put_object_tagging(
            Bucket=ref.bucket,
            Key=ref.key,
            Tagging={"TagSet": [{"Key": FAILED_UPLOAD_TAG[0], "Value": FAILED_UPLOAD_TAG[1]}]},
            **extra,
        )
    except Exception as exc:  # noqa: BLE001 - the job's failure is recorded either way
        logger.warning("could not tag the failed upload for expiry", extra={"error": str(exc)})


class _UploadedObject:
    """The `JobSource` of an S3 upload: downloaded into a per-record temporary directory, results put
    beside it under results/<owner>/<video_id>/, the stage checkpoint under state/<video_id>/."""

    def __init__(
        self,
        ref: ObjectRef,
        runtime: WorkerRuntime,
        context: Any,
        continuation: Continuation | None,
        source_queue_arn: str | None,
    ) -> None:
        self.ref, self.runtime, self.continuation = ref, runtime, continuation
        self.source_queue_arn = source_queue_arn
        self.settings = runtime.settings
        self.s3 = runtime.s3(ref.bucket)
        self.results = runtime.results(ref.bucket)
        self.time_left = _time_left(context)
        self.workdir = Path(tempfile.mkdtemp(prefix="lifestream-job-", dir=runtime.tmp_root))

    def listen(self, stage: str, fraction: float) -> None:
        if self.runtime.progress_listener is not None:
            self.runtime.progress_listener(self.ref.key, stage, fraction)

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def prepare(self, job: Any, *, resumed: bool) -> Inputs:
        ref, settings, s3 = self.ref, self.settings, self.s3
        checkpoint = self.results.checkpoint(job.video_id)
        if self.time_left is not None and self.time_left() < settings.worker_safety_margin_seconds:
            # Earlier records of the batch used the time up: hand this one to a fresh invocation now
            # rather than wait a visibility timeout (6x the function timeout) for a retry.
            raise OutOfTime(NOT_STARTED)
        _check_size(ref.size, settings.max_video_bytes, ref)
        # The latest version first: a video deleted since the upload is not processed (ObjectNotFoundError,
        # an InputError), even if its old version is still kept by bucket versioning.
        meta = s3.get_file_metadata(ref.key)
        _require_current(ref, meta)
        _check_size(meta.size, settings.max_video_bytes, ref)
        # Imported here: the space rule shares the audio module's constants, and numpy with them, which the
        # handler's cold start (test events, duplicates) must not pay for.
        from lifestream.media.space import check_scratch_space, scratch_capacity

        capacity = scratch_capacity(settings.ephemeral_storage_bytes, self.runtime.tmp_root)
        check_scratch_space(f"s3://{ref.bucket}/{ref.key}", video_bytes=meta.size, capacity=capacity)
        if meta.size == 0:
            raise EmptyFileError(f"s3://{ref.bucket}/{ref.key} is empty (0 bytes)")
        inputs = self.workdir / "input"
        inputs.mkdir()
        video_path = inputs / _local_name(ref.key)
        # Unversioned, an overwrite during the download goes unseen here: `check_current` finds it before
        # anything is published. A download that would outlast the invocation is handed over like a stage.
        time_left = self.time_left
        short = None if time_left is None else (lambda: time_left() < settings.worker_safety_margin_seconds)
        s3.download_file(ref.key, video_path, version_id=ref.version_id, should_stop=short)
        subtitles = _download_sidecars(s3, ref.key, inputs, max_bytes=MAX_SIDECAR_BYTES)
        output_dir = self.workdir / "out"
        if resumed or self.continuation is not None:
            checkpoint.restore_files(KEYFRAMES, output_dir / KEYFRAMES)
        return Inputs(
            video=video_path,
            output_dir=output_dir,
            checkpoint=checkpoint,
            subtitles=subtitles,
            uploaded_at=meta.last_modified,
        )

    def check_current(self) -> None:
        try:
            meta = self.s3.get_file_metadata(self.ref.key)
        except ObjectNotFoundError:
            raise SupersededError(f"s3://{self.ref.bucket}/{self.ref.key} was deleted meanwhile") from None
        _require_current(self.ref, meta)

    def publish(self, job: Any, result: Any) -> dict[str, str]:
        return self.results.publish(job.owner, job.video_id, result)

    def remove_results(self, job: Any) -> None:
        self.results.remove(job.owner, job.video_id)

    def defer(self, job: Any) -> None:
        """The owner has as many jobs processing as their quota allows: this message comes back after
        `quota_defer_seconds` (as a delayed copy, so waiting never counts toward the DLQ's receive count),
        and this one is acknowledged. The job stays queued meanwhile."""
        ref, continuation = self.ref, self.continuation
        later = continuation or Continuation(
            bucket=ref.bucket,
            key=ref.key,
            version=ref.version,
            version_id=ref.version_id,
            job_id=str(job.id),
            video_id=job.video_id,
            stage=NOT_STARTED,
        )
        delay = self.settings.quota_defer_seconds
        send_continuation(self.runtime, later, source_queue_arn=self.source_queue_arn, delay_seconds=delay)
        logger.info("owner at their processing quota; deferred", extra={"delay_seconds": delay})

    def hand_over(self, job: Any, exc: OutOfTime, checkpoint: Any) -> LifecycleOutcome:
        """Out of invocation time: release the job with its checkpoint and send a continuation."""
        ref, runtime, continuation = self.ref, self.runtime, self.continuation
        token = job.claimed_by
        hop = continuation.hop + 1 if continuation else 1
        stalled = (
            continuation is not None
            and exc.stage != NOT_STARTED
            and (continuation.stage, continuation.offset) == (exc.stage, exc.offset)
        )
        if stalled or hop > MAX_HOPS:
            # A whole invocation without progress would loop forever through continuations.
            reason = (
                f"no progress in one invocation (still {exc}, continuation {hop}); raise the function timeout "
                "or lower LIFESTREAM_WORKER_SAFETY_MARGIN_SECONDS"
            )
            failed = runtime.jobs.fail(job.id, worker_id=token, error=reason)
            logger.error("continuation made no progress; job failed", extra={"error": reason})
            return LifecycleOutcome("failed", failed, detail=reason)
        follow_up = Continuation(
            bucket=ref.bucket,
            key=ref.key,
            version=ref.version,
            version_id=ref.version_id,
            job_id=str(job.id),
            video_id=job.video_id,
            stage=exc.stage,
            offset=exc.offset,
            hop=hop,
        )
        # Not handed over if any step raises: the job is free (abandoned by the lifecycle, or released
        # here) and SQS redelivers this message, which resumes it.
        if checkpoint is not None:
            checkpoint.save_files(KEYFRAMES, self.workdir / "out" / KEYFRAMES)
        released = runtime.jobs.release(
            job.id, worker_id=token, checkpoint={"stage": exc.stage, "offset": exc.offset, "hop": hop}
        )
        try:
            send_continuation(runtime, follow_up, source_queue_arn=self.source_queue_arn)
        except Exception as failure:
            runtime.jobs.note_released_failure(
                job.id, error=describe_error(failure), reason=user_reason(failure)
            )
            raise
        logger.info(
            "out of time; continuation sent", extra={"stage": exc.stage, "offset": exc.offset, "hop": hop}
        )
        return LifecycleOutcome("continued", released, detail=str(exc))


def _require_current(ref: ObjectRef, meta: Any) -> None:
    """The event is superseded when the key now holds another object: its own event does the work.
    With a version id the versions are compared; without one (unversioned buckets, moto) the ETags."""
    if ref.version_id:
        current = meta.version_id == ref.version_id
    else:
        # A continuation's ref carries no eTag field: its version is the ETag then.
        current = (ref.etag or ref.version).strip('"') == (meta.etag or "").strip('"')
    if not current:
        raise SupersededError(
            f"s3://{ref.bucket}/{ref.key} was overwritten since this event ({ref.version}); "
            "the newer object's own event processes it"
        )


def send_continuation(
    runtime: WorkerRuntime,
    message: Continuation,
    *,
    source_queue_arn: str | None = None,
    delay_seconds: int = 0,
) -> None:
    queue_url = runtime.settings.queue_url or _queue_url_from_arn(runtime, source_queue_arn)
    extra = {"DelaySeconds": delay_seconds} if delay_seconds else {}
    runtime.sqs_client.send_message(QueueUrl=queue_url, MessageBody=message.to_body(), **extra)


def _queue_url_from_arn(runtime: WorkerRuntime, arn: str | None) -> str:
    if not arn:
        from lifestream.core.errors import ConfigError

        raise ConfigError("LIFESTREAM_QUEUE_URL is not set and the record names no source queue")
    _, _, _, _, account, name = arn.split(":", 5)
    return runtime.sqs_client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def _check_size(size: int | None, limit: int, ref: ObjectRef) -> None:
    if size is not None and size > limit:
        raise UnsupportedFileError(
            f"s3://{ref.bucket}/{ref.key} is {size:,} bytes; the limit is {limit:,} (LIFESTREAM_MAX_VIDEO_BYTES)",
            reason=f"the video is {size:,} bytes, over the limit of {limit:,} bytes",
        )


def _local_name(key: str) -> str:
    # The diary shows the file name; keep the upload's own unless the file system would refuse it.
    name = key.rsplit("/", 1)[-1]
    if name in {"", ".", ".."} or len(name.encode()) > 200 or "\x00" in name:
        return "video" + Path(key).suffix.lower()
    return name


def _download_sidecars(s3: Any, key: str, directory: Path, *, max_bytes: int) -> list[Path]:
    folder, _, name = key.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    stem = name.rsplit(".", 1)[0]
    # One listing of the keys that start like the video's name; the sidecar rule picks among them.
    listed = {o.key[len(prefix) :]: o.size for o in s3.iter_files(prefix + stem + ".")}
    found: list[Path] = []
    for sidecar in subtitle_files(name, listed):
        if listed[sidecar] > max_bytes:
            # Never downloaded: an oversized "subtitle" would only fill the scratch disk.
            logger.warning(
                "ignoring sidecar subtitles %s (%s bytes, over the %s-byte limit for a subtitle file)",
                sidecar,
                f"{listed[sidecar]:,}",
                f"{max_bytes:,}",
            )
            continue
        # The upload's own name, so that a warning about a broken sidecar names the file the user sent.
        path = directory / _local_name(prefix + sidecar)
        s3.download_file(prefix + sidecar, path)
        found.append(path)
    return found


def _time_left(context: Any) -> Callable[[], float] | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return lambda: remaining() / 1000.0


def worker_id(context: Any) -> str:
    name = getattr(context, "function_name", None) or "worker"
    request = getattr(context, "aws_request_id", None) or uuid.uuid4().hex
    return f"{name}/{request}"
