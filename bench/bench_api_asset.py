#!/usr/bin/env python3
"""The API Lambda's slim asset: its size (unzipped and zipped) and its cold import time.

    .venv/bin/python bench/bench_api_asset.py              # size for the Lambda's Python + cold import
    .venv/bin/python bench/bench_api_asset.py --runs 9     # more fresh interpreters per measurement

Size: the asset built by the docker-free bundler for the Lambda runtime's Python (requirements-api.txt,
lambda_src/api.py, the lifestream package, the RDS CA bundle). Target <= 60 MB unzipped.

Bytecode: the asset for the Lambda's Python ships .pyc made by Pyodide's CPython 3.13 (stacks/bytecode.py), so
the "shipped .pyc" figure below is what a deploy from this machine runs; "sources only" is what it ran before.

Cold import: a fresh interpreter (`python -S`, no site-packages, only the asset on sys.path) imports the
handler module, timed end to end, against a fresh `python -S -c pass` in the same run; the difference is
what an import costs a cold container. Target <= 1 s. The Lambda's own Python cannot run on this machine,
so this imports a twin of the asset built the same way for this machine's Python (which, being built
by its target Python, ships .pyc; both cases are measured).

Until `lifestream/api` is merged the handler cannot be imported; the bench then measures the import of
the dependency set the handler pulls in (fastapi, mangum, pydantic, sqlalchemy, psycopg, jwt, openai,
pinecone), and of that set plus the library rooms the app will use, and says so. Re-run once merged.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from bench_bundle import lambda_python, largest_entries, zipped_size
from rich.console import Console
from rich.table import Table

from stacks.bundling import CACHE_DIR, LambdaBundle, api_bundle, tree_size

MB = 1024 * 1024
TARGET_UNZIPPED_BYTES = 60 * MB
TARGET_IMPORT_SECONDS = 1.0
DEPENDENCY_SET = ("fastapi", "mangum", "pydantic", "sqlalchemy", "psycopg", "jwt", "openai", "pinecone")
# What the app's service layer will import beyond its dependencies: the job store, search, answers and
# the cloud stores (the PostgreSQL driver, the OpenAI embedder and the Pinecone store, with numpy).
LIBRARY_SET = (
    "lifestream.core.settings",
    "lifestream.jobs.store",
    "lifestream.memory.search",
    "lifestream.memory.answers",
    "lifestream.memory.embeddings.openai_embedder",
    "lifestream.memory.vectors.pinecone_store",
    "lifestream.storage.s3_service",
    "psycopg.pq",
)
console = Console()


def build(python_version: str, output: Path, *, bytecode: bool = True) -> tuple[Path, float, bool]:
    bundle = api_bundle(python_version)
    if not bytecode:  # the same asset, sources only (what a deploy from here shipped before stacks/bytecode.py)
        bundle = LambdaBundle(
            python_version=python_version, requirements=bundle.requirements, handlers=bundle.handlers
        )
    cached = (CACHE_DIR / bundle.dependencies_key).is_dir()
    started = time.perf_counter()
    with console.status(
        f"bundling the API for Python {python_version} ({'cached' if cached else 'pip install'})…"
    ):
        bundle.build(output)
    return output, time.perf_counter() - started, cached


def _fresh_interpreter(code: str, *, asset: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=asset, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"import failed:\n{result.stderr[-3000:]}")
    return elapsed


def cold_imports(asset: Path, runs: int, *, shipped_bytecode: bool) -> list[tuple[str, float, float]]:
    """(what, median seconds, median seconds minus the bare interpreter's), bare interpreter first.

    As on Lambda, nothing is written (/var/task is read-only): with shipped_bytecode the interpreter
    loads the asset's own .pyc (what a build on the Lambda's Python ships); without, it finds none and
    compiles everything it imports on every cold start (what a build on another Python ships).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "LIFESTREAM_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if not shipped_bytecode:
        # An empty cache prefix: the shipped __pycache__ directories are not looked at.
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="no-pyc-")
    env |= {
        "HOME": tempfile.mkdtemp(prefix="api-home-"),
        "LIFESTREAM_AUTH": "gateway",
        "LIFESTREAM_DATA_DIR": tempfile.mkdtemp(prefix="api-data-"),
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    prelude = f"import sys; sys.path.insert(0, {str(asset)!r}); "
    app_merged = (asset / "lifestream" / "api").is_dir()
    cases = [("python -S -c pass (baseline)", "pass")]
    if app_merged:
        cases.append(("import api (the handler: app built)", prelude + "import api"))
    else:
        cases.append(("dependency set (app not merged yet)", prelude + "import " + ", ".join(DEPENDENCY_SET)))
        cases.append(
            (
                "dependency set + library rooms the app will use",
                prelude + "import " + ", ".join(DEPENDENCY_SET + LIBRARY_SET),
            )
        )
    timings: dict[str, list[float]] = {name: [] for name, _ in cases}
    # Interleaved, so that a slow moment of the machine hits every case alike.
    for _ in range(runs):
        for name, code in cases:
            timings[name].append(_fresh_interpreter(code, asset=asset, env=env))
    baseline = statistics.median(timings[cases[0][0]])
    return [
        (name, statistics.median(timings[name]), statistics.median(timings[name]) - baseline)
        for name, _ in cases
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per measurement (median)")
    args = parser.parse_args()

    version = lambda_python()
    ok = True
    with tempfile.TemporaryDirectory(prefix="lifestream-api-asset-") as tmp:
        output, seconds, cached = build(version, Path(tmp) / "asset")
        unzipped, zipped = tree_size(output), zipped_size(output)
        lambda_pycs = sum(1 for _ in output.rglob("*.pyc"))
        table = Table(title=f"API asset for Lambda python{version}")
        table.add_column("measure")
        table.add_column("value", justify="right")
        table.add_row(
            "build time", f"{seconds:.1f} s ({'dependency cache hit' if cached else 'fresh pip install'})"
        )
        table.add_row("files", f"{sum(1 for p in output.rglob('*') if p.is_file())}")
        table.add_row("unzipped", f"{unzipped / MB:.1f} MB")
        table.add_row("zipped (deflate -6)", f"{zipped / MB:.1f} MB")
        table.add_row("unzipped / 60 MB target", f"{unzipped / TARGET_UNZIPPED_BYTES:.2f}")
        table.add_row(
            "bytecode shipped",
            f"{lambda_pycs} .pyc"
            if lambda_pycs
            else f"none (built on Python {sys.version_info.major}."
            f"{sys.version_info.minor}, not {version}: cold starts compile)",
        )
        console.print(table)
        top = Table(title="Largest top-level entries")
        top.add_column("entry")
        top.add_column("MB", justify="right")
        top.add_column("share", justify="right")
        for name, size in largest_entries(output, count=14):
            top.add_row(name, f"{size / MB:.1f}", f"{size / unzipped:.0%}")
        console.print(top)
        if unzipped > TARGET_UNZIPPED_BYTES:
            ok = False
            console.print(
                f"[yellow]{(unzipped - TARGET_UNZIPPED_BYTES) / MB:.0f} MB over the 60 MB target[/]"
            )

    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    with tempfile.TemporaryDirectory(prefix="lifestream-api-twin-") as tmp:
        twin, _, _ = build(here, Path(tmp) / "asset")
        sources, _, _ = build(here, Path(tmp) / "sources", bytecode=False)
        shipped = sum(1 for _ in twin.rglob("*.pyc"))
        measured = [
            (f"shipped .pyc ({shipped} files)", cold_imports(twin, args.runs, shipped_bytecode=True)),
            ("sources only", cold_imports(sources, args.runs, shipped_bytecode=False)),
        ]
    for label, results in measured:
        table = Table(
            title=f"Cold import ({label}), fresh interpreter, Python {here} twin, median of {args.runs}"
        )
        table.add_column("what")
        table.add_column("wall s", justify="right")
        table.add_column("minus baseline s", justify="right")
        table.add_column("/ 1 s target", justify="right")
        for name, wall, extra in results:
            table.add_row(name, f"{wall:.3f}", f"{extra:.3f}", "" if "baseline" in name else f"{extra:.2f}")
            if label.startswith("shipped") and "baseline" not in name and extra > TARGET_IMPORT_SECONDS:
                ok = False
        console.print(table)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
