"""Pinned npm packages that the build unpacks (the RDS CA bundle, Pyodide's CPython for 3.13 bytecode):
`npm pack` reaches the configured registry the same way on every machine, with no npm project to keep."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path


def npm_unpack(npm: str, package: str, into: Path) -> Path:
    """`npm pack` `package` (name@version) into `into` and unpack it there (as `into/package`); returns the
    tarball, for the caller's sha256 check."""
    packed = subprocess.run(
        [npm, "pack", package, "--silent", "--pack-destination", str(into)],
        check=False,
        capture_output=True,
        text=True,
    )
    tarballs = list(into.glob("*.tgz"))
    if packed.returncode != 0 or len(tarballs) != 1:
        raise RuntimeError(f"npm pack {package} failed:\n{packed.stderr[-2000:]}")
    with tarfile.open(tarballs[0]) as archive:
        archive.extractall(into, filter="data")
    return tarballs[0]
