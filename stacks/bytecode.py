"""Bytecode for the Lambda's Python, made at synth time on a machine that does not have that Python.

/var/task is read-only, so an asset without .pyc compiles everything it imports on every cold start. .pyc
files are specific to a Python minor version (their magic number), not to the machine: any CPython of the
runtime's minor version makes the bytes that the runtime loads. This machine has Python 3.11 only (Debian
12 ships no 3.13, and a prebuilt interpreter may not be downloaded), but the npm package `pyodide` ships
CPython 3.13 compiled to WebAssembly, which Node runs: its `compileall` writes 3.13's .pyc. Pinned by
version and by the sha256 of its tarball; every .pyc it writes is checked for 3.13's magic number.

For this machine's own Python (the twin that the tests import), the interpreter compiles natively.
"""

from __future__ import annotations

import compileall
import hashlib
import json
import py_compile
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from stacks.npm import npm_unpack

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_TASK_ROOT = "/var/task"
PYODIDE_PACKAGE = "pyodide@0.29.5"
PYODIDE_SHA256 = "6749b10ee515a1458ecea36d860c8ce2a48366e85b3f92d749ad1840e4aff181"
# The CPython inside that Pyodide release, and the magic number its .pyc carry (CPython 3.13's: 3571).
PYODIDE_PYTHON = "3.13"
MAGIC = {"3.13": (3571).to_bytes(2, "little") + b"\r\n"}
PYODIDE_CACHE_DIR = REPO_ROOT / ".cache" / "pyodide"

# Mounts the tree at /var/task inside Pyodide (so file names in tracebacks read /var/task/...) and compiles
# it as `compile_bytecode` does natively: unchecked-hash pycs, no source mtime inside.
_COMPILE = r"""
const [indexURL, hostRoot, request] = process.argv.slice(-3);
const { loadPyodide } = await import(indexURL + "pyodide.mjs");
const py = await loadPyodide({ indexURL });
py.FS.mkdirTree("/var/task");
py.FS.mount(py.FS.filesystems.NODEFS, { root: hostRoot }, "/var/task");
py.globals.set("request", request);
const out = py.runPython(`
import compileall, json, py_compile, sys
targets, legacy = json.loads(request)
ok = True
for target in targets:
    options = dict(quiet=2, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH, legacy=legacy)
    if target.endswith(".py"):
        ok &= bool(compileall.compile_file(target, **options))
    else:
        ok &= bool(compileall.compile_dir(target, workers=1, **options))
json.dumps({"version": "%d.%d" % sys.version_info[:2], "tag": sys.implementation.cache_tag, "ok": ok})
`);
process.stdout.write(out);
"""


def this_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def can_compile_for(python_version: str) -> bool:
    """Natively for this interpreter's version; for the runtime's through Pyodide (needs Node and npm)."""
    if python_version == this_python():
        return True
    return python_version == PYODIDE_PYTHON and bool(shutil.which("node") and shutil.which("npm"))


def compile_bytecode(
    *paths: Path, python_version: str, root: Path | None = None, sourceless: bool = False
) -> None:
    """Compile `paths` (trees or files under `root`) for `python_version` as the Lambda will load them from
    /var/task.

    Unchecked-hash pycs: no source mtime inside (the same sources give the same bytes) and no stat of the
    source at import; an asset is rebuilt, never edited in place. A file that does not compile (a template
    shipped as .py) is left as source, as Python would. `sourceless` (for the dependencies): each module's
    .pyc replaces its .py (x.py -> x.pyc beside it, which Python imports as is), so that the bytecode costs
    no size; a traceback inside a dependency then names file and line without quoting the line.
    """
    root = root or (paths[0] if paths[0].is_dir() else paths[0].parent)
    if python_version == this_python():
        options = {
            "quiet": 2,
            "invalidation_mode": py_compile.PycInvalidationMode.UNCHECKED_HASH,
            "stripdir": str(root),
            "prependdir": LAMBDA_TASK_ROOT,
            "legacy": sourceless,
        }
        for path in paths:
            if path.is_dir():
                compileall.compile_dir(str(path), workers=2, **options)
            else:
                compileall.compile_file(str(path), **options)
        if sourceless:
            _drop_compiled_sources(paths)
        return
    if python_version != PYODIDE_PYTHON:
        raise RuntimeError(f"no compiler for Python {python_version} here (only {this_python()} and Pyodide's)")
    targets = [
        LAMBDA_TASK_ROOT if path == root else f"{LAMBDA_TASK_ROOT}/{path.relative_to(root).as_posix()}"
        for path in paths
    ]
    done = subprocess.run(
        [shutil.which("node") or "node", "--input-type=module", "-e", _COMPILE, "--",
         f"{pyodide_dir()}/", str(root.resolve()), json.dumps([targets, sourceless])],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        report = {}
    if done.returncode != 0 or report.get("version") != python_version:
        raise RuntimeError(f"Pyodide could not compile for Python {python_version}:\n{done.stderr[-3000:]}")
    for path in paths:
        check_magic(path if path.is_dir() else path.parent, python_version)
    if sourceless:
        _drop_compiled_sources(paths)


def _drop_compiled_sources(paths: tuple[Path, ...]) -> None:
    for path in paths:
        for source in path.rglob("*.py") if path.is_dir() else [path]:
            if source.with_suffix(".pyc").is_file():
                source.unlink()


def check_magic(tree: Path, python_version: str) -> int:
    """Every .pyc under `tree` for `python_version` (in __pycache__ under its cache tag, or sourceless
    beside its module) carries its magic number; returns how many."""
    tag = "cpython-" + python_version.replace(".", "")
    count = 0
    for pyc in tree.rglob("*.pyc"):
        if pyc.parent.name == "__pycache__" and not pyc.name.endswith(f".{tag}.pyc"):
            continue
        with pyc.open("rb") as handle:
            if handle.read(4) != MAGIC[python_version]:
                raise RuntimeError(f"{pyc} is not Python {python_version} bytecode")
        count += 1
    return count


def pyodide_dir(*, cache_dir: Path | None = None) -> Path:
    """The unpacked, pinned Pyodide release (npm pack once, sha256 checked)."""
    cache_dir = cache_dir or PYODIDE_CACHE_DIR
    unpacked = cache_dir / PYODIDE_SHA256[:16] / "package"
    if (unpacked / "pyodide.mjs").is_file():
        return unpacked
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            f"bytecode for Python {PYODIDE_PYTHON} comes from the npm package {PYODIDE_PACKAGE}: "
            "install Node and npm"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pyodide-", dir=cache_dir) as tmp:
        tarball = npm_unpack(npm, PYODIDE_PACKAGE, Path(tmp))
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if digest != PYODIDE_SHA256:
            raise RuntimeError(f"{PYODIDE_PACKAGE} has sha256 {digest}, expected {PYODIDE_SHA256}")
        unpacked.parent.mkdir(parents=True, exist_ok=True)
        try:
            (Path(tmp) / "package").replace(unpacked)
        except OSError:
            if not (unpacked / "pyodide.mjs").is_file():  # not another build's copy, landed meanwhile
                raise
    return unpacked
