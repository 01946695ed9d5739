"""Where a video's outputs live: the one home of the results layout, for uploads (S3) and local files.

A diary is `summary.json`, `summary.md` and `keyframes/*.jpg`; its stage checkpoint is the `state` of the
video. For an upload they are objects beside it, `results/<owner>/<video>/` and `state/<video>/` (older
videos of the local user kept `results/<video>/`). For a file on this machine they are folders of the data
directory, `results/<video>/` and `state/<video>/`, and the file itself is never touched. A job's
`result_keys` record where each output went, so readers follow the job, not this layout.

`ResultStore.for_job` picks the form once, from the job's bucket.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from lifestream.core.constants import LOCAL_FILES_BUCKET, LOCAL_USER, RESULTS_PREFIX, STATE_PREFIX
from lifestream.core.errors import ObjectNotFoundError

if TYPE_CHECKING:
    from lifestream.core.checkpoint import Checkpoint
    from lifestream.core.settings import Settings
    from lifestream.storage.s3_service import S3Service

SUMMARY_JSON = "summary.json"
SUMMARY_MARKDOWN = "summary.md"
# The folder of a video's keyframe JPEGs, among its results and among its checkpoint's files.
KEYFRAMES = "keyframes"
CONTENT_TYPES = {
    "json": "application/json",
    "markdown": "text/markdown; charset=utf-8",
    "keyframe": "image/jpeg",
}


class Outputs(Protocol):
    """What the pipeline wrote for one video, on local disk."""

    json_path: Path
    markdown_path: Path
    keyframe_paths: list[Path]


def results_prefix(owner: str, video_id: str) -> str:
    from lifestream.core.ownership import checked_owner

    return f"{RESULTS_PREFIX}{checked_owner(owner)}/{video_id}/"


def legacy_results_prefix(video_id: str) -> str:
    """Where results were written before they carried their owner (LOCAL_USER's older videos)."""
    return f"{RESULTS_PREFIX}{video_id}/"


def state_prefix(video_id: str) -> str:
    return f"{STATE_PREFIX}{video_id}/"


def output_files(folder: Path) -> tuple[Path, Path, Path]:
    """The diary's JSON, its Markdown and the keyframe folder inside a pipeline's output folder."""
    return folder / SUMMARY_JSON, folder / SUMMARY_MARKDOWN, folder / KEYFRAMES


class ResultStore:
    """A video's published outputs and checkpoint, in S3 (`S3Results`) or on disk (`LocalResults`)."""

    def checkpoint(self, video_id: str) -> Checkpoint:
        raise NotImplementedError

    def publish(self, owner: str, video_id: str, outputs: Outputs) -> dict[str, str]:
        """Put the outputs where people read them; returns the job's `result_keys`."""
        raise NotImplementedError

    def read_text(self, location: str) -> str | None:
        """A result's text, or None when it is gone."""
        raise NotImplementedError

    def write_text(self, location: str, text: str, kind: str) -> None:
        """Replace a result atomically: a reader sees the old text or the new one."""
        raise NotImplementedError

    def keyframes(self, location: str) -> list[str]:
        """The keyframe files (keys or paths) under a job's `keyframes` location, in order."""
        raise NotImplementedError

    def keyframe(self, location: str, name: str) -> str:
        """The key or path of keyframe `name` (a file name the diary's blocks list) under `location`."""
        raise NotImplementedError

    def remove(self, owner: str, video_id: str) -> int:
        """Delete a video's current results and checkpoint (idempotent); returns how many files went."""
        raise NotImplementedError

    def forget(self, owner: str, video_id: str) -> int:
        """`remove`, and every older version the bucket keeps too."""
        return self.remove(owner, video_id)

    @staticmethod
    def for_job(
        bucket: str, settings: Settings, s3_for: Callable[[str], S3Service] | None = None
    ) -> ResultStore:
        """The form for a job's bucket: files under the data directory for a local file's job, else the
        bucket's objects (through `s3_for(bucket)`, when the caller keeps its S3 clients)."""
        if bucket == LOCAL_FILES_BUCKET:
            return LocalResults(settings.data_dir)
        if s3_for is not None:
            return S3Results(s3_for(bucket))
        from lifestream.storage.s3_service import S3Service

        return S3Results(S3Service.from_settings(settings, bucket=bucket))


class S3Results(ResultStore):
    def __init__(self, s3: S3Service) -> None:
        self.s3 = s3

    def checkpoint(self, video_id: str) -> Checkpoint:
        from lifestream.storage.s3_checkpoint import S3Checkpoint

        return S3Checkpoint(self.s3.client, self.s3.bucket, video_id)

    def publish(self, owner: str, video_id: str, outputs: Outputs) -> dict[str, str]:
        prefix = results_prefix(owner, video_id)
        keys = {
            "json": prefix + SUMMARY_JSON,
            "markdown": prefix + SUMMARY_MARKDOWN,
            "keyframes": f"{prefix}{KEYFRAMES}/",
        }
        self.s3.upload_file(Path(outputs.json_path), keys["json"], content_type=CONTENT_TYPES["json"])
        self.s3.upload_file(
            Path(outputs.markdown_path), keys["markdown"], content_type=CONTENT_TYPES["markdown"]
        )
        for frame in outputs.keyframe_paths:
            self.s3.upload_file(
                Path(frame), keys["keyframes"] + Path(frame).name, content_type=CONTENT_TYPES["keyframe"]
            )
        return keys

    def read_text(self, location: str) -> str | None:
        try:
            return self.s3.read_text(location)
        except ObjectNotFoundError:
            return None

    def write_text(self, location: str, text: str, kind: str) -> None:
        # A single PUT is atomic in S3.
        self.s3.client.put_object(
            Bucket=self.s3.bucket, Key=location, Body=text.encode(), ContentType=CONTENT_TYPES[kind]
        )

    def keyframes(self, location: str) -> list[str]:
        return sorted(o.key for o in self.s3.iter_files(location))

    def keyframe(self, location: str, name: str) -> str:
        return location.rstrip("/") + "/" + Path(name).name

    def _prefixes(self, owner: str, video_id: str) -> list[str]:
        prefixes = [results_prefix(owner, video_id), state_prefix(video_id)]
        if owner == LOCAL_USER:
            prefixes.append(legacy_results_prefix(video_id))
        return prefixes

    def remove(self, owner: str, video_id: str) -> int:
        keys = [o.key for prefix in self._prefixes(owner, video_id) for o in self.s3.iter_files(prefix)]
        if keys:
            self.s3.delete_files(keys)
        return len(keys)

    def forget(self, owner: str, video_id: str) -> int:
        s3 = self.s3
        return sum(s3.delete_versions(s3.list_versions(p)) for p in self._prefixes(owner, video_id))


class LocalResults(ResultStore):
    """Results of files on this machine: the pipeline writes them in place, so publishing only names them."""

    def __init__(self, data_dir: Path) -> None:
        # Absolute, so the paths recorded in the job store work from any directory.
        self.data_dir = Path(data_dir).expanduser().resolve()

    def folder(self, video_id: str) -> Path:
        """Where the pipeline writes this video's outputs."""
        return self.data_dir / "results" / video_id

    def state(self, video_id: str) -> Path:
        return self.data_dir / "state" / video_id

    def checkpoint(self, video_id: str) -> Checkpoint:
        from lifestream.core.checkpoint import DirCheckpoint

        return DirCheckpoint(self.state(video_id))

    def publish(self, owner: str, video_id: str, outputs: Outputs) -> dict[str, str]:
        return {
            "json": str(outputs.json_path),
            "markdown": str(outputs.markdown_path),
            "keyframes": str(Path(outputs.json_path).parent / KEYFRAMES),
        }

    def read_text(self, location: str) -> str | None:
        path = Path(location)
        return path.read_text(encoding="utf-8") if path.exists() else None

    def write_text(self, location: str, text: str, kind: str) -> None:
        write_atomically(Path(location), text)

    def keyframes(self, location: str) -> list[str]:
        return [str(p) for p in sorted(Path(location).glob("*.jpg"))]

    def keyframe(self, location: str, name: str) -> str:
        return str(Path(location) / Path(name).name)

    def remove(self, owner: str, video_id: str) -> int:
        # A failed run's leftovers: what cannot be removed now is overwritten by the next run.
        removed = 0
        for folder in (self.folder(video_id), self.state(video_id)):
            removed += _count_files(folder)
            shutil.rmtree(folder, ignore_errors=True)
        return removed

    def forget(self, owner: str, video_id: str) -> int:
        # Deleting a video must not report success over files it could not remove.
        removed = 0
        for folder in (self.folder(video_id), self.state(video_id)):
            if folder.exists():
                removed += _count_files(folder)
                shutil.rmtree(folder)
        return removed


def _count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file and rename it over `path`: a reader never sees half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
