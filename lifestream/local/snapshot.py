"""Keeping the local bucket across restarts: moto holds objects in memory, so `local down` copies the
latest version of each to a directory and the next `local up` puts them back."""

from __future__ import annotations

import mimetypes
import shutil
from pathlib import Path


def _key_path(root: Path, key: str) -> Path | None:
    parts = key.split("/")
    if key.endswith("/") or any(p in ("", ".", "..") for p in parts):
        return None  # folder markers and keys that cannot be a relative path are not kept
    return root.joinpath(*parts)


def save_bucket(s3, bucket: str, directory: Path) -> int:
    """Copy the latest version of every object to `directory` (replacing an older copy); returns the count."""
    directory = Path(directory)
    fresh = directory.with_name(directory.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            target = _key_path(fresh, obj["Key"])
            if target is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, obj["Key"], str(target))
            count += 1
    shutil.rmtree(directory, ignore_errors=True)
    fresh.rename(directory)
    return count


def restore_bucket(s3, bucket: str, directory: Path) -> int:
    directory = Path(directory)
    if not directory.is_dir():
        return 0
    count = 0
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        key = path.relative_to(directory).as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type})
        count += 1
    return count
