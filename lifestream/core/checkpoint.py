"""Where a pipeline run keeps stage outputs so that a later invocation can resume instead of restarting.

The local CLI keeps them in a directory; the Lambda worker keeps them in S3 under `state/<video_id>/`
(see `lifestream.worker`). Values are small JSON documents (segments, scene lists, offsets), never media.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Checkpoint(Protocol):
    def load(self, name: str) -> dict[str, Any] | None: ...

    def save(self, name: str, data: dict[str, Any]) -> None: ...

    def clear(self) -> None: ...


class MemoryCheckpoint:
    """No persistence: a run that stops starts over."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, Any]] = {}

    def load(self, name: str) -> dict[str, Any] | None:
        return self._data.get(name)

    def save(self, name: str, data: dict[str, Any]) -> None:
        self._data[name] = json.loads(json.dumps(data))

    def clear(self) -> None:
        self._data.clear()


class DirCheckpoint:
    """One JSON file per stage, written atomically (write-then-rename)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def load(self, name: str) -> dict[str, Any] | None:
        path = self.directory / f"{name}.json"
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def save(self, name: str, data: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        os.replace(tmp, self.directory / f"{name}.json")

    def clear(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
