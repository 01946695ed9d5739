"""The FAISS store on disk: numbered generations, one of them live.

Design note: the store directory holds `CURRENT` (the live generation's name) and `gen-000042/` snapshots
(manifest.json, vectors.npy, records.json, [index.faiss]). A save writes a new generation beside the old
one and only then replaces CURRENT atomically (os.replace), so a crash at any moment leaves the previous
generation loadable; stale generations and temp dirs are swept by the next save. Readers take no lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lifestream.core.errors import DimensionMismatchError, VectorStoreError

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"


class GenerationMissing(VectorStoreError):
    """CURRENT names a generation that is not there (swept by a concurrent save, or damage)."""


@dataclass(frozen=True)
class Generation:
    """One complete snapshot of a store."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def index_file(self) -> str:
        """The saved HNSW graph (flat indexes are rebuilt from the vectors)."""
        return str(self.path / "index.faiss")

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / "manifest.json").read_text())

    def vectors(self) -> np.ndarray:
        return np.load(self.path / "vectors.npy")

    def records(self) -> dict[str, Any]:
        """{"ids": [...], "metadata": [...]}, one entry per row of the vectors."""
        return json.loads((self.path / "records.json").read_text())


def read_manifest(directory: Path | str) -> dict[str, Any] | None:
    """The live generation's manifest (embedder, dimension, count...), or None if there is no index."""
    pointer = Path(directory) / CURRENT_FILE
    if not pointer.exists():
        return None
    manifest = Path(directory) / pointer.read_text().strip() / "manifest.json"
    return json.loads(manifest.read_text()) if manifest.exists() else None


def check_built_by(manifest: dict[str, Any], directory: Path, dimension: int, embedder_name: str) -> None:
    """Refuse a generation another embedder built: its vectors mean nothing to this one."""
    if manifest.get("dimension") != dimension or manifest.get("embedder") != embedder_name:
        raise DimensionMismatchError(
            f"FAISS index at {directory} was built with embedder {manifest.get('embedder')!r} "
            f"({manifest.get('dimension')}-d) but the configured embedder is {embedder_name!r} "
            f"({dimension}-d); use another LIFESTREAM_FAISS_DIR or re-index"
        )


def current_name(directory: Path) -> str | None:
    """The name CURRENT holds, without checking it (None before the first save)."""
    try:
        return (directory / CURRENT_FILE).read_text().strip()
    except FileNotFoundError:
        return None


def current_generation(directory: Path) -> Generation | None:
    """The live generation; GenerationMissing when CURRENT names none that is complete."""
    pointer = directory / CURRENT_FILE
    if not pointer.exists():
        return None
    name = pointer.read_text().strip()
    path = directory / name
    if not name.startswith(GENERATION_PREFIX) or not (path / "manifest.json").exists():
        raise GenerationMissing(f"FAISS index at {directory} is damaged: {CURRENT_FILE} points to {name!r}")
    return Generation(path)


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """The inter-process lock writers take on the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(directory: Path, write: Callable[[Path], None]) -> str:
    """Let `write` fill a new generation, make it current and sweep the others; returns its name.
    The caller holds the lock."""
    existing = sorted(p.name for p in directory.glob(GENERATION_PREFIX + "*") if p.is_dir())
    number = int(existing[-1].removeprefix(GENERATION_PREFIX)) + 1 if existing else 1
    name = f"{GENERATION_PREFIX}{number:06d}"
    tmp = directory / f".tmp-{name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        write(tmp)
        os.replace(tmp, directory / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(directory)
    pointer_tmp = directory / f".{CURRENT_FILE}.{uuid.uuid4().hex[:8]}"
    pointer_tmp.write_text(name + "\n")
    _fsync_file(pointer_tmp)
    os.replace(pointer_tmp, directory / CURRENT_FILE)
    _fsync_dir(directory)
    _sweep(directory, keep=name)
    return name


def write_generation(
    target: Path, vectors: np.ndarray, records: dict[str, Any], manifest: dict[str, Any]
) -> None:
    """Write a generation's files into `target` (which may already hold index.faiss) and sync them."""
    with open(target / "vectors.npy", "wb") as fh:
        np.save(fh, vectors)
    (target / "records.json").write_text(json.dumps(records, separators=(",", ":")))
    # Written last: a generation without a manifest is never loaded.
    (target / "manifest.json").write_text(json.dumps({"format": FORMAT_VERSION, **manifest}, indent=2))
    for path in target.iterdir():
        _fsync_file(path)


def _sweep(directory: Path, keep: str) -> None:
    for path in directory.iterdir():
        stale_gen = path.name.startswith(GENERATION_PREFIX) and path.name != keep
        if path.is_dir() and (stale_gen or path.name.startswith(".tmp-")):
            shutil.rmtree(path, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    _fsync_file(path)
