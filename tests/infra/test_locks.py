"""The locks: every requirement set is pinned by version and sha256, agrees with its input, and the sets that
run the same code agree with each other (scripts/upgrade-locks.sh makes them; scripts/setup.sh and
stacks/bundling.py install from them with --require-hashes).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCKS = {
    "requirements.in": "requirements.txt",
    "requirements-dev.in": "requirements-dev.txt",
    "requirements-lambda.in": "requirements-lambda.txt",
    "requirements-api.in": "requirements-api.txt",
    "requirements-checkov.in": "requirements-checkov.txt",
}
LOCAL_TORCH_WHEEL = Path("/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")


def pins(lock: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a lock written by uv pip compile --generate-hashes."""
    found: dict[str, tuple[str, list[str]]] = {}
    name = None
    for line in lock.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            requirement = Requirement(line.rstrip(" \\"))
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{lock.name}: {line} is not pinned exactly"
            name = canonicalize_name(requirement.name)
            found[name] = (specifier.version, [])
        elif line.strip().startswith("--hash=sha256:"):
            assert name is not None
            found[name][1].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
        else:
            raise AssertionError(f"{lock.name}: unexpected line {line!r}")
    return found


def inputs(path: Path) -> list[Requirement]:
    """The requirements of a .in file, following -r includes."""
    found: list[Requirement] = []
    for raw in path.read_text().splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            found += inputs(path.parent / line.removeprefix("-r ").strip())
        else:
            found.append(Requirement(line))
    return found


@pytest.mark.parametrize("source", sorted(LOCKS))
def test_every_lock_pins_every_package_with_hashes_and_satisfies_its_input(source):
    lock = REPO_ROOT / LOCKS[source]
    locked = pins(lock)
    assert locked, f"{lock.name} is empty"
    unhashed = sorted(name for name, (_, hashes) in locked.items() if not hashes)
    assert not unhashed, f"{lock.name}: no --hash for {unhashed}: run scripts/upgrade-locks.sh"
    for requirement in inputs(REPO_ROOT / source):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{source} asks for {requirement}, {lock.name} lacks it: run scripts/upgrade-locks.sh --keep"
        version = locked[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock.name} pins {name}=={version}, outside {source}'s {requirement}: "
            "run scripts/upgrade-locks.sh --keep"
        )


@pytest.mark.parametrize("derived", ["requirements-dev.txt", "requirements-lambda.txt", "requirements-api.txt"])
def test_the_tested_sets_and_the_lambda_sets_pin_the_same_versions_as_the_app(derived):
    """The suite runs requirements-dev.txt; the Lambda assets must be made of the same releases."""
    app = pins(REPO_ROOT / "requirements.txt")
    other = pins(REPO_ROOT / derived)
    differ = {n: (app[n][0], v) for n, (v, _) in other.items() if n in app and app[n][0] != v}
    assert not differ, f"{derived} differs from requirements.txt: {differ}"
    if derived == "requirements-dev.txt":
        assert set(app) <= set(other), sorted(set(app) - set(other))


def test_torch_is_locked_to_the_cpu_build():
    """PyPI's torch 2.13.0 is a CUDA build pulling GBs of nvidia wheels; the lock names the +cpu file."""
    for lock in ("requirements.txt", "requirements-dev.txt"):
        locked = pins(REPO_ROOT / lock)
        assert locked["torch"][0] == "2.13.0+cpu", lock
        assert not [n for n in locked if n.startswith("nvidia-")], lock
    for lock in ("requirements-lambda.txt", "requirements-api.txt"):
        assert "torch" not in pins(REPO_ROOT / lock), lock


@pytest.mark.skipif(not LOCAL_TORCH_WHEEL.is_file(), reason="the CPU torch wheel of this machine kind is absent")
def test_the_locked_torch_hash_is_the_wheel_pip_finds_on_this_machine():
    digest = hashlib.sha256()
    with LOCAL_TORCH_WHEEL.open("rb") as wheel:
        for block in iter(lambda: wheel.read(1 << 20), b""):
            digest.update(block)
    assert pins(REPO_ROOT / "requirements.txt")["torch"][1] == [digest.hexdigest()]


def test_moto_is_the_release_that_authorizes_head_object_as_aws_does():
    """5.2.6 refuses HeadObject where s3:GetObject allows it (test_moto_authorization.py)."""
    assert pins(REPO_ROOT / "requirements-dev.txt")["moto"][0] == "5.2.5"


def test_the_lambda_locks_are_made_for_the_runtime_the_stacks_pin():
    from stacks.bundling import LAMBDA_RUNTIME, RUNTIME_GLIBC, python_version_of

    script = (REPO_ROOT / "scripts" / "upgrade-locks.sh").read_text()
    target = re.search(r"^lambda_target=\((.*)\)$", script, re.M)
    assert target, "scripts/upgrade-locks.sh names no lambda_target"
    glibc = "_".join(map(str, RUNTIME_GLIBC))
    assert f"--python-version {python_version_of(LAMBDA_RUNTIME)}" in target.group(1)
    assert f"x86_64-manylinux_{glibc}" in target.group(1)


def test_setup_and_the_bundler_install_with_hashes_required():
    setup = (REPO_ROOT / "scripts" / "setup.sh").read_text()
    installs = [line for line in setup.splitlines() if re.search(r"install .*-r ", line)]
    assert installs and all("--require-hashes" in line for line in installs), installs
    from stacks.bundling import LambdaBundle

    command = LambdaBundle(python_version="3.13").pip_command(Path("/out"))
    assert "--require-hashes" in command and "--no-deps" in command
    assert Path(command[command.index("-r") + 1]).name == "requirements-lambda.txt"
