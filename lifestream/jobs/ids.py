"""Deterministic video ids: the same upload (bucket, key, version) always maps to the same id, so a
re-delivered S3 event or a re-run of `lifestream process` finds the earlier job instead of adding one."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath

_SLUG_MAX = 40
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(key: str) -> str:
    # Keys are S3 keys or local absolute paths; both use "/" (Windows paths are normalised first).
    stem = PurePosixPath(key.replace("\\", "/")).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_stem.lower()).strip("-")[:_SLUG_MAX].rstrip("-")
    return slug or "video"


def video_id_for(bucket: str, key: str, version: str, *, name: str | None = None) -> str:
    """`<readable-slug>-<10 hex>`: safe in S3 keys, vector ids and file names. The slug comes from
    `name` when the key is not readable (a local file's content fingerprint)."""
    digest = hashlib.sha256("\0".join((bucket, key, version)).encode()).hexdigest()[:10]
    return f"{_slug(name or key)}-{digest}"
