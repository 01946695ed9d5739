"""Local-cloud commands: `local up|down|status`, `upload`, `worker`, `dlq list|redrive` and `demo`.

They act on the moto server started by `lifestream local up` unless LIFESTREAM_AWS_ENDPOINT_URL /
LIFESTREAM_BUCKET / LIFESTREAM_QUEUE_URL point elsewhere (then `upload`, `worker` and `dlq` work on AWS too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from lifestream.cli.common import console
from lifestream.core.constants import UPLOAD_PREFIX
from lifestream.core.errors import ConfigError
from lifestream.core.settings import Settings, load_settings
from lifestream.core.timefmt import hms
from lifestream.local import cloud as local_cloud
from lifestream.local.dlq import peek_dlq, redrive_dlq
from lifestream.local.uploads import upload_demo_video, upload_videos

local_app = typer.Typer(
    help="Run the cloud pipeline on this machine (moto server for S3 and SQS).", no_args_is_help=True
)
dlq_app = typer.Typer(help="Inspect and redrive the dead-letter queue.", no_args_is_help=True)

StateDir = Annotated[
    Path | None,
    typer.Option(
        "--state-dir", help="Where the local cloud keeps its pid/port (default: <data_dir>/local-cloud)."
    ),
]


def _state_dir(settings: Settings, state_dir: Path | None) -> Path:
    return state_dir or local_cloud.default_state_dir(settings)


def _cloud_settings(state_dir: Path | None = None) -> Settings:
    settings = load_settings()
    return local_cloud.require_running(settings, _state_dir(settings, state_dir))


def _quiet_worker_logs(verbose: bool) -> None:
    from lifestream.worker.log import logger

    logger.setLevel("DEBUG" if verbose else "WARNING")


# --- local up / down / status ---------------------------------------------------------------------------
@local_app.command("up")
def local_up(
    port: Annotated[
        int | None, typer.Option(help=f"Port on 127.0.0.1 (default {local_cloud.DEFAULT_PORT}).")
    ] = None,
    state_dir: StateDir = None,
    visibility_timeout: Annotated[
        int, typer.Option(help="Queue visibility timeout in seconds (6x the local function timeout).")
    ] = local_cloud.DEFAULT_FUNCTION_TIMEOUT * 6,
) -> None:
    """Start the moto server in the background and create the bucket, queues and notification (idempotent)."""
    settings = load_settings()
    with console.status("starting the local cloud…"):
        cloud, started = local_cloud.up(
            _state_dir(settings, state_dir),
            port=port,
            region=settings.aws_region,
            names=settings.names,
            visibility_timeout=visibility_timeout,
        )
    _print_cloud(cloud, "started" if started else "already running")


@local_app.command("down")
def local_down(
    state_dir: StateDir = None,
    discard: Annotated[
        bool, typer.Option("--discard", help="Do not keep the bucket's objects for the next `local up`.")
    ] = False,
) -> None:
    """Stop the local cloud's moto server. The bucket's objects are saved in the state directory and put
    back by the next `local up`; jobs and the FAISS index live on disk anyway."""
    settings = load_settings()
    stopped = local_cloud.down(_state_dir(settings, state_dir), keep_data=not discard)
    console.print("local cloud stopped" if stopped else "local cloud was not running")


@local_app.command("status")
def local_status(state_dir: StateDir = None) -> None:
    """Show whether the local cloud runs, and its endpoint and resources."""
    settings = load_settings()
    cloud = local_cloud.status(_state_dir(settings, state_dir))
    if cloud is None:
        console.print("local cloud is not running (start it with `lifestream local up`)")
        raise typer.Exit(1)
    _print_cloud(cloud, "running")


def _print_cloud(cloud: local_cloud.LocalCloud, state: str) -> None:
    r = cloud.resources
    table = Table(title=f"local cloud {state} (pid {cloud.pid})", show_header=False)
    for name, value in [
        ("endpoint", r.endpoint_url),
        ("bucket", f"s3://{r.bucket}/{UPLOAD_PREFIX}"),
        ("queue", r.queue_url),
        ("dead-letter queue", f"{r.dlq_url} (after {r.max_receive_count} receives)"),
        ("visibility timeout", f"{r.visibility_timeout}s"),
        ("state", cloud.state_dir),
    ]:
        table.add_row(name, value)
    console.print(table)


# --- upload -------------------------------------------------------------------------------------------------
def upload_cmd(
    files: Annotated[list[Path], typer.Argument(help="Video files to upload.")],
    subtitles: Annotated[
        list[Path] | None,
        typer.Option("--subtitles", help="Subtitle file for each video, in order (.srt/.vtt)."),
    ] = None,
    folder: Annotated[str, typer.Option(help="Folder under uploads/ (e.g. a date).")] = "",
    state_dir: StateDir = None,
) -> None:
    """Put videos (and their subtitles) under uploads/: the bucket notification queues them for the worker."""
    settings = _cloud_settings(state_dir)
    with console.status("uploading…"):
        keys = upload_videos(settings, files, subtitles, folder=folder)
    for key in keys:
        console.print(f"uploaded s3://{settings.resolved_bucket}/{key}")


# --- worker -------------------------------------------------------------------------------------------------
def worker_cmd(
    once: Annotated[bool, typer.Option("--once", help="Receive one batch, process it, stop.")] = False,
    until_idle: Annotated[bool, typer.Option("--until-idle", help="Stop when the queue is empty.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10, help="Messages per invocation (1–10).")] = 10,
    function_timeout: Annotated[
        float, typer.Option(help="Seconds each pretend Lambda invocation may run.")
    ] = 300.0,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the handler's structured log.")
    ] = False,
    state_dir: StateDir = None,
) -> None:
    """Poll the queue and run the Lambda handler on each batch, as the SQS event source mapping does."""
    settings = _cloud_settings(state_dir)
    stats = run_worker(
        settings,
        once=once,
        until_idle=until_idle,
        batch_size=batch_size,
        function_timeout=function_timeout,
        verbose=verbose,
    )
    console.print(
        f"worker stopped: {stats.batches} invocations, {stats.succeeded} messages done, {stats.failed} to be retried"
        + (f", {stats.crashes} invocations crashed (their messages return)" if stats.crashes else "")
    )


def run_worker(
    settings: Settings,
    *,
    once: bool = False,
    until_idle: bool = False,
    batch_size: int = 10,
    function_timeout: float = 300.0,
    verbose: bool = False,
    runtime_parts: dict | None = None,
):
    from lifestream.local.worker import LocalWorker

    _quiet_worker_logs(verbose)
    status_holder: list = []

    def show_progress(key: str, stage: str, fraction: float) -> None:
        if status_holder:
            status_holder[0].update(f"{escape(key)}: {stage} {fraction:.0%}")

    runtime_parts = {"progress_listener": show_progress, **(runtime_parts or {})}
    # Any call may be the first to reach the queue (the worker asks for the queue's ARN when built).
    with _queue_reachable(settings):
        worker = LocalWorker(
            settings,
            batch_size=batch_size,
            function_timeout=function_timeout,
            wait_seconds=1 if (once or until_idle) else 10,
            runtime_parts=runtime_parts,
        )
        with console.status("loading the worker (job store, embedding model)…") as status:
            status_holder.append(status)
            worker_runtime_warm()
            status.update("waiting for messages…")

            def on_batch(result, stats) -> None:
                line = f"invocation {stats.batches}: {result.received} messages in {result.seconds:.1f}s"
                if result.failed_ids:
                    line += f", [yellow]{len(result.failed_ids)} left for retry[/]"
                if result.crashed:
                    line += (
                        f" [red](handler raised: {escape(result.crashed)}; {result.returning} will return)[/]"
                    )
                console.print(line)
                status.update(f"waiting for messages… ({stats.succeeded} done, {stats.failed} retrying)")

            try:
                return worker.run(once=once, until_idle=until_idle, on_batch=on_batch)
            except KeyboardInterrupt:
                return worker.stats


@contextmanager
def _queue_reachable(settings: Settings) -> Iterator[None]:
    from botocore.exceptions import EndpointConnectionError

    try:
        yield
    except EndpointConnectionError:
        raise ConfigError(
            f"the queue at {settings.queue_url} is not reachable (is the local cloud running? "
            "`lifestream local up`)"
        ) from None


def worker_runtime_warm() -> None:
    from lifestream.worker import get_runtime

    get_runtime().warm()


# --- dlq ----------------------------------------------------------------------------------------------------
@dlq_app.command("list")
def dlq_list(limit: Annotated[int, typer.Option(min=1)] = 50, state_dir: StateDir = None) -> None:
    """Show what is in the dead-letter queue."""
    settings = _cloud_settings(state_dir)
    messages = peek_dlq(settings, limit=limit)
    if not messages:
        console.print("the dead-letter queue is empty")
        return
    table = Table(title=f"{len(messages)} message(s) in the dead-letter queue")
    table.add_column("message id")
    table.add_column("receives", justify="right")
    table.add_column("body")
    for m in messages:
        table.add_row(
            m["MessageId"],
            m.get("Attributes", {}).get("ApproximateReceiveCount", "?"),
            _describe_body(m["Body"]),
        )
    console.print(table)


@dlq_app.command("redrive")
def dlq_redrive(
    limit: Annotated[int | None, typer.Option(min=1, help="Move at most this many.")] = None,
    state_dir: StateDir = None,
) -> None:
    """Send dead-letter messages back to the processing queue."""
    settings = _cloud_settings(state_dir)
    moved = redrive_dlq(settings, limit=limit)
    console.print(f"moved {moved} message(s) back to the processing queue")


def _describe_body(body: str) -> str:
    from lifestream.worker.events import MalformedMessageError, ObjectEvents, parse_body

    try:
        message = parse_body(body)
    except MalformedMessageError as exc:
        return f"[red]malformed[/]: {exc}"
    if isinstance(message, ObjectEvents):
        return ", ".join(f"s3://{o.bucket}/{o.key}" for o in message.objects) or "no object records"
    return json.dumps(message.model_dump(mode="json"))[:120]


# --- demo ---------------------------------------------------------------------------------------------------
DEMO_QUERY = "what do I need to buy"
DEMO_QUESTION = "When is the dentist appointment?"


def demo_cmd(
    query: Annotated[str, typer.Option(help="Search to run on the diary.")] = DEMO_QUERY,
    question: Annotated[str, typer.Option(help="Question to ask the diary.")] = DEMO_QUESTION,
    video: Annotated[
        Path | None, typer.Option(help="Use this video instead of the generated sample.")
    ] = None,
    keep_running: Annotated[bool, typer.Option(help="Leave the local cloud running afterwards.")] = False,
    port: Annotated[
        int | None, typer.Option(help=f"Port for the local cloud (default {local_cloud.DEFAULT_PORT}).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """The whole path on this machine: local cloud → sample video with speech → upload → worker → diary,
    search and a cited answer. Stops what it started. Safe to run again."""
    run_demo(
        query=query, question=question, video=video, keep_running=keep_running, verbose=verbose, port=port
    )


def run_demo(
    *,
    query: str = DEMO_QUERY,
    question: str = DEMO_QUESTION,
    video: Path | None = None,
    keep_running: bool = False,
    verbose: bool = False,
    base_settings: Settings | None = None,
    runtime_parts: dict | None = None,
    port: int | None = None,
) -> dict:
    from rich.markdown import Markdown
    from rich.panel import Panel

    base = base_settings or load_settings()
    state_dir = local_cloud.default_state_dir(base)
    console.rule("[bold]LifeStream demo")
    with console.status("starting the local cloud…"):
        cloud, started = local_cloud.up(state_dir, port=port, region=base.aws_region, names=base.names)
    console.print(f"local cloud {'started' if started else 'already running'} at {cloud.endpoint_url}")
    try:
        settings = local_cloud.settings_for(base, cloud.resources)
        if video is None:
            from lifestream.media.sample_media import make_sample_video

            target = base.data_dir.resolve() / "demo" / "my-day.mp4"
            with console.status("making a sample video with speech (espeak-ng + ffmpeg)…"):
                sample = make_sample_video(target) if not target.exists() else None
            video = target
            console.print(
                f"sample video: {video}" + (f" ({sample.duration:.1f}s)" if sample else " (reused)")
            )
        key = upload_demo_video(settings, video)
        console.print(f"uploaded to s3://{settings.resolved_bucket}/{key}")
        run_worker(settings, until_idle=True, verbose=verbose, runtime_parts=runtime_parts)
        return _show_demo_results(
            settings, key, query=query, question=question, Markdown=Markdown, Panel=Panel
        )
    finally:
        if started and not keep_running:
            local_cloud.down(state_dir)
            console.print("local cloud stopped")


def _show_demo_results(settings: Settings, key: str, *, query: str, question: str, Markdown, Panel) -> dict:
    from lifestream.core.constants import LOCAL_USER
    from lifestream.memory.answers import ask
    from lifestream.worker import get_runtime

    runtime = get_runtime()
    jobs = [
        j for j in runtime.jobs.list_jobs(limit=200) if j.key == key and j.bucket == settings.resolved_bucket
    ]
    if not jobs:
        raise ConfigError(f"no job was recorded for s3://{settings.resolved_bucket}/{key}")
    job = jobs[0]
    if job.status != "completed":
        raise ConfigError(f"the demo job {job.id} ended {job.status}: {job.error or 'see `lifestream jobs`'}")
    markdown = runtime.s3(settings.resolved_bucket).read_text(job.result_keys["markdown"])
    console.print(Panel(Markdown(markdown), title=f"diary — {job.result_keys['markdown']}"))

    # The demo's upload names no owner: it is the local user's.
    index = runtime.index.for_owner(LOCAL_USER)
    outcome = index.search(query, top_k=3, timezone=settings.timezone)
    results, found = outcome.results, outcome.found_ids(index.embedder)
    table = Table(title=f"search: {query!r}")
    table.add_column("score", justify="right")
    table.add_column("", justify="left")  # found, or only related (`lifestream search` groups them so)
    table.add_column("where")
    table.add_column("text")
    for r in results:
        table.add_row(
            f"{r.score:.2f}",
            "found" if r.id in found else "related",
            escape(f"[{r.video_id}, {hms(r.start)}–{hms(r.end)}]"),
            escape(r.text[:100]),
        )
    console.print(table)

    answer = ask(question, settings=settings, index=index)
    cited = "\n".join(f"  {escape(c.label)}" for c in answer.citations)
    console.print(
        Panel(
            f"{escape(answer.text)}\n\n[dim]sources:\n{cited or '  (none)'}[/]",
            title=escape(f"ask: {question}"),
        )
    )
    return {"job": job, "markdown": markdown, "results": results, "found": found, "answer": answer}


def register(app: typer.Typer) -> None:
    app.add_typer(local_app, name="local")
    app.add_typer(dlq_app, name="dlq")
    app.command("upload")(upload_cmd)
    app.command("worker")(worker_cmd)
    app.command("demo")(demo_cmd)
