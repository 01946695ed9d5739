#!/usr/bin/env python3
"""Builds the real worker asset with the docker-free bundler and reports its size against Lambda's limit.

    .venv/bin/python bench/bench_bundle.py            # bundle for the Lambda runtime's Python
    .venv/bin/python bench/bench_bundle.py --smoke    # also import-test a twin built for this Python

The dependency tree is cached by requirements hash under .cache/lambda-deps, so a re-run only copies.
Limit: 250 MB unzipped (function + layers). Target: <= 150 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from stacks.bundling import (  # noqa: E402
    LAMBDA_UNZIPPED_LIMIT_BYTES,
    WorkerBundle,
    python_version_of,
    tree_size,
)

MB = 1024 * 1024
TARGET_BYTES = 150 * MB
console = Console()

SMOKE = r"""
import sys
assert not any("site-packages" in p for p in sys.path), sys.path
import av, numpy, psycopg, sqlalchemy, pydantic, pydantic_settings, openai, pinecone, tiktoken
import aws_lambda_powertools
from psycopg import pq
assert pq.__impl__ == "binary", pq.__impl__
assert av.codec.Codec("h264", "r") and av.codec.Codec("aac", "r")
assert float(numpy.linalg.norm(numpy.ones(4, dtype="float32"))) == 2.0
with sqlalchemy.create_engine("sqlite://").connect() as c:
    assert c.execute(sqlalchemy.text("select 1")).scalar() == 1
import lifestream.core.settings, worker, migrate
print("ok", av.__version__, numpy.__version__, psycopg.__version__)
"""


def lambda_python() -> str:
    from stacks.bundling import LAMBDA_RUNTIME

    return python_version_of(LAMBDA_RUNTIME)


def zipped_size(directory: Path) -> int:
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in sorted(directory.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(directory))
        return handle.tell()


def largest_entries(directory: Path, count: int = 12) -> list[tuple[str, int]]:
    sizes = [
        (entry.name, tree_size(entry) if entry.is_dir() else entry.stat().st_size)
        for entry in directory.iterdir()
    ]
    return sorted(sizes, key=lambda item: -item[1])[:count]


def build(python_version: str, output: Path) -> tuple[Path, float, bool]:
    bundle = WorkerBundle(python_version=python_version)
    cached = (
        Path(__file__).resolve().parent.parent / ".cache" / "lambda-deps" / bundle.dependencies_key
    ).is_dir()
    started = time.perf_counter()
    with console.status(f"bundling for Python {python_version} ({'cached' if cached else 'pip install'})…"):
        bundle.build(output)
    return output, time.perf_counter() - started, cached


def smoke(output: Path) -> bool:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = str(output)
    result = subprocess.run(
        [sys.executable, "-S", "-c", SMOKE], env=env, capture_output=True, text=True, cwd=output
    )
    if result.returncode == 0:
        console.print(
            f"[green]smoke import (Python {sys.version_info.major}.{sys.version_info.minor} twin):[/] "
            f"{result.stdout.strip()}"
        )
        return True
    console.print(f"[red]smoke import failed:[/]\n{result.stderr[-3000:]}")
    return False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--smoke", action="store_true", help="import-test a twin bundle built for this Python"
    )
    args = parser.parse_args()

    version = lambda_python()
    with tempfile.TemporaryDirectory(prefix="lifestream-asset-") as tmp:
        output, seconds, cached = build(version, Path(tmp) / "asset")
        unzipped = tree_size(output)
        zipped = zipped_size(output)
        files = sum(1 for p in output.rglob("*") if p.is_file())

        table = Table(title=f"Worker asset for Lambda python{version}")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row(
            "build time", f"{seconds:.1f} s ({'dependency cache hit' if cached else 'fresh pip install'})"
        )
        table.add_row("files", f"{files}")
        table.add_row("unzipped", f"{unzipped / MB:.1f} MB")
        table.add_row("zipped (deflate -6)", f"{zipped / MB:.1f} MB")
        table.add_row("unzipped / 250 MB limit", f"{unzipped / LAMBDA_UNZIPPED_LIMIT_BYTES:.2f}")
        table.add_row("unzipped / 150 MB target", f"{unzipped / TARGET_BYTES:.2f}")
        console.print(table)

        top = Table(title="Largest top-level entries")
        top.add_column("entry")
        top.add_column("MB", justify="right")
        top.add_column("share", justify="right")
        for name, size in largest_entries(output):
            top.add_row(name, f"{size / MB:.1f}", f"{size / unzipped:.0%}")
        console.print(top)

    ok = unzipped <= LAMBDA_UNZIPPED_LIMIT_BYTES
    if not ok:
        console.print("[red]above the Lambda limit: this asset cannot be deployed[/]")
    elif unzipped > TARGET_BYTES:
        console.print(
            f"[yellow]within the limit, {(unzipped - TARGET_BYTES) / MB:.0f} MB over the 150 MB target[/]"
        )

    if args.smoke:
        here = f"{sys.version_info.major}.{sys.version_info.minor}"
        with tempfile.TemporaryDirectory(prefix="lifestream-twin-") as tmp:
            twin, _, _ = build(here, Path(tmp) / "asset")
            ok = smoke(twin) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
