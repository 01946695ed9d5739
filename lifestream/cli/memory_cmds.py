"""`lifestream search`, `lifestream ask`, `lifestream day` and `lifestream migrate faiss-to-pinecone`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from lifestream.cli.common import console, console_err, dump_json


def search(
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=1000, help="How many results.")] = 5,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Drop results below this cosine.")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Recorded on or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Recorded on or before YYYY-MM-DD.")] = None,
    video: Annotated[str | None, typer.Option("--video", help="Only this video id.")] = None,
    speaker: Annotated[
        str | None, typer.Option("--speaker", help="Only chunks where this speaker talks.")
    ] = None,
    chunk_type: Annotated[
        str | None, typer.Option("--type", help="summary, transcript or action_item.")
    ] = None,
    mode: Annotated[
        str,
        typer.Option("--mode", help="hybrid (words and meaning, fused), dense (meaning) or lexical (words)."),
    ] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list instead of a table.")] = False,
) -> None:
    """Search everything you have recorded, by words and meaning; dates said in the query ("last weekend")
    become a date filter."""
    from lifestream.core.constants import LOCAL_USER
    from lifestream.core.settings import load_settings
    from lifestream.service import Library, parse_filters

    # Bad filters are refused here, before any model is loaded; then the local user's memory, through
    # the same service the HTTP API calls.
    filters = parse_filters(
        date_from=date_from, date_to=date_to, video_id=video, speaker=speaker, chunk_type=chunk_type
    )
    page = Library(load_settings()).search_page(
        LOCAL_USER, query, filters=filters, top_k=top_k, min_score=min_score, mode=mode
    )
    results = page.hits
    if page.searching:
        # On stderr: --json output stays one JSON document.
        console_err.print(page.searching, markup=False, highlight=False)
    if as_json:
        rows = [
            {
                "video_id": r.video_id,
                "start": r.start,
                "end": r.end,
                "score": round(r.score, 6),
                "text": r.text,
                "chunk_type": r.chunk_type,
                "found": r.found,
            }
            for r in results
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not results:
        console.print("[yellow]No matches.[/]")
        return
    from rich.table import Table

    # What clears the calibrated threshold that ask uses, apart from what is merely related.
    found = [r for r in results if r.found]
    related = [r for r in results if not r.found]
    if not found:
        console.print(f"[yellow]Nothing found for {query!r};[/] related moments:", highlight=False)
    groups = ((f"Found: {len(found)} for {query!r}", found), (f"Related: {len(related)}", related))
    for title, group in groups:
        if not group:
            continue
        table = Table(title=title)
        for column in ("score", "video", "when", "type", "text"):
            table.add_column(column, overflow="fold")
        for r in group:
            table.add_row(
                f"{r.score:.3f}",
                r.video_id,
                f"{_clock(r.start)}–{_clock(r.end)}" + (f"\n{r.recorded_date}" if r.recorded_date else ""),
                r.chunk_type,
                r.text if len(r.text) <= 300 else r.text[:297] + "...",
            )
        console.print(table)


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


migrate_app = typer.Typer(help="Move your memory between vector stores.", no_args_is_help=True)


@migrate_app.command("faiss-to-pinecone")
def faiss_to_pinecone(
    faiss_dir: Annotated[
        Path | None, typer.Option("--faiss-dir", help="Source index (default: LIFESTREAM_FAISS_DIR).")
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=1000)] = 200,
    re_embed: Annotated[
        bool, typer.Option("--re-embed", help="Embed the texts again with the configured embedder.")
    ] = False,
    parity_queries: Annotated[
        int, typer.Option("--parity-queries", min=0, help="Sample queries to compare.")
    ] = 20,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=100, help="k of the parity overlap.")] = 10,
    restart: Annotated[
        bool, typer.Option("--restart", help="Ignore saved progress and copy everything.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Copy the local FAISS index into Pinecone (no re-embedding unless asked), resumably."""
    from rich.progress import Progress

    from lifestream.core.settings import load_settings
    from lifestream.memory.migrate import migrate_store
    from lifestream.memory.vectors.factory import connect_pinecone
    from lifestream.memory.vectors.faiss_store import FaissVectorStore

    settings = load_settings()
    source_dir = faiss_dir or settings.resolved_faiss_dir
    source = FaissVectorStore.open_existing(source_dir, autosave=False)
    api_key = settings.pinecone_key()
    if not api_key:
        from lifestream.core.errors import ConfigError

        raise ConfigError("migration to Pinecone needs LIFESTREAM_PINECONE_API_KEY")
    embedder = None
    name, dimension = source.embedder_name, source.dimension
    if re_embed:
        from lifestream.memory.embeddings import make_embedder

        embedder = make_embedder(settings)
        name, dimension = embedder.name, embedder.dimension
    target = connect_pinecone(settings, api_key=api_key, dimension=dimension, embedder_name=name)
    state_path = settings.data_dir / "migrate-faiss-to-pinecone.json"
    if restart and state_path.exists():
        state_path.unlink()
    with Progress(console=console, transient=True, disable=as_json) as progress:
        task = progress.add_task("copying vectors", total=source.count())
        report = migrate_store(
            source,
            target,
            batch_size=batch_size,
            re_embed_with=embedder,
            state_path=state_path,
            parity_queries=parity_queries,
            top_k=top_k,
            on_batch=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
        return
    console.print(
        f"Copied [bold]{report.copied}[/] of {report.total} vectors in {report.batches} batch(es)"
        + (f", resumed after {report.skipped_resumed}" if report.skipped_resumed else "")
        + (" (re-embedded)" if report.re_embedded else " (no re-embedding)")
        + f"; Pinecone now holds {report.target_count}."
    )
    if report.parity:
        p = report.parity
        console.print(
            f"Parity over {p.queries} sample queries: top-{p.top_k} overlap mean {p.mean_overlap:.3f}, "
            f"min {p.min_overlap:.3f}"
        )


# --- ask --------------------------------------------------------------------------------------------------
def ask(
    question: Annotated[str, typer.Argument(help="A question about your videos.", show_default=False)],
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=50, help="How many passages to read.")] = 6,
    mode: Annotated[str, typer.Option("--mode", help="Retrieval: hybrid, dense or lexical.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a question from your videos, citing \\[video, HH:MM:SS–HH:MM:SS] for every claim."""
    from lifestream.core.constants import LOCAL_USER
    from lifestream.core.errors import LifeStreamError
    from lifestream.core.settings import load_settings
    from lifestream.service import Library

    library = Library(load_settings())
    if not library.has_memory(LOCAL_USER):
        raise LifeStreamError("nothing is indexed yet: run `lifestream process VIDEO…` first")
    answer = library.ask(LOCAL_USER, question, top_k=top_k, mode=mode)
    if as_json:
        dump_json(answer.model_dump(mode="json"))
        return
    if answer.searching:
        console.print(answer.searching, markup=False, highlight=False)
    console.print(answer.text, markup=False, highlight=False)
    if answer.citations:
        console.print("\n[bold]Sources[/]")
        for citation in answer.citations:
            console.print(f"  {citation.label}", markup=False, highlight=False)



# --- day --------------------------------------------------------------------------------------------------
def day(
    date: Annotated[str, typer.Argument(help="The day, YYYY-MM-DD (your LIFESTREAM_TIMEZONE's).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the day's digest as JSON.")] = False,
) -> None:
    """The day in a few lines: one per video, when, what, who, where and tasks, each with its moments."""
    from lifestream.core.constants import LOCAL_USER
    from lifestream.core.settings import load_settings
    from lifestream.service import Library

    diary = Library(load_settings()).day(LOCAL_USER, date)
    if as_json:
        dump_json([line.model_dump(mode="json") for line in diary.digest])
        return
    if not diary.digest:
        console.print(f"No videos recorded on {diary.date}.", markup=False, highlight=False)
        return
    for line in diary.digest:
        cited = " ".join(c.label for c in line.citations)
        console.print(f"- {line.text} {cited}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("day")(day)
    app.command("ask")(ask)
    app.add_typer(migrate_app, name="migrate")
