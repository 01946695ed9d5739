"""`lifestream/` is the runtime library: it must never import the CDK (the Lambda asset has no CDK)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "lifestream"
FORBIDDEN = ("aws_cdk", "constructs", "cdk_nag", "jsii", "stacks")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_lifestream_imports_the_cdk():
    offenders = {}
    files = list(PACKAGE.rglob("*.py"))
    assert len(files) > 5
    for path in files:
        bad = {m for m in _imported_modules(path) if m.split(".")[0] in FORBIDDEN}
        if bad:
            offenders[str(path.relative_to(PACKAGE.parent))] = sorted(bad)
    assert offenders == {}


def test_importing_the_runtime_loads_no_cdk_module():
    code = (
        "import sys, lifestream, lifestream.settings, lifestream.constants\n"
        "import lifestream.secrets, lifestream.errors\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
