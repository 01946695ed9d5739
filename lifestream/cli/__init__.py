"""`lifestream` command line: typer + rich. Each command group lives in its own module and registers
itself here; errors LifeStream raises on purpose are printed as one actionable line, not a traceback."""

from __future__ import annotations

import sys

import typer

from lifestream.cli import local_cmds, memory_cmds, pipeline_cmds, serve_cmds
from lifestream.cli.common import console_err
from lifestream.core.errors import LifeStreamError

app = typer.Typer(
    name="lifestream",
    help="Turn the video of your life into a diary you can search and ask questions of.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

pipeline_cmds.register(app)
memory_cmds.register(app)
local_cmds.register(app)
serve_cmds.register(app)


def main() -> None:
    try:
        app()
    except LifeStreamError as exc:
        console_err.print(f"[bold red]error:[/] {exc}")
        sys.exit(1)


if __name__ == "__main__":
    main()
