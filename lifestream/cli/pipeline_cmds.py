"""`lifestream process | jobs | status | show | db migrate`: diaries from files, and the jobs that make them.

The processing itself is `lifestream.local.files`; this module parses and prints.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markdown import Markdown
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from lifestream.cli.common import console, console_err, dump_json
from lifestream.cli.interrupts import InterruptLatch
from lifestream.core.constants import LOCAL_FILES_BUCKET, LOCAL_USER
from lifestream.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from lifestream.jobs import JobRecord
    from lifestream.local.files import FileOutcome

STATUS_STYLE = {"queued": "yellow", "processing": "cyan", "completed": "green", "failed": "red"}


# --- helpers ----------------------------------------------------------------------------------------------
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


def _job_json(job: JobRecord) -> dict[str, Any]:
    return job.model_dump(mode="json", exclude={"checkpoint"})


def _status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


def _short_time(value) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "—"


# --- process ----------------------------------------------------------------------------------------------
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


class _Shown:
    """A file's run as the terminal shows it (`FileListener`); a Ctrl-C pressed meanwhile stops the run at
    the next unit of work, even one a finalizer swallowed."""

    def __init__(self, progress: Progress, latch: InterruptLatch | None = None) -> None:
        self.progress, self.latch = progress, latch
        self.bars: _StageBars | None = None

    def start(self, label: str) -> None:
        self.bars = _StageBars(self.progress, label)

    def update(self, stage: str, fraction: float) -> None:
        if self.latch is not None:
            self.latch.check()
        if self.bars is not None:
            self.bars.update(stage, fraction)

    def published(self) -> None:
        if self.bars is not None:
            self.bars.done()

    def finish(self) -> None:
        if self.bars is not None:
            self.bars.finish_stage()


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
    from lifestream.jobs import JobStore
    from lifestream.local.files import FileProcessor, check_files

    settings = load_settings()
    paths = check_files(files)
    jobs = JobStore.from_settings(settings)
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
            processor = FileProcessor(
                settings, jobs, index=not no_index, force=force, listener=_Shown(progress, latch)
            )
            for path in paths:
                outcomes.append(processor.run(path))
    finally:
        jobs.close()
    if as_json:
        dump_json([asdict(o) for o in outcomes])
    else:
        _print_summary(outcomes)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(1)


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
        dump_json([_job_json(j) for j in found])
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
        dump_json(_job_json(job))
        return
    table = Table(show_header=False, box=None, title=f"Job {job.id}: {job.video_id}")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    source = (job.source or job.key) if job.bucket == LOCAL_FILES_BUCKET else f"s3://{job.bucket}/{job.key}"
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
    jobs = JobStore(settings.resolved_database_url)
    try:
        before = jobs.revision()
        after = jobs.migrate()
    finally:
        jobs.close()
    where = describe(jobs.engine)
    if before == after:
        console.print(f"Job store {where} is up to date (revision {after}).", highlight=False, soft_wrap=True)
    else:
        console.print(
            f"Job store {where} migrated: {before or 'empty'} → {after}.", highlight=False, soft_wrap=True
        )


def register(app: typer.Typer) -> None:
    app.command("process")(process)
    app.command("jobs")(jobs)
    app.command("status")(status)
    app.command("show")(show)
    app.add_typer(db_app, name="db")
