#!/usr/bin/env python3
"""How long `cdk synth` of all three environments takes, through the pinned npm CLI, offline.

    .venv/bin/python bench/bench_synth.py              # one round
    .venv/bin/python bench/bench_synth.py --rounds 3   # best of three per way

Baseline (measured in the same run): one `cdk synth -c env=NAME` per environment, the worker asset built
each time — what deploying one environment after another does. Compared with one synthesis of all
three (`-c env=all`: one Node process, one app, one asset build shared by the identical assets) and
with asset bundling skipped (`-c bundling=skip`, for audits that read templates only). Every run
writes into a fresh output directory; the dependency cache (.cache/lambda-deps) is warmed first, so
pip's download is not what is measured. Figures are ratios to the baseline: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"
ENVIRONMENTS = ("dev", "staging", "prod")
console = Console()


def synth(*context: str) -> float:
    """Seconds for one `cdk synth` with these `-c` values, into a fresh directory."""
    env = {
        **os.environ,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "CDK_DISABLE_VERSION_CHECK": "1",
        "PYTHONPATH": str(REPO_ROOT),
    }
    # The CLI runs cdk.json's app (.venv/bin/python app.py); point it at this interpreter instead.
    app = f"{sys.executable} {REPO_ROOT / 'app.py'}"
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as out:
        command = [str(CDK), "synth", "-q", "--no-notices", "--app", app, "-o", out]
        for value in context:
            command += ["-c", value]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"cdk synth {' '.join(context)} failed:\n{result.stderr[-3000:]}")
    return elapsed


def per_environment() -> float:
    return sum(synth(f"env={name}") for name in ENVIRONMENTS)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=1, help="best of N per way (default 1)")
    args = parser.parse_args()
    if not CDK.exists() or shutil.which("node") is None:
        console.print("[red]the CDK CLI is missing: run scripts/setup.sh --dev[/]")
        return 1

    with console.status("warming the dependency cache (first asset build)…"):
        synth("env=dev")
    ways = {
        "3 × cdk synth -c env=NAME (baseline)": per_environment,
        "1 × cdk synth -c env=all": lambda: synth("env=all"),
        "1 × cdk synth -c env=all -c bundling=skip": lambda: synth("env=all", "bundling=skip"),
    }
    best: dict[str, float] = {}
    for round_ in range(args.rounds):
        for name, way in ways.items():
            with console.status(f"round {round_ + 1}/{args.rounds}: {name}…"):
                seconds = way()
            best[name] = min(seconds, best.get(name, seconds))

    baseline = best[next(iter(ways))]
    table = Table(
        title=f"cdk synth of {', '.join(ENVIRONMENTS)} (best of {args.rounds}, {os.cpu_count()} cores)"
    )
    table.add_column("way")
    table.add_column("seconds", justify="right")
    table.add_column("vs baseline", justify="right")
    for name, seconds in best.items():
        table.add_row(name, f"{seconds:.1f}", f"{seconds / baseline:.2f}×")
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
