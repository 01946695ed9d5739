"""The library's rooms and their order, pinned by walking the AST of every module.

From the ground up: core; storage, media, jobs; memory; understand (its pipeline indexes through memory);
worker; local and service; api; cli (the outermost face: `lifestream serve` runs the api). A room imports
only its own room and the rooms below it. `stacks/` imports only
`lifestream.core`, and `lifestream/` never imports the CDK (the Lambda asset has no CDK).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "lifestream"
CDK = ("aws_cdk", "constructs", "cdk_nag", "jsii", "stacks")

# Rooms on one level may not import each other either: storage, media and jobs are independent.
LEVELS: dict[str, int] = {
    "core": 0,
    "storage": 1,
    "media": 1,
    "jobs": 1,
    "memory": 2,
    "understand": 3,
    "worker": 4,
    "local": 5,
    "service": 5,
    "api": 6,
    # Above api: `lifestream serve` starts the HTTP API; the api never imports the CLI.
    "cli": 7,
}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module a file imports, wherever the import stands (functions and TYPE_CHECKING too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; use the absolute name"
            if node.module == "lifestream":
                names |= {f"lifestream.{alias.name}" for alias in node.names}
            elif node.module:
                names.add(node.module)
    return names


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "lifestream" else None


def library_files() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 40
    return files


def test_every_module_lives_in_a_room():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py"}]
    assert loose == []
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert rooms <= set(LEVELS), rooms - set(LEVELS)


def test_each_room_says_what_it_is_for():
    for room in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and p.name in LEVELS):
        doc = ast.get_docstring(ast.parse((room / "__init__.py").read_text()))
        assert doc and len(doc) > 40, (
            f"{room.name}/__init__.py needs a docstring that says what the room is for"
        )


def test_no_room_imports_a_higher_or_sibling_room():
    offenders: dict[str, list[str]] = {}
    for path in library_files():
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) == 1:  # lifestream/__init__.py and __main__.py stand above every room
            continue
        own = rel.parts[0]
        for module in imported_modules(path):
            target = room_of(module)
            if target is None or target == own:
                continue
            if target not in LEVELS or LEVELS[target] >= LEVELS[own]:
                offenders.setdefault(str(rel), []).append(module)
    assert offenders == {}


def test_the_layering_check_catches_an_upward_import(tmp_path):
    # The AST walk must see imports inside functions and through `from lifestream import x`.
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from lifestream import cli\n    import lifestream.worker.events\n")
    assert {room_of(m) for m in imported_modules(bad)} == {"cli", "worker"}


def test_stacks_import_only_the_core_room():
    offenders = {}
    for path in sorted((REPO / "stacks").rglob("*.py")) + [REPO / "app.py"]:
        bad = {m for m in imported_modules(path) if m.startswith("lifestream") and room_of(m) != "core"}
        if bad:
            offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert offenders == {}


def test_no_module_of_lifestream_imports_the_cdk():
    offenders = {}
    for path in library_files():
        bad = {m for m in imported_modules(path) if m.split(".")[0] in CDK}
        if bad:
            offenders[str(path.relative_to(REPO))] = sorted(bad)
    assert offenders == {}


@pytest.mark.parametrize(
    ("module", "heavy"),
    [
        ("lifestream.core.constants", ("aws_cdk", "constructs", "stacks", "av", "faiss", "numpy")),
        ("lifestream.core", ("aws_cdk", "av", "faiss", "numpy", "pydantic_settings")),
        ("lifestream.understand.diary", ("av", "faiss", "onnxruntime", "torch")),
        ("lifestream.memory", ("faiss", "onnxruntime", "torch", "av")),
    ],
)
def test_importing_a_room_face_loads_nothing_heavy(module, heavy):
    code = (
        f"import sys, {module}\n"
        f"bad = [m for m in {heavy!r} if m in sys.modules]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_room_face_exports_real_names():
    code = (
        "import lifestream.core as c, lifestream.memory as m, lifestream.understand as u, lifestream.local as l\n"
        "import lifestream.storage as s, lifestream.media as me\n"
        "for face in (c, m, u, l, s, me):\n"
        "    for name in face.__all__:\n"
        "        assert getattr(face, name) is not None, (face.__name__, name)\n"
        "try:\n"
        "    m.no_such_name\n"
        "except AttributeError as exc:\n"
        "    print('ok', exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok")


# --- one home per concept: what the layout issue moved must stay where it went -----------------------------
MAX_MODULE_LINES = 450


def code_strings(path: Path) -> set[str]:
    """The string literals of a module's code: docstrings (which may describe the layout) left out."""
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    }


def names_used(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names
    }


def test_no_module_is_over_the_size_limit():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in library_files()
        if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_the_outputs_layout_is_spelled_in_one_module():
    # File names and key prefixes of a video's outputs, and the functions that build them, appear only in
    # storage/results.py (core.constants names the prefixes the stacks share).
    home = PACKAGE / "storage"
    prefixes = {"RESULTS_PREFIX", "STATE_PREFIX", "results_prefix", "state_prefix", "legacy_results_prefix"}
    offenders = {}
    for path in library_files():
        if path.name == "constants.py" and path.parent.name == "core":
            continue
        spelled = {
            s for s in code_strings(path) if s in {"summary.json", "summary.md"} or s.startswith(("results/", "state/"))
        }
        if home not in path.parents:
            spelled |= names_used(path) & prefixes
        if spelled and path != home / "results.py":
            offenders[str(path.relative_to(PACKAGE))] = sorted(spelled)
    assert offenders == {}


def test_the_layout_check_sees_a_spelled_out_path(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('"""Writes summary.json."""\nPATH = "summary.json"\n')
    assert code_strings(bad) == {"summary.json"}


def test_the_moment_has_one_name():
    others = {"MAX_CHUNK_SECONDS", "MAX_CITED_SECONDS", "MAX_QUOTE_SECONDS"}
    assert {str(p.relative_to(PACKAGE)) for p in library_files() if names_used(p) & others} == set()
