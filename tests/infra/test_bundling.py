"""The docker-free bundler: pip command for the Lambda's platform, caching, pruning, source layout.

pip itself is replaced by a small script here (no network in tests); bench/bench_bundle.py runs the
real install and reports the asset size.
"""

from __future__ import annotations

import hashlib
import re
import sys
import zipfile
from pathlib import Path

import pytest
from aws_cdk import aws_lambda as lambda_

from stacks import bundling
from stacks.bundling import LocalPipBundling, WorkerBundle, python_version_of

FAKE_PIP = r"""
import pathlib, sys
target = pathlib.Path(sys.argv[sys.argv.index("--target") + 1])
(target / "numpy" / "tests").mkdir(parents=True)
(target / "numpy" / "__init__.py").write_text("")
(target / "numpy" / "__init__.pyi").write_text("")
(target / "numpy" / "tests" / "test_x.py").write_text("")
(target / "numpy" / "__pycache__").mkdir()
(target / "numpy" / "_core").mkdir()
(target / "numpy" / "_core" / "_simd.cpython-313-x86_64-linux-gnu.so").write_bytes(b"\0")
(target / "numpy" / "_core" / "_multiarray_umath.cpython-313-x86_64-linux-gnu.so").write_bytes(b"\0")
(target / "pinecone").mkdir()
(target / "pinecone" / "_grpc.abi3.so").write_bytes(b"\0")
(target / "pinecone" / "__init__.py").write_text("")
for dialect in ("mysql", "postgresql", "sqlite"):
    (target / "sqlalchemy" / "dialects" / dialect).mkdir(parents=True)
    (target / "sqlalchemy" / "dialects" / dialect / "__init__.py").write_text("")
for name in ("boto3", "botocore", "s3transfer"):
    (target / name).mkdir()
    (target / name / "__init__.py").write_text("")
    (target / f"{name}-1.0.dist-info").mkdir()
counter = pathlib.Path(sys.argv[-1])
counter.write_text(counter.read_text() + "x" if counter.exists() else "x")
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A miniature repository: requirements, a lifestream package and two handlers."""
    root = tmp_path / "repo"
    (root / "lifestream" / "__pycache__").mkdir(parents=True)
    (root / "lifestream" / "__init__.py").write_text("")
    (root / "lifestream" / "settings.py").write_text("X = 1\n")
    (root / "lifestream" / "__pycache__" / "settings.cpython-311.pyc").write_bytes(b"\0")
    (root / "lambda_src").mkdir()
    (root / "lambda_src" / "worker.py").write_text("def handler(e, c): pass\n")
    (root / "lambda_src" / "migrate.py").write_text("def handler(e, c): pass\n")
    (root / "requirements-lambda.txt").write_text("numpy\n")
    monkeypatch.setattr(bundling, "REPO_ROOT", root)
    monkeypatch.setattr(bundling, "PACKAGE_DIR", root / "lifestream")
    monkeypatch.setattr(bundling, "HANDLERS_DIR", root / "lambda_src")
    return root


@pytest.fixture(autouse=True)
def fake_rds_ca(tmp_path, monkeypatch):
    """A stand-in CA bundle: the real one comes from npm (test_real_bundle.py builds it)."""
    bundle = tmp_path / "rds-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n")
    monkeypatch.setattr(bundling, "rds_ca_bundle", lambda **_: bundle)
    return bundle


@pytest.fixture
def fake_pip(tmp_path, monkeypatch):
    script = tmp_path / "fake_pip.py"
    script.write_text(FAKE_PIP)
    calls = tmp_path / "pip-calls"

    def command(self, target: Path) -> list[str]:
        return [sys.executable, str(script), "--target", str(target), str(calls)]

    monkeypatch.setattr(WorkerBundle, "pip_command", command)
    return calls


def test_python_version_comes_from_the_runtime():
    assert python_version_of(lambda_.Runtime.PYTHON_3_13) == "3.13"
    with pytest.raises(ValueError):
        python_version_of(lambda_.Runtime.NODEJS_20_X)


def test_pip_targets_linux_wheels_for_the_lambda_python(project):
    command = WorkerBundle(
        python_version="3.13", requirements=project / "requirements-lambda.txt"
    ).pip_command(Path("/out"))
    joined = " ".join(command)
    assert "--python-version 3.13" in joined and "--implementation cp" in joined
    assert "--only-binary=:all:" in command and "--target /out" in joined
    assert "--no-compile" in command
    # Exactly the lock: no second resolution, every file checked against its hash.
    assert "--no-deps" in command and "--require-hashes" in command


def test_pip_is_given_every_manylinux_tag_of_the_runtimes_glibc(project):
    """Amazon Linux 2023 (glibc 2.34) installs manylinux_2_5 .. 2_34 and the legacy 1/2010/2014 names."""
    command = WorkerBundle(python_version="3.13", requirements=project / "requirements-lambda.txt").pip_command(
        Path("/out")
    )
    platforms = [command[i + 1] for i, part in enumerate(command) if part == "--platform"]
    assert platforms[0] == "manylinux_2_34_x86_64"  # pip prefers the first it can use
    expected = {f"manylinux_2_{minor}_x86_64" for minor in range(5, 35)}
    expected |= {"manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64"}
    assert set(platforms) == expected


def _wheel(directory: Path, name: str, version: str, platform: str) -> Path:
    """A minimal wheel of one module, tagged for one platform."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: py3-none-{platform}\n",
    }
    files[f"{dist}/RECORD"] = "".join(f"{path},,\n" for path in [*files, f"{dist}/RECORD"])
    path = directory / f"{name}-{version}-py3-none-{platform}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


@pytest.fixture
def local_wheels(tmp_path, monkeypatch):
    """Real pip, offline: the bundle's own command, reading only a directory of wheels made here."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    original = WorkerBundle.pip_command

    def command(self, target: Path) -> list[str]:
        return [*original(self, target), "--no-index", "--find-links", str(wheels)]

    monkeypatch.setattr(WorkerBundle, "pip_command", command)
    return wheels


def _lock(path: Path, name: str, version: str, digest: str) -> Path:
    path.write_text(f"{name}=={version} \\\n    --hash=sha256:{digest}\n")
    return path


def test_a_release_with_only_a_newer_manylinux_wheel_installs(project, local_wheels, tmp_path):
    # GIVEN a lock pinning a release whose only wheel is manylinux_2_31 (the runtime's glibc 2.34 runs it)
    wheel = _wheel(local_wheels, "tinypkg", "2.0", "manylinux_2_31_x86_64")
    _wheel(local_wheels, "tinypkg", "1.0", "manylinux2014_x86_64")
    requirements = _lock(
        project / "requirements-lambda.txt", "tinypkg", "2.0", hashlib.sha256(wheel.read_bytes()).hexdigest()
    )
    # WHEN the dependencies are installed for the Lambda's Python
    tree = WorkerBundle(python_version="3.13", requirements=requirements).dependencies(cache_dir=tmp_path / "c")
    # THEN that release is what the asset holds
    assert (tree / "tinypkg" / "__init__.py").read_text() == "VERSION = '2.0'\n"


def test_a_file_that_is_not_the_one_locked_is_refused(project, local_wheels, tmp_path):
    _wheel(local_wheels, "tinypkg", "2.0", "manylinux_2_34_x86_64")
    requirements = _lock(project / "requirements-lambda.txt", "tinypkg", "2.0", "0" * 64)
    with pytest.raises(RuntimeError, match="(?i)hash"):
        WorkerBundle(python_version="3.13", requirements=requirements).dependencies(cache_dir=tmp_path / "c")


def test_cache_key_follows_requirements_and_python_version(project):
    requirements = project / "requirements-lambda.txt"
    first = WorkerBundle(python_version="3.13", requirements=requirements).dependencies_key
    assert WorkerBundle(python_version="3.12", requirements=requirements).dependencies_key != first
    requirements.write_text("numpy\npydantic\n")
    assert WorkerBundle(python_version="3.13", requirements=requirements).dependencies_key != first


def test_cache_key_follows_the_pruning_rules(project, monkeypatch):
    bundle = WorkerBundle(python_version="3.13", requirements=project / "requirements-lambda.txt")
    before = bundle.dependencies_key
    monkeypatch.setitem(bundling.UNUSED_PARTS, "numpy/polynomial", "an example")
    assert bundle.dependencies_key != before


def test_asset_hash_changes_with_shipped_sources_only(project):
    bundle = WorkerBundle(python_version="3.13", requirements=project / "requirements-lambda.txt")
    before = bundle.asset_hash()
    (project / "README.md").write_text("unrelated")
    assert bundle.asset_hash() == before
    (project / "lifestream" / "settings.py").write_text("X = 2\n")
    assert bundle.asset_hash() != before


def test_build_prunes_runtime_packages_and_lays_out_handlers(project, fake_pip, tmp_path):
    # GIVEN a fresh cache
    bundle = WorkerBundle(python_version="3.13", requirements=project / "requirements-lambda.txt")
    cache = tmp_path / "cache"
    # WHEN the asset is built twice
    out1 = bundle.build(tmp_path / "out1", cache_dir=cache)
    out2 = bundle.build(tmp_path / "out2", cache_dir=cache)
    # THEN pip ran once, and the asset has handlers at its root and the package beside them
    assert fake_pip.read_text() == "x"
    for out in (out1, out2):
        assert (out / "worker.py").exists() and (out / "migrate.py").exists()
        assert (out / "lifestream" / "settings.py").read_text() == "X = 1\n"
        assert (out / "numpy" / "__init__.py").exists()
        # sslmode=verify-full checks RDS's certificate against this (LIFESTREAM_DATABASE_SSLROOTCERT).
        assert (out / bundling.RDS_CA_BUNDLE_NAME).read_text().startswith("-----BEGIN CERTIFICATE-----")
        # boto3 & co. come with the Lambda runtime; tests, stubs and bytecode never run there.
        for gone in (
            "boto3",
            "botocore",
            "s3transfer",
            "boto3-1.0.dist-info",
            "numpy/tests",
            "numpy/__init__.pyi",
            "numpy/__pycache__",
            "lifestream/__pycache__",
            # never loaded by the worker (UNUSED_PARTS)
            "numpy/_core/_simd.cpython-313-x86_64-linux-gnu.so",
            "pinecone/_grpc.abi3.so",
            "sqlalchemy/dialects/mysql",
        ):
            assert not (out / gone).exists(), gone
        for kept in (
            "numpy/_core/_multiarray_umath.cpython-313-x86_64-linux-gnu.so",
            "pinecone/__init__.py",
            "sqlalchemy/dialects/postgresql/__init__.py",
            "sqlalchemy/dialects/sqlite/__init__.py",
        ):
            assert (out / kept).exists(), kept
    assert [p.name for p in cache.iterdir()] == [bundle.dependencies_key]


def test_failed_install_leaves_no_cache_entry(project, tmp_path, monkeypatch):
    monkeypatch.setattr(
        WorkerBundle, "pip_command", lambda self, target: [sys.executable, "-c", "raise SystemExit(3)"]
    )
    bundle = WorkerBundle(python_version="3.13", requirements=project / "requirements-lambda.txt")
    with pytest.raises(RuntimeError, match="pip could not install"):
        bundle.dependencies(cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_local_bundling_refuses_an_asset_above_the_lambda_limit(project, tmp_path, monkeypatch):
    def build(self, output_dir: Path, *, cache_dir=None) -> Path:
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "payload.so").write_bytes(b"0" * 2048)
        return output_dir

    monkeypatch.setattr(WorkerBundle, "build", build)
    local = LocalPipBundling(
        WorkerBundle(python_version="3.13", requirements=project / "requirements-lambda.txt")
    )
    assert local.try_bundle(str(tmp_path / "ok"), image=None) is True
    monkeypatch.setattr(bundling, "LAMBDA_UNZIPPED_LIMIT_BYTES", 1024)
    with pytest.raises(RuntimeError, match="above Lambda's 250 MB limit"):
        local.try_bundle(str(tmp_path / "big"), image=None)


def test_dependencies_are_linked_from_the_cache_not_copied(project, fake_pip, tmp_path):
    # GIVEN a cached dependency tree
    bundle = WorkerBundle(python_version="3.13", requirements=project / "requirements-lambda.txt")
    cache = tmp_path / "cache"
    out = bundle.build(tmp_path / "out", cache_dir=cache)
    cached = cache / bundle.dependencies_key / "numpy" / "__init__.py"
    # THEN the asset's copy is the same file (no bytes copied per synthesis) ...
    assert (out / "numpy" / "__init__.py").stat().st_ino == cached.stat().st_ino
    # ... and the sources laid on top are the asset's own, leaving the cache as it was
    assert (out / "worker.py").stat().st_nlink == 1
    assert not (cache / bundle.dependencies_key / "worker.py").exists()


def test_a_dependency_clashing_with_the_asset_layout_is_refused(project, fake_pip, tmp_path):
    bundle = WorkerBundle(python_version="3.13", requirements=project / "requirements-lambda.txt")
    cache = tmp_path / "cache"
    tree = bundle.dependencies(cache_dir=cache)
    (tree / "worker.py").write_text("# a dependency's own top-level module\n")
    with pytest.raises(RuntimeError, match="worker.py"):
        bundle.build(tmp_path / "out", cache_dir=cache)
    assert (tree / "worker.py").read_text() == "# a dependency's own top-level module\n"


def test_the_worker_code_never_imports_a_pruned_part():
    # The pruned parts are absent from the Lambda asset: code using one would fail only in the cloud.
    repo = Path(bundling.__file__).resolve().parent.parent
    sources = [*sorted((repo / "lifestream").rglob("*.py")), *sorted((repo / "lambda_src").glob("*.py"))]
    forbidden = {
        "numpy.random": ("numpy.random", "np.random", "from numpy import random"),
        "pinecone gRPC": ("pinecone.grpc", "PineconeGRPC"),
        "powertools event_handler": ("aws_lambda_powertools.event_handler",),
        "SQLAlchemy/Alembic testing": ("sqlalchemy.testing", "alembic.testing"),
        "other SQL dialects": ("dialects.mysql", "dialects.mssql", "dialects.oracle"),
    }
    for path in sources:
        text = path.read_text()
        for part, needles in forbidden.items():
            assert not any(n in text for n in needles), f"{path.relative_to(repo)} uses {part}"


@pytest.fixture
def api_project(project, monkeypatch):
    (project / "lambda_src" / "api.py").write_text("handler = None\n")
    (project / "requirements-api.txt").write_text("pydantic\n")
    monkeypatch.setattr(bundling, "API_REQUIREMENTS", project / "requirements-api.txt")
    return project


def test_the_api_asset_has_its_own_handler_and_dependency_tree(api_project, fake_pip, tmp_path):
    # GIVEN the worker's bundle and the API's, sharing one cache
    worker = WorkerBundle(python_version="3.13", requirements=api_project / "requirements-lambda.txt")
    api = bundling.api_bundle("3.13")
    cache = tmp_path / "cache"
    # WHEN both are built
    worker_out = worker.build(tmp_path / "worker", cache_dir=cache)
    api_out = api.build(tmp_path / "api", cache_dir=cache)
    # THEN each ships only its own handlers, from its own cached dependency tree
    assert (api_out / "api.py").exists() and (api_out / "lifestream" / "settings.py").exists()
    assert not (api_out / "worker.py").exists() and not (api_out / "migrate.py").exists()
    assert (worker_out / "worker.py").exists() and not (worker_out / "api.py").exists()
    assert api.requirements.name == "requirements-api.txt"
    assert api.dependencies_key != worker.dependencies_key
    assert sorted(p.name for p in cache.iterdir()) == sorted([api.dependencies_key, worker.dependencies_key])


def test_editing_one_handler_redeploys_only_its_function(api_project):
    worker = WorkerBundle(python_version="3.13", requirements=api_project / "requirements-lambda.txt")
    api = bundling.api_bundle("3.13")
    worker_hash, api_hash = worker.asset_hash(), api.asset_hash()
    (api_project / "lambda_src" / "api.py").write_text("handler = 1\n")
    assert (worker.asset_hash(), api.asset_hash() != api_hash) == (worker_hash, True)
    api_hash = api.asset_hash()
    (api_project / "lambda_src" / "worker.py").write_text("def handler(e, c): return 1\n")
    assert (api.asset_hash(), worker.asset_hash() != worker_hash) == (api_hash, True)
    # The library is shipped in both: a change there rebuilds both.
    (api_project / "lifestream" / "settings.py").write_text("X = 3\n")
    assert api.asset_hash() != api_hash and worker.asset_hash() != worker_hash


def test_the_api_requirements_leave_out_the_heavy_worker_dependencies():
    repo = Path(bundling.__file__).resolve().parent.parent
    requirements = (repo / "requirements-api.in").read_text()
    lines = [line.split("#")[0].strip() for line in requirements.splitlines() if line.split("#")[0].strip()]
    names = [re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0].lower() for line in lines]
    locked = [line.split("==")[0].lower() for line in (repo / "requirements-api.txt").read_text().splitlines()
              if "==" in line and not line.startswith((" ", "#"))]
    assert {"fastapi", "mangum", "pydantic", "sqlalchemy", "psycopg", "openai", "pinecone"} <= set(
        names
    )
    for heavy in (
        "av",
        "faiss-cpu",
        "onnxruntime",
        "tokenizers",
        "faster-whisper",
        "sentence-transformers",
        "torch",
        # gateway mode verifies no token: PyJWT and its cryptography stay out of the API's asset
        "pyjwt",
        "cryptography",
        # the cloud query path computes in plain Python (tests/api/test_cloud_query_no_numpy.py)
        "numpy",
    ):
        assert heavy not in names and heavy not in locked, heavy
    # A plain sorted list of names, so that concurrent additions merge cleanly.
    assert names == sorted(names)


def test_bytecode_is_shipped_only_when_built_by_the_target_python(api_project, fake_pip, tmp_path):
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    cache = tmp_path / "cache"
    # GIVEN the API bundle for this machine's Python (a twin) and for another one (the Lambda's, elsewhere)
    native = bundling.api_bundle(here)
    foreign = bundling.api_bundle("3.99")
    assert native.compiles and not foreign.compiles
    out = native.build(tmp_path / "native", cache_dir=cache)
    # THEN the native asset carries unchecked-hash pycs for the dependencies, the library and the handler
    tag = sys.implementation.cache_tag
    for compiled in (
        "numpy/__init__.pyc",  # a dependency's bytecode replaces its source
        f"lifestream/__pycache__/settings.{tag}.pyc",
        f"__pycache__/api.{tag}.pyc",
    ):
        data = (out / compiled).read_bytes()
        # PEP 552 flags: bit 0 = hash-based, bit 1 = check_source; unchecked = 0b01.
        assert int.from_bytes(data[4:8], "little") == 0b01, compiled
    # ... and the file names inside are where Lambda will find them
    import marshal

    code = marshal.loads((out / f"lifestream/__pycache__/settings.{tag}.pyc").read_bytes()[16:])
    assert code.co_filename == f"{bundling.LAMBDA_TASK_ROOT}/lifestream/settings.py"
    # ... while the cache's own tree of sources was never written into by the handler's compilation
    assert not (cache / native.dependencies_key / "__pycache__" / f"api.{tag}.pyc").exists()
    # AND a foreign build ships sources only, under another key
    foreign_out = foreign.build(tmp_path / "foreign", cache_dir=cache)
    assert not list(foreign_out.rglob("*.pyc"))
    assert foreign.dependencies_key != native.dependencies_key
    # The worker ships none either: its cold start is nothing next to its minutes of work.
    assert not WorkerBundle(
        python_version=here, requirements=api_project / "requirements-lambda.txt"
    ).compiles


def test_the_api_asset_for_the_lambdas_python_ships_its_bytecode(api_project, fake_pip, tmp_path):
    # GIVEN the API bundle for the runtime's Python (3.13), which this machine does not have
    from stacks.bytecode import MAGIC, PYODIDE_PYTHON

    version = bundling.python_version_of(bundling.LAMBDA_RUNTIME)
    assert version == PYODIDE_PYTHON != f"{sys.version_info.major}.{sys.version_info.minor}"
    bundle = bundling.api_bundle(version)
    assert bundle.compiles
    # WHEN it is built
    out = bundle.build(tmp_path / "api", cache_dir=tmp_path / "cache")
    # THEN the dependencies, the library and the handler carry 3.13's unchecked-hash pycs, made by
    # Pyodide's CPython 3.13, naming the files where Lambda finds them
    for compiled in (
        "numpy/__init__.pyc",
        "lifestream/__pycache__/settings.cpython-313.pyc",
        "__pycache__/api.cpython-313.pyc",
    ):
        data = (out / compiled).read_bytes()
        assert data[:4] == MAGIC["3.13"], compiled
        assert int.from_bytes(data[4:8], "little") == 0b01, compiled
    assert b"/var/task/lifestream/settings.py" in (out / "lifestream/__pycache__/settings.cpython-313.pyc").read_bytes()
    assert not list(out.rglob("*.cpython-311.pyc"))
    # ... the dependencies' bytecode in place of their sources (no size for it), the library's beside its own
    assert not (out / "numpy" / "__init__.py").exists() and (out / "lifestream" / "settings.py").is_file()
