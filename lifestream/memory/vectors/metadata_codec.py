"""Round-trip arbitrary JSON metadata through Pinecone's restricted metadata types.

Pinecone stores only strings, numbers, booleans and lists of strings, and hands every number back
as a float. Values it cannot hold are JSON-encoded under a reserved key prefix, and the names of
integer fields are remembered, so `decode(encode(m)) == m` exactly (types included) while the
fields we filter on (strings, numbers, string lists) stay native and filterable.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from lifestream.core.errors import VectorStoreError

RESERVED_PREFIX = "_ls_"
JSON_PREFIX = RESERVED_PREFIX + "json."
INT_FIELDS_KEY = RESERVED_PREFIX + "ints"
# Integers beyond 2**53 do not survive a float64 round trip, so they are JSON-encoded.
MAX_SAFE_INT = 2**53


def is_native(value: Any) -> bool:
    """Whether Pinecone stores the value as it is (else the codec moves it under a reserved key)."""
    if isinstance(value, (str, bool)):
        return True
    if isinstance(value, int):
        return abs(value) <= MAX_SAFE_INT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    return False


def encode(metadata: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ints: list[str] = []
    for key, value in metadata.items():
        if not isinstance(key, str) or key.startswith(RESERVED_PREFIX):
            raise VectorStoreError(
                f"metadata key {key!r} is not allowed (reserved prefix {RESERVED_PREFIX!r})"
            )
        if is_native(value):
            out[key] = list(value) if isinstance(value, list) else value
            if isinstance(value, int) and not isinstance(value, bool):
                ints.append(key)
        else:
            try:
                out[JSON_PREFIX + key] = json.dumps(value, separators=(",", ":"), allow_nan=True)
            except (TypeError, ValueError) as exc:
                raise VectorStoreError(f"metadata field {key!r} is not JSON-serialisable: {exc}") from None
    if ints:
        out[INT_FIELDS_KEY] = ints
    return out


def decode(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    if not stored:
        return {}
    ints = set(stored.get(INT_FIELDS_KEY) or ())
    out: dict[str, Any] = {}
    for key, value in stored.items():
        if key == INT_FIELDS_KEY:
            continue
        if key.startswith(JSON_PREFIX):
            out[key.removeprefix(JSON_PREFIX)] = json.loads(value)
        elif key in ints and isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = int(value)
        else:
            out[key] = value
    return out
