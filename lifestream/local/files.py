"""Processing video files on this machine: the same job store and job lifecycle as the cloud worker
(`lifestream.worker.lifecycle`), keyed by content.

A local file's job has bucket "local", a fingerprint of the file as key and version, and its path as the
video's source. So processing a file twice (or a copy of it, or after moving it) is a no-op with one
video and one vector set, a file that failed says why, and an interrupted run resumes from its
checkpoint directory. The caller (the CLI) sees progress through a `FileListener`.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lifestream.core.constants import LOCAL_FILES_BUCKET, LOCAL_USER, VIDEO_SUFFIXES
from lifestream.core.errors import ConfigError, InputError, LifeStreamError, UnsupportedFileError
from lifestream.core.settings import Settings
from lifestream.core.sidecars import sidecar_subtitles
from lifestream.storage.results import LocalResults

if TYPE_CHECKING:
    from lifestream.jobs import JobRecord, JobStore
    from lifestream.memory.video_index import VideoIndex
    from lifestream.worker.lifecycle import Inputs

# The fingerprint reads the size, both ends and evenly spaced blocks between: a few MB of any file, so a
# run over already processed files stays fast however long the videos are.
_EDGE_BYTES = 1 << 20
_SAMPLES = 64
_SAMPLE_BYTES = 64 << 10


def file_version(path: Path) -> str:
    """Content fingerprint: size plus sampled blocks. A copied, moved or renamed file is the same video;
    an edited or re-encoded one (new size or new bytes in any sampled block) is a new one."""
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}\0".encode())
    with path.open("rb") as fh:
        if size <= 2 * _EDGE_BYTES + _SAMPLES * _SAMPLE_BYTES:
            while chunk := fh.read(_EDGE_BYTES):
                digest.update(chunk)
        else:
            middle = size - 2 * _EDGE_BYTES
            offsets = [0, size - _EDGE_BYTES]
            offsets[1:1] = [_EDGE_BYTES + middle * i // _SAMPLES for i in range(_SAMPLES)]
            for offset in offsets:
                fh.seek(offset)
                digest.update(fh.read(_EDGE_BYTES if offset in (0, size - _EDGE_BYTES) else _SAMPLE_BYTES))
    return digest.hexdigest()[:16]


def path_keyed_version(path: Path) -> str:
    """The version local jobs had before they were keyed by content: a hash of the whole file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_EDGE_BYTES):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def check_files(files: list[Path]) -> list[Path]:
    """The videos to process, resolved and without repeats; a clear error for anything else."""
    checked = []
    for f in files:
        path = f.expanduser()
        if not path.exists():
            raise InputError(f"{f}: no such file")
        if path.is_dir():
            raise InputError(f"{f} is a directory: pass the video files in it (e.g. {f}/*.mp4)")
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            raise UnsupportedFileError(
                f"{f}: not a video file name (expected one of {', '.join(VIDEO_SUFFIXES)})"
            )
        checked.append(path.resolve())
    return list(dict.fromkeys(checked))


@dataclass
class FileOutcome:
    file: str
    video_id: str | None
    status: Literal["completed", "skipped", "failed", "busy", ""]
    job_id: int | None = None
    message: str = ""
    duration: float | None = None
    chunk_count: int | None = None
    transcriber: str | None = None
    markdown_path: str | None = None


class FileListener(Protocol):
    """What the caller shows of one file's run. `published` and `finish` may come without `start` (a file
    already done, or refused before it was prepared)."""

    def start(self, label: str) -> None: ...

    def update(self, stage: str, fraction: float) -> None: ...

    def published(self) -> None: ...

    def finish(self) -> None: ...


class LocalFile:
    """The `JobSource` of a file on disk: read in place, results and checkpoint in the data directory."""

    def __init__(self, path: Path, settings: Settings, listener: FileListener | None = None) -> None:
        self.path, self.listener = path, listener
        self.results = LocalResults(settings.data_dir)

    def prepare(self, job: JobRecord, *, resumed: bool) -> Inputs:
        from lifestream.worker.lifecycle import Inputs

        checkpoint = self.results.checkpoint(job.video_id)
        # An interrupted local run leaves its stage outputs in the checkpoint directory.
        resumed = resumed or checkpoint.directory.exists()
        if self.listener is not None:
            self.listener.start(self.path.name + (" (resuming)" if resumed else ""))
        return Inputs(
            video=self.path,
            output_dir=self.results.folder(job.video_id),
            checkpoint=checkpoint,
            subtitles=sidecar_subtitles(self.path),
            # Locally the file's modification time is the best stand-in for an upload time.
            uploaded_at=datetime.fromtimestamp(self.path.stat().st_mtime, UTC),
        )

    def on_progress(self, stage: str, fraction: float) -> None:
        if self.listener is not None:
            self.listener.update(stage, fraction)

    def check_current(self) -> None:
        """A local video is its content: there is no newer version of it to give way to."""

    def publish(self, job: JobRecord, result: Any) -> dict[str, str]:
        if self.listener is not None:
            self.listener.published()
        return self.results.publish(job.owner, job.video_id, result)

    def remove_results(self, job: JobRecord) -> None:
        self.results.remove(job.owner, job.video_id)

    def finish(self) -> None:
        if self.listener is not None:
            self.listener.finish()


class FileProcessor:
    """Runs files through the job lifecycle, one at a time, as the local user."""

    def __init__(
        self,
        settings: Settings,
        jobs: JobStore,
        *,
        index: bool,
        force: bool,
        listener: FileListener | None = None,
    ) -> None:
        self.settings, self.jobs, self.force, self.listener = settings, jobs, force, listener
        self.worker_id = f"cli-{socket.gethostname()}-{os.getpid()}"
        # Files on this machine are the local user's, like the uploads that name no owner. The index
        # loads its model on first use: a run where every file is already done never loads one.
        self.index: VideoIndex | None = None
        if index:
            from lifestream.memory.video_index import IndexParts

            self.index = IndexParts(settings, jobs=jobs).for_owner(LOCAL_USER)

    def run(self, path: Path) -> FileOutcome:
        from lifestream.worker.lifecycle import ClaimRequest, run_job

        version = file_version(path)
        if self.jobs.versions(LOCAL_FILES_BUCKET, str(path)):
            # Recorded by path by an earlier release: adopt that video (its id, job and vectors) under
            # the content key rather than process the file a second time. Once, then it is keyed by content.
            self.jobs.rekey(
                LOCAL_FILES_BUCKET,
                key=str(path),
                version=path_keyed_version(path),
                new_key=version,
                new_version=version,
                source=str(path),
            )
        request = ClaimRequest(
            bucket=LOCAL_FILES_BUCKET,
            key=version,
            version=version,
            size=path.stat().st_size,
            worker_id=self.worker_id,
            stale_after=self.settings.worker_stale_claim_seconds,
            name=path.name,
            source=str(path),
        )
        source = LocalFile(path, self.settings, self.listener)
        try:
            done = run_job(
                self.jobs,
                request,
                source,
                settings=self.settings,
                index=self.index,
                force=self.force,
                on_progress=source.on_progress,
            )
        except ConfigError:
            raise  # every other file would fail the same way
        except LifeStreamError as exc:
            # Transient (the job was freed by the lifecycle): the next run retries it.
            return FileOutcome(
                file=str(path),
                video_id=None,
                status="failed",
                message=f"{type(exc).__name__}: {exc} (run again to retry)",
            )
        finally:
            source.finish()
        return _outcome(path, done)


def _outcome(path: Path, done: Any) -> FileOutcome:
    job = done.job
    outcome = FileOutcome(file=str(path), video_id=job.video_id, status="", job_id=job.id)
    if done.status == "already_completed":
        outcome.status, outcome.message = "skipped", "already processed (--force to redo)"
        outcome.duration, outcome.chunk_count = job.duration, job.chunk_count
        outcome.markdown_path = (job.result_keys or {}).get("markdown")
        if job.source and job.source != str(path):
            outcome.message += f"; the same video as {job.source}"
    elif done.status == "already_failed":
        outcome.status, outcome.message = "failed", f"failed before: {job.error} (--force to retry)"
    elif done.status in ("busy", "lost"):
        outcome.status, outcome.message = "busy", f"being processed by {job.claimed_by}"
    elif done.status == "failed":
        outcome.status, outcome.message = "failed", done.detail
    else:
        result = done.result
        assert result is not None
        outcome.status = "completed"
        outcome.duration, outcome.chunk_count = result.duration, result.chunk_count
        outcome.transcriber = result.transcriber
        outcome.markdown_path = str(result.markdown_path)
        if result.recorded_at_is_fallback:
            outcome.message = "no recording date in the file: dated by its modification time"
    return outcome
