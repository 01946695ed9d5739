"""The web app's own unit tests (Vitest: api client, sign-in, time, upload checks, diary reading) and its
type check run with the Python suite, so `scripts/test.sh` (and CI) cannot pass with them broken."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


def _npm(*args: str) -> subprocess.CompletedProcess:
    npm = shutil.which("npm")
    assert npm, "npm (Node 20) is needed for the web app; scripts/setup.sh builds it"
    if not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    return subprocess.run([npm, *args], cwd=WEB, capture_output=True, text=True, timeout=300, check=False)


def test_vitest_passes():
    run = _npm("test")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout


def test_the_app_type_checks_against_the_generated_api_types():
    run = _npm("run", "typecheck")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
