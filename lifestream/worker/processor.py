"""What the worker does with one SQS message and with each uploaded object it names.

Retry policy by outcome (SQS redelivers only what raises):
- test event, key outside uploads/, already completed or permanently failed → acknowledged;
- permanent input problem (`InputError`) → job failed with the reason, acknowledged;
- out of invocation time → job released with its checkpoint, continuation sent, acknowledged;
- anything else (network, throttling, database, a live claim elsewhere) → job abandoned, raised → retried,
  and after maxReceiveCount the message moves to the DLQ.
Idempotency rests on the job claim of (bucket, key, version), never on the SQS message id.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifestream.core.constants import RESULTS_PREFIX, SUBTITLE_SUFFIXES, is_video_key
from lifestream.core.errors import EmptyFileError, InputError, OutOfTime, TransientError, UnsupportedFileError
from lifestream.media.space import check_scratch_space, scratch_capacity
from lifestream.worker.events import Continuation, ObjectEvents, ObjectRef, S3TestEvent, parse_body
from lifestream.worker.log import logger
from lifestream.worker.runtime import WorkerRuntime, get_runtime
from lifestream.worker.s3_checkpoint import S3Checkpoint

# Progress rows double as heartbeats; more often than this only loads the database.
PROGRESS_EVERY_SECONDS = 2.0
KEYFRAMES = "keyframes"
# A record met too late in a batch is passed on before any work: this stage name marks that hand-over.
NOT_STARTED = "not-started"
# A chain of continuations longer than this is a bug or a misconfiguration, not a long video.
MAX_HOPS = 200


class JobBusyError(TransientError):
    """Another live attempt holds the claim: retry later, when it has finished or gone stale."""


@dataclass(frozen=True)
class ObjectOutcome:
    status: str  # skipped | completed | already_completed | already_failed | failed | continued
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
    claim = runtime.jobs.claim(
        bucket=ref.bucket,
        key=ref.key,
        version=ref.version,
        size=ref.size,
        worker_id=worker_id(context),
        stale_after=settings.worker_stale_claim_seconds,
    )
    job = claim.job
    logger.append_keys(job_id=job.id, video_id=job.video_id, key=ref.key)
    try:
        if claim.outcome == "completed":
            logger.info("already completed; acknowledged")
            return ObjectOutcome("already_completed", ref.key, job.id, job.video_id)
        if claim.outcome == "failed":
            logger.info("already failed permanently; acknowledged", extra={"error": job.error})
            return ObjectOutcome("already_failed", ref.key, job.id, job.video_id, job.error or "")
        if claim.outcome == "busy":
            raise JobBusyError(
                f"job {job.id} for s3://{ref.bucket}/{ref.key} is being processed by another attempt"
            )
        logger.info("claimed", extra={"attempt": job.attempts, "resumed": claim.resumed})
        return _run(
            ref,
            job,
            context,
            runtime,
            continuation=continuation,
            resumed=claim.resumed or continuation is not None,
            source_queue_arn=source_queue_arn,
        )
    finally:
        logger.remove_keys(["job_id", "video_id", "key"])


def _run(
    ref: ObjectRef,
    job: Any,
    context: Any,
    runtime: WorkerRuntime,
    *,
    continuation: Continuation | None,
    resumed: bool,
    source_queue_arn: str | None,
) -> ObjectOutcome:
    from lifestream.understand.pipeline import process_video

    settings = runtime.settings
    s3 = runtime.s3(ref.bucket)
    checkpoint = S3Checkpoint(runtime.s3_client, ref.bucket, job.video_id)
    workdir = Path(tempfile.mkdtemp(prefix="lifestream-job-", dir=runtime.tmp_root))
    time_left = _time_left(context)
    try:
        if time_left is not None and time_left() < settings.worker_safety_margin_seconds:
            # Earlier records of the batch used the time up: hand this one to a fresh invocation now
            # rather than wait a visibility timeout (6x the function timeout) for a retry.
            raise OutOfTime(NOT_STARTED)
        _check_size(ref.size, settings.max_video_bytes, ref)
        # The latest version first: a video deleted since the upload is not processed (ObjectNotFoundError,
        # an InputError), even if its old version is still kept by bucket versioning.
        meta = s3.get_file_metadata(ref.key)
        if ref.version_id and meta.version_id != ref.version_id:
            # Overwritten since: this event's job is about its own version (the newer one has its own).
            meta = s3.get_file_metadata(ref.key, version_id=ref.version_id)
        _check_size(meta.size, settings.max_video_bytes, ref)
        capacity = scratch_capacity(settings.ephemeral_storage_bytes, runtime.tmp_root)
        check_scratch_space(f"s3://{ref.bucket}/{ref.key}", video_bytes=meta.size, capacity=capacity)
        if meta.size == 0:
            raise EmptyFileError(f"s3://{ref.bucket}/{ref.key} is empty (0 bytes)")
        inputs = workdir / "input"
        inputs.mkdir()
        video_path = inputs / _local_name(ref.key)
        # A download that would outlast the invocation is handed over like a stage (OutOfTime).
        short = None if time_left is None else (lambda: time_left() < settings.worker_safety_margin_seconds)
        s3.download_file(ref.key, video_path, version_id=ref.version_id, should_stop=short)
        subtitles = _download_sidecars(s3, ref.key, inputs)
        output_dir = workdir / "out"
        if resumed:
            checkpoint.restore_files(KEYFRAMES, output_dir / KEYFRAMES)
        result = process_video(
            video_path,
            settings=settings,
            video_id=job.video_id,
            output_dir=output_dir,
            uploaded_at=meta.last_modified,
            subtitle_paths=subtitles,
            checkpoint=checkpoint,
            time_left=time_left,
            on_progress=_progress_reporter(runtime, job.id, ref.key),
            store=runtime.store,
            embedder=runtime.embedder,
        )
        result_keys = _upload_results(s3, job.video_id, result)
        runtime.jobs.complete(
            job.id,
            result_keys=result_keys,
            duration=result.duration,
            recorded_at=result.recorded_at,
            chunk_count=result.chunk_count,
        )
        _quietly(checkpoint.clear)
        logger.info("completed", extra={"chunks": result.chunk_count, "duration": result.duration})
        return ObjectOutcome("completed", ref.key, job.id, job.video_id)
    except InputError as exc:
        reason = f"{type(exc).__name__}: {exc}"
        runtime.jobs.fail(job.id, error=reason)
        _quietly(checkpoint.clear)
        logger.warning("permanent input error; job failed", extra={"error": reason})
        return ObjectOutcome("failed", ref.key, job.id, job.video_id, reason)
    except OutOfTime as exc:
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
            runtime.jobs.fail(job.id, error=reason)
            logger.error("continuation made no progress; job failed", extra={"error": reason})
            return ObjectOutcome("failed", ref.key, job.id, job.video_id, reason)
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
        try:
            checkpoint.save_files(KEYFRAMES, workdir / "out" / KEYFRAMES)
            runtime.jobs.release(job.id, checkpoint={"stage": exc.stage, "offset": exc.offset, "hop": hop})
            send_continuation(runtime, follow_up, source_queue_arn=source_queue_arn)
        except Exception as handover:
            # Not handed over: free the job and let SQS redeliver this message, which resumes it.
            _abandon(runtime, job.id, handover)
            raise
        logger.info(
            "out of time; continuation sent", extra={"stage": exc.stage, "offset": exc.offset, "hop": hop}
        )
        return ObjectOutcome("continued", ref.key, job.id, job.video_id, str(exc))
    except Exception as exc:
        _abandon(runtime, job.id, exc)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _abandon(runtime: WorkerRuntime, job_id: Any, exc: BaseException) -> None:
    try:
        runtime.jobs.abandon(job_id, error=f"{type(exc).__name__}: {exc}")
    except Exception:  # noqa: BLE001 - the original error matters more
        logger.exception("could not record the transient failure in the job store")
    logger.warning("transient failure; the message will be retried", extra={"error": repr(exc)})


def send_continuation(
    runtime: WorkerRuntime, message: Continuation, *, source_queue_arn: str | None = None
) -> None:
    queue_url = runtime.settings.queue_url or _queue_url_from_arn(runtime, source_queue_arn)
    runtime.sqs_client.send_message(QueueUrl=queue_url, MessageBody=message.to_body())


def _queue_url_from_arn(runtime: WorkerRuntime, arn: str | None) -> str:
    if not arn:
        from lifestream.core.errors import ConfigError

        raise ConfigError("LIFESTREAM_QUEUE_URL is not set and the record names no source queue")
    _, _, _, _, account, name = arn.split(":", 5)
    return runtime.sqs_client.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]


def _check_size(size: int | None, limit: int, ref: ObjectRef) -> None:
    if size is not None and size > limit:
        raise UnsupportedFileError(
            f"s3://{ref.bucket}/{ref.key} is {size:,} bytes; the limit is {limit:,} (LIFESTREAM_MAX_VIDEO_BYTES)"
        )


def _local_name(key: str) -> str:
    # The diary shows the file name; keep the upload's own unless the file system would refuse it.
    name = key.rsplit("/", 1)[-1]
    if name in {"", ".", ".."} or len(name.encode()) > 200 or "\x00" in name:
        return "video" + Path(key).suffix.lower()
    return name


def _download_sidecars(s3: Any, key: str, directory: Path) -> list[Path]:
    stem = key.rsplit(".", 1)[0]
    found: list[Path] = []
    for suffix in dict.fromkeys(s for base in SUBTITLE_SUFFIXES for s in (base, base.upper())):
        candidate = stem + suffix
        if s3.file_exists(candidate):
            path = directory / f"subtitles{suffix.lower()}"
            s3.download_file(candidate, path)
            found.append(path)
    return found


def _upload_results(s3: Any, video_id: str, result: Any) -> dict[str, str]:
    prefix = f"{RESULTS_PREFIX}{video_id}/"
    keys = {
        "json": f"{prefix}summary.json",
        "markdown": f"{prefix}summary.md",
        "keyframes": f"{prefix}keyframes/",
    }
    s3.upload_file(Path(result.json_path), keys["json"], content_type="application/json")
    s3.upload_file(Path(result.markdown_path), keys["markdown"], content_type="text/markdown; charset=utf-8")
    for frame in result.keyframe_paths:
        s3.upload_file(Path(frame), keys["keyframes"] + Path(frame).name, content_type="image/jpeg")
    return keys


def _time_left(context: Any) -> Callable[[], float] | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return lambda: remaining() / 1000.0


def _progress_reporter(runtime: WorkerRuntime, job_id: str, key: str) -> Callable[[str, float], None]:
    last = 0.0

    def report(stage: str, fraction: float) -> None:
        nonlocal last
        if runtime.progress_listener is not None:
            runtime.progress_listener(key, stage, fraction)
        now = time.monotonic()
        if fraction < 1.0 and now - last < PROGRESS_EVERY_SECONDS:
            return
        last = now
        runtime.jobs.update_progress(job_id, stage=stage, progress=max(0.0, min(1.0, fraction)))

    return report


def worker_id(context: Any) -> str:
    name = getattr(context, "function_name", None) or "worker"
    request = getattr(context, "aws_request_id", None) or uuid.uuid4().hex
    return f"{name}/{request}"


def _quietly(action: Callable[[], None]) -> None:
    try:
        action()
    except Exception:  # noqa: BLE001 - cleanup is best effort
        logger.exception("cleanup step failed (ignored)")
