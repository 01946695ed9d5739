"""`lifestream process | ask | jobs | status | show | db migrate`: the diary pipeline from the command line.

Local runs go through the same job store and the same job lifecycle as the cloud worker
(`lifestream.worker.lifecycle`), keyed by content: bucket "local", a fingerprint of the file as key and
version, its path as the video's source. So processing a file twice — or a copy of it, or after moving
it — is a no-op with one video and one vector set, a file that failed says why, and an interrupted run
resumes from its checkpoint directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markdown import Markdown
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from lifestream.cli.common import console, console_err
from lifestream.cli.interrupts import InterruptLatch
from lifestream.core.constants import LOCAL_USER, VIDEO_SUFFIXES
from lifestream.core.errors import (
    ConfigError,
    InputError,
    LifeStreamError,
    UnsupportedFileError,
)
from lifestream.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from lifestream.jobs import JobRecord, JobStore

LOCAL_BUCKET = "local"
STATUS_STYLE = {"queued": "yellow", "processing": "cyan", "completed": "green", "failed": "red"}
# The fingerprint reads the size, both ends and evenly spaced blocks between: a few MB of any file, so a
# run over already processed files stays fast however long the videos are.
_EDGE_BYTES = 1 << 20
_SAMPLES = 64
_SAMPLE_BYTES = 64 << 10


# --- helpers ----------------------------------------------------------------------------------------------
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


def _path_keyed_version(path: Path) -> str:
    """The version local jobs had before they were keyed by content: a hash of the whole file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_EDGE_BYTES):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def sidecar_subtitles(video: Path) -> list[Path]:
    """The subtitle files beside `video`, by the rule the upload and the cloud worker use too."""
    from lifestream.core.sidecars import subtitle_files

    files = [p.name for p in video.parent.iterdir() if p.is_file()]
    return [video.parent / name for name in subtitle_files(video.name, files)]


def _check_files(files: list[Path]) -> list[Path]:
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


def _open_store(settings: Settings) -> JobStore:
    from lifestream.jobs import JobStore

    return JobStore.from_settings(settings)


def _library(settings: Settings):
    from lifestream.service import Library

    return Library(settings)


def _lookup_job(settings: Settings, ref: str) -> JobRecord:
    # The CLI is the local user: the service layer decides what that user may see.
    library = _library(settings)
    try:
        return library.lookup(LOCAL_USER, ref)
    finally:
        library.close()


def _dump(data: Any) -> None:
    # Plain print: rich would wrap long lines and break the JSON for scripts.
    print(json.dumps(data, indent=2, default=str))


def _job_json(job: JobRecord) -> dict[str, Any]:
    return job.model_dump(mode="json", exclude={"checkpoint"})


def _status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


def _short_time(value) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "—"


# --- process ----------------------------------------------------------------------------------------------
@dataclass
class FileOutcome:
    file: str
    video_id: str | None
    status: str  # completed | skipped | failed | busy
    job_id: int | None = None
    message: str = ""
    duration: float | None = None
    chunk_count: int | None = None
    transcriber: str | None = None
    markdown_path: str | None = None


class _StageBars:
    """One bar per stage that really runs, plus the file's overall bar."""

    def __init__(self, progress: Progress, label: str) -> None:
        self.progress = progress
        self.overall: TaskID = progress.add_task(f"[bold]{label}", total=1.0)
        self.current: tuple[str, TaskID] | None = None

    def update(self, stage: str, fraction: float) -> None:
        if self.current is None or self.current[0] != stage:
            self.finish_stage()
            self.current = (stage, self.progress.add_task(f"  {stage}", total=None))
        self.progress.update(self.overall, completed=min(max(fraction, 0.0), 1.0))

    def finish_stage(self) -> None:
        if self.current is not None:
            self.progress.update(self.current[1], total=1, completed=1)

    def done(self) -> None:
        self.finish_stage()
        self.progress.update(self.overall, completed=1.0)


class _LocalFile:
    """The `JobSource` of a file on disk: read in place, results and checkpoint in the data directory."""

    def __init__(
        self, path: Path, settings: Settings, progress: Progress, latch: InterruptLatch | None = None
    ) -> None:
        self.path, self.progress, self.latch = path, progress, latch
        # Absolute, so the paths recorded in the job store work from any directory.
        self.data_dir = settings.data_dir.expanduser().resolve()
        self.bars: _StageBars | None = None

    def _state(self, video_id: str) -> Path:
        return self.data_dir / "state" / video_id

    def _results(self, video_id: str) -> Path:
        return self.data_dir / "results" / video_id

    def prepare(self, job: JobRecord, *, resumed: bool):
        from lifestream.core.checkpoint import DirCheckpoint
        from lifestream.worker.lifecycle import Inputs

        checkpoint = DirCheckpoint(self._state(job.video_id))
        # An interrupted local run leaves its stage outputs in the checkpoint directory.
        resumed = resumed or checkpoint.directory.exists()
        self.bars = _StageBars(self.progress, self.path.name + (" (resuming)" if resumed else ""))
        return Inputs(
            video=self.path,
            output_dir=self._results(job.video_id),
            checkpoint=checkpoint,
            subtitles=sidecar_subtitles(self.path),
            # Locally the file's modification time is the best stand-in for an upload time.
            uploaded_at=datetime.fromtimestamp(self.path.stat().st_mtime, UTC),
        )

    def on_progress(self, stage: str, fraction: float) -> None:
        if self.latch is not None:
            self.latch.check()
        if self.bars is not None:
            self.bars.update(stage, fraction)

    def check_current(self) -> None:
        """A local video is its content: there is no newer version of it to give way to."""

    def publish(self, job: JobRecord, result: Any) -> dict[str, str]:
        if self.bars is not None:
            self.bars.done()
        return {
            "json": str(result.json_path),
            "markdown": str(result.markdown_path),
            "keyframes": str(Path(result.json_path).parent / "keyframes"),
        }

    def remove_results(self, job: JobRecord) -> None:
        shutil.rmtree(self._results(job.video_id), ignore_errors=True)
        shutil.rmtree(self._state(job.video_id), ignore_errors=True)

    def finish(self) -> None:
        if self.bars is not None:
            self.bars.finish_stage()


class _Processor:
    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        *,
        index: bool,
        force: bool,
        progress: Progress,
        latch: InterruptLatch | None = None,
    ):
        self.settings = settings
        self.latch = latch
        self.store = store
        self.index = index
        self.force = force
        self.progress = progress
        self.worker_id = f"cli-{socket.gethostname()}-{os.getpid()}"
        self._vectors: tuple[Any, Any] | None = None

    def vectors(self) -> tuple[Any, Any]:
        # Loaded once, on first need: a run where every file is already done never loads a model.
        if self._vectors is None:
            from lifestream.memory.embeddings import make_embedder
            from lifestream.memory.vectors import make_vector_store
            from lifestream.memory.vectors.owned import for_owner

            embedder = make_embedder(self.settings)
            # Files on this machine are the local user's, like the uploads that name no owner.
            self._vectors = (for_owner(make_vector_store(self.settings, embedder), LOCAL_USER), embedder)
        return self._vectors

    def run(self, path: Path) -> FileOutcome:
        from lifestream.worker.lifecycle import ClaimRequest, run_job

        version = file_version(path)
        if self.store.versions(LOCAL_BUCKET, str(path)):
            # Recorded by path by an earlier release: adopt that video (its id, job and vectors) under
            # the content key rather than process the file a second time. Once, then it is keyed by content.
            self.store.rekey(
                LOCAL_BUCKET,
                key=str(path),
                version=_path_keyed_version(path),
                new_key=version,
                new_version=version,
                source=str(path),
            )
        request = ClaimRequest(
            bucket=LOCAL_BUCKET,
            key=version,
            version=version,
            size=path.stat().st_size,
            worker_id=self.worker_id,
            stale_after=self.settings.worker_stale_claim_seconds,
            name=path.name,
            source=str(path),
        )
        source = _LocalFile(path, self.settings, self.progress, self.latch)
        try:
            done = run_job(
                self.store,
                request,
                source,
                settings=self.settings,
                vectors=self.vectors,
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


OUTCOME_STYLE = {"completed": "green", "skipped": "blue", "failed": "red", "busy": "yellow"}


def _print_summary(outcomes: list[FileOutcome]) -> None:
    table = Table(title="LifeStream: processed videos")
    table.add_column("File", overflow="fold")
    table.add_column("Video", no_wrap=True)
    for column in ("Status", "Length", "Chunks", "Transcript"):
        table.add_column(column)
    for o in outcomes:
        table.add_row(
            Path(o.file).name,
            o.video_id or "—",
            f"[{OUTCOME_STYLE.get(o.status, 'white')}]{o.status}[/]",
            f"{o.duration:.1f} s" if o.duration is not None else "—",
            str(o.chunk_count) if o.chunk_count is not None else "—",
            o.transcriber or "—",
        )
    console.print(table)
    # Paths and messages below the table, unwrapped, so they can be copied.
    for o in outcomes:
        if o.markdown_path:
            console.print(f"{Path(o.file).name}: diary {o.markdown_path}", highlight=False, soft_wrap=True)
        if o.message:
            console.print(f"{Path(o.file).name}: {o.message}", markup=False, highlight=False, soft_wrap=True)


def process(
    files: Annotated[
        list[Path], typer.Argument(help="Video files (.mp4 .mov .avi .mkv).", show_default=False)
    ],
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Write the diary only; do not index for search.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Process again even if done or failed before.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON.")] = False,
) -> None:
    """Turn local video files into diaries (results/<video>/summary.md) and index them for search."""
    settings = load_settings()
    paths = _check_files(files)
    store = _open_store(settings)
    outcomes: list[FileOutcome] = []
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console_err if as_json else console,
    )
    try:
        with progress, InterruptLatch() as latch:
            processor = _Processor(
                settings, store, index=not no_index, force=force, progress=progress, latch=latch
            )
            for path in paths:
                outcomes.append(processor.run(path))
    finally:
        store.close()
    if as_json:
        _dump([asdict(o) for o in outcomes])
    else:
        _print_summary(outcomes)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


# --- ask --------------------------------------------------------------------------------------------------
def ask(
    question: Annotated[str, typer.Argument(help="A question about your videos.", show_default=False)],
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50, help="How many passages to read.")] = 6,
    mode: Annotated[str, typer.Option("--mode", help="Retrieval: hybrid, dense or lexical.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a question from your videos, citing \\[video, HH:MM:SS–HH:MM:SS] for every claim."""
    library = _library(load_settings())
    if not library.has_memory(LOCAL_USER):
        raise LifeStreamError("nothing is indexed yet: run `lifestream process VIDEO…` first")
    answer = library.ask(LOCAL_USER, question, top_k=top_k, mode=mode)
    if as_json:
        _dump(answer.model_dump(mode="json"))
        return
    if answer.searching:
        console.print(answer.searching, markup=False, highlight=False)
    console.print(answer.text, markup=False, highlight=False)
    if answer.citations:
        console.print("\n[bold]Sources[/]")
        for citation in answer.citations:
            console.print(f"  {citation.label}", markup=False, highlight=False)


# --- jobs / status ----------------------------------------------------------------------------------------
def jobs(
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only jobs in this state: queued, processing, completed, failed."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1000, help="At most this many, newest first.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the jobs as JSON.")] = False,
) -> None:
    """List processing jobs, most recently updated first."""
    from lifestream.jobs import JobStatus

    if status is not None and status not in {s.value for s in JobStatus}:
        raise typer.BadParameter(
            f"{status!r} is not a job state; use one of: {', '.join(s.value for s in JobStatus)}",
            param_hint="--status",
        )
    library = _library(load_settings())
    try:
        found = library.job_records(LOCAL_USER, limit=limit, status=status)
    finally:
        library.close()
    if as_json:
        _dump([_job_json(j) for j in found])
        return
    if not found:
        console.print("No jobs yet" + (f" with status {status}" if status else "") + ".")
        return
    table = Table(title=f"Jobs ({len(found)})")
    table.add_column("ID", justify="right")
    for column in ("Video", "Status", "Stage", "Done", "Tries", "Updated"):
        table.add_column(column, no_wrap=True)
    table.add_column("Error", overflow="fold", ratio=1, min_width=8)
    for j in found:
        table.add_row(
            str(j.id),
            j.video_id,
            _status(j.status),
            j.stage or "—",
            f"{j.progress:.0%}",
            str(j.attempts),
            j.updated_at.astimezone().strftime("%m-%d %H:%M"),
            (j.error or "")[:120],
        )
    console.print(table)


def status(
    ref: Annotated[
        str, typer.Argument(metavar="ID", help="Job number, video id, or the start of a video id.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the job as JSON.")] = False,
) -> None:
    """Show one job: where it is, what it produced, or why it failed."""
    settings = load_settings()
    job = _lookup_job(settings, ref)
    if as_json:
        _dump(_job_json(job))
        return
    table = Table(show_header=False, box=None, title=f"Job {job.id}: {job.video_id}")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    source = (job.source or job.key) if job.bucket == LOCAL_BUCKET else f"s3://{job.bucket}/{job.key}"
    rows = [
        ("Status", _status(job.status)),
        ("Source", source),
        ("Stage", f"{job.stage or '—'} ({job.progress:.0%})"),
        ("Attempts", str(job.attempts)),
        ("Created", _short_time(job.created_at)),
        ("Started", _short_time(job.started_at)),
        ("Finished", _short_time(job.finished_at)),
    ]
    if job.duration is not None:
        rows.append(("Length", f"{job.duration:.1f} s"))
    if job.recorded_at is not None:
        rows.append(("Recorded", _short_time(job.recorded_at)))
    if job.chunk_count is not None:
        rows.append(("Chunks", str(job.chunk_count)))
    if job.claimed_by:
        rows.append(("Worker", f"{job.claimed_by} (heartbeat {_short_time(job.heartbeat_at)})"))
    for name, value in (job.result_keys or {}).items():
        rows.append((f"Result {name}", value))
    if job.error:
        rows.append(("Error", f"[red]{job.error}[/]"))
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


# --- show -------------------------------------------------------------------------------------------------
def show(
    ref: Annotated[str, typer.Argument(metavar="VIDEO", help="Video id (or its start) or job number.")],
    render: Annotated[bool, typer.Option("--render", help="Format the Markdown for the terminal.")] = False,
) -> None:
    """Print a video's diary (Markdown)."""
    library = _library(load_settings())
    try:
        text = library.markdown(LOCAL_USER, ref)
    finally:
        library.close()
    if render:
        console.print(Markdown(text))
    else:
        print(text, end="" if text.endswith("\n") else "\n")


# --- db ---------------------------------------------------------------------------------------------------
db_app = typer.Typer(help="The job-store database.", no_args_is_help=True)


@db_app.command("migrate")
def db_migrate() -> None:
    """Create or upgrade the job-store schema (safe to run again; AWS deploys do it automatically)."""
    from lifestream.jobs import JobStore
    from lifestream.jobs.engine import describe

    settings = load_settings()
    store = JobStore(settings.resolved_database_url)
    try:
        before = store.revision()
        after = store.migrate()
    finally:
        store.close()
    where = describe(store.engine)
    if before == after:
        console.print(f"Job store {where} is up to date (revision {after}).", highlight=False, soft_wrap=True)
    else:
        console.print(
            f"Job store {where} migrated: {before or 'empty'} → {after}.", highlight=False, soft_wrap=True
        )


def register(app: typer.Typer) -> None:
    app.command("process")(process)
    app.command("ask")(ask)
    app.command("jobs")(jobs)
    app.command("status")(status)
    app.command("show")(show)
    app.add_typer(db_app, name="db")
