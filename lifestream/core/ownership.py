"""Who owns an object, and which names may become part of a key: the one place the upload layout is decided.

Uploads made through the API are `uploads/<owner>/<uuid>/<safe-name>`; anything else under `uploads/` (the
layout from before sign-in: `uploads/<name>`, or a folder a person chose) belongs to `LOCAL_USER`. Only the
exact API shape names an owner, so a folder someone created by hand never makes its name a user.
Where a video's results and checkpoint go is `lifestream.storage.results`.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import PurePosixPath

from lifestream.core.constants import LOCAL_USER, RESERVED_OWNERS, UPLOAD_PREFIX, key_name

# Cognito subs are UUIDs; a local issuer's subs are short words. Nothing that could split a key or a path.
OWNER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")
_UPLOAD_SHAPE = re.compile(r"^uploads/(?P<owner>[^/]+)/(?P<folder>[0-9a-f]{32})/(?P<name>[^/]+)$")
MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class InvalidNameError(ValueError):
    """A file name that cannot become part of a key (empty, a path, NUL, too long)."""


def is_valid_owner(owner: str) -> bool:
    return bool(OWNER_PATTERN.match(owner)) and ".." not in owner


def is_reserved_owner(owner: str) -> bool:
    # Compared without case: a "Local" would look like the local user to anyone reading keys or logs.
    return owner.lower() in RESERVED_OWNERS


def owner_of_key(key: str) -> str:
    """The owner of an object key: the owner segment of `uploads/<owner>/<uuid>/<name>`, else LOCAL_USER."""
    match = _UPLOAD_SHAPE.match(key)
    if match and is_valid_owner(match["owner"]):
        return match["owner"]
    return LOCAL_USER


def upload_prefix(owner: str) -> str:
    return f"{UPLOAD_PREFIX}{checked_owner(owner)}/"


def new_upload_folder(owner: str) -> str:
    """A fresh folder for one upload (the video and its subtitles side by side)."""
    return f"{upload_prefix(owner)}{uuid.uuid4().hex}/"


def safe_name(name: str) -> str:
    """A file name fit for a key: the last path part of what the client sent, NFC-normalised, characters
    outside a small safe set replaced by '_', its suffix in lower case (`key_name`). Raises `InvalidNameError` for what cannot be made safe
    (empty, `.`/`..`, NUL, control characters, over MAX_NAME_BYTES), so nothing is silently renamed past
    recognition."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidNameError("the file name is empty")
    # Cc: NUL and other controls; Cf: invisible format characters (bidi overrides like U+202E that make
    # "x\u202egpj.mp4" read as "xmp4.jpg", zero-width joiners); Cs/Co: surrogates, private use.
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co"} for c in name):
        raise InvalidNameError("the file name contains NUL, control or invisible formatting characters")
    if "/" in name or "\\" in name:
        raise InvalidNameError("the file name must not contain a path (/ or \\)")
    name = unicodedata.normalize("NFC", name).strip()
    if name in {".", ".."} or name.startswith("."):
        raise InvalidNameError("the file name must not start with '.'")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise InvalidNameError(f"the file name is longer than {MAX_NAME_BYTES} bytes")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    suffix = PurePosixPath(name).suffix
    cleaned = _UNSAFE.sub("_", ascii_name).strip(" _")
    if not cleaned or cleaned.startswith(".") or PurePosixPath(cleaned).suffix.lower() != suffix.lower():
        # All non-ASCII (e.g. a name in Cyrillic): keep the type, so the worker recognises the file.
        cleaned = "upload" + _UNSAFE.sub("_", suffix)
    return key_name(cleaned)


def checked_owner(owner: str) -> str:
    if not is_valid_owner(owner):
        raise ValueError(f"not an owner id: {owner!r}")
    return owner
