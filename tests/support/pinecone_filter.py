"""Pinecone's metadata filter language as the service documents it, for the loopback Pinecone.

Written from the documentation, independently of lifestream.memory.vectors.filters (which FAISS uses),
so that the contract suite compares two implementations instead of one with itself. Sources:

- https://docs.pinecone.io/guides/search/filter-by-metadata (operators and the types each accepts:
  `$eq`/`$ne` number, string, boolean; `$gt`/`$gte`/`$lt`/`$lte` number; `$in`/`$nin` string, number;
  `$exists` boolean; `$and`/`$or`), and https://docs.pinecone.io/guides/data/understanding-metadata
  (metadata values are strings, numbers, booleans or lists of strings; numbers become 64-bit floats;
  null is not a value: leave the key out).
- Lists, from the same docs ("Using arrays of strings as metadata values or as metadata filters"): a
  record with `{"genre": ["comedy", "documentary"]}` "takes on both values", so `{"genre": "comedy"}`,
  `{"genre": {"$in": ["documentary", "action"]}}` and `{"$and": [{"genre": "comedy"}, {"genre":
  "documentary"}]}` match it, and a list as the operand of implicit or explicit `$eq` is an invalid query
  ("query compilation error"). https://docs.pinecone.io/guides/assistant/file-metadata says the same of
  the shared language and adds that `$ne` and `$nin` do not match such a record when any element of
  the array equals the operand.
- Missing fields: the docs are silent. The service's observed behaviour (since March 2024, reported in
  https://github.com/deepset-ai/haystack-core-integrations/issues/590) is that `{"f": {"$ne": v}}`
  "returns only documents where the field is set and different from value": unlike MongoDB, a record
  without the field does not match `$ne`. `$nin` is taken to behave the same (it is `$ne` over a set;
  not documented either way). Only `$exists: false` matches a record that lacks the field.
- Empty filter arrays: https://github.com/neuron-core/neuron-ai/pull/401 quotes the service's 400 for a
  filter sent as a JSON array, "Proto field is not repeating, cannot start list".

Where the docs say nothing, this module chooses, and says so at the spot.
"""

from __future__ import annotations

import math
from typing import Any

COMPARISONS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists")
LOGICAL = ("$and", "$or")
_ABSENT = object()


class FilterRejected(Exception):
    """The service answers 400 INVALID_ARGUMENT with this message."""


def _number(value: Any) -> bool:
    # JSON booleans are not numbers, though Python's bool is an int.
    return type(value) in (int, float) and math.isfinite(value)


def _scalar(value: Any) -> bool:
    return type(value) in (str, bool) or _number(value)


def check(flt: Any) -> None:
    """Raise FilterRejected for a filter the service refuses to compile. None and {} mean "no filter"."""
    if flt is None:
        return
    if isinstance(flt, list):
        raise FilterRejected("Proto field is not repeating, cannot start list")
    if not isinstance(flt, dict):
        raise FilterRejected(f"filter must be a JSON object, got {type(flt).__name__}")
    if flt:
        _check_clause(flt, "filter")


def _check_clause(clause: Any, where: str) -> None:
    if not isinstance(clause, dict) or not clause:
        raise FilterRejected(f"{where}: expected a non-empty object")
    for key, value in clause.items():
        if key in LOGICAL:
            if not isinstance(value, list) or not value:
                raise FilterRejected(f"{where}: {key} takes a non-empty array of filters")
            for i, item in enumerate(value):
                _check_clause(item, f"{where}.{key}[{i}]")
        elif key.startswith("$"):
            # Covers $not/$nor/$regex... and a comparison operator at the top level, with no field.
            raise FilterRejected(f"{where}: illegal operator {key!r} here")
        elif isinstance(value, dict):
            if not value:
                raise FilterRejected(f"{where}.{key}: no operator given")
            for op, operand in value.items():
                _check_operator(op, operand, f"{where}.{key}")
        else:
            _check_operator("$eq", value, f"{where}.{key}")


def _check_operator(op: str, operand: Any, where: str) -> None:
    if op not in COMPARISONS:
        raise FilterRejected(f"{where}: unknown operator {op!r}")
    if op in ("$eq", "$ne"):
        ok, wants = _scalar(operand), "a string, number or boolean"
    elif op in ("$in", "$nin"):
        # Documented types are string and number only; booleans are refused (compare them with $eq).
        # An empty array is not mentioned anywhere; it is accepted and simply matches nothing ($in).
        ok = isinstance(operand, list) and all(type(v) is str or _number(v) for v in operand)
        wants = "an array of strings and numbers"
    elif op == "$exists":
        ok, wants = type(operand) is bool, "true or false"
    else:
        ok, wants = _number(operand), "a number (range operators compare numbers only)"
    if not ok:
        raise FilterRejected(f"{where}: {op} takes {wants}, got {operand!r}")


def matches(flt: Any, metadata: dict[str, Any]) -> bool:
    """Whether a record with `metadata` passes `flt` (already accepted by `check`)."""
    if not flt:
        return True
    return _clause(flt, metadata)


def _clause(clause: dict[str, Any], metadata: dict[str, Any]) -> bool:
    for key, value in clause.items():
        if key == "$and":
            ok = all(_clause(item, metadata) for item in value)
        elif key == "$or":
            ok = any(_clause(item, metadata) for item in value)
        else:
            spec = value if isinstance(value, dict) else {"$eq": value}
            stored = metadata.get(key, _ABSENT)
            ok = all(_operator(op, operand, stored) for op, operand in spec.items())
        if not ok:
            return False
    return True


def _same(stored: Any, wanted: Any) -> bool:
    """Equality across JSON types: strings equal strings, booleans booleans, numbers numbers as float64
    (so 2021 equals 2021.0). A boolean never equals a number; the docs do not say so, but JSON keeps
    them apart and the upsert API stores them as different types."""
    if type(wanted) is bool or type(stored) is bool:
        return type(wanted) is type(stored) and stored == wanted
    if type(wanted) is str or type(stored) is str:
        return type(wanted) is type(stored) and stored == wanted
    return _number(stored) and float(stored) == float(wanted)


def _operator(op: str, operand: Any, stored: Any) -> bool:
    if op == "$exists":
        return (stored is not _ABSENT) == operand
    if stored is _ABSENT:
        # Every other operator needs the field to be set, the negative ones included (see above).
        return False
    # A list field holds each of its elements. An empty list (the docs are silent on it) is a field that
    # is set but holds no value: it exists, matches $ne/$nin, and never matches $eq/$in.
    values = stored if isinstance(stored, list) else [stored]
    if op == "$eq":
        return any(_same(v, operand) for v in values)
    if op == "$ne":
        return not any(_same(v, operand) for v in values)
    if op == "$in":
        return any(_same(v, o) for v in values for o in operand)
    if op == "$nin":
        return not any(_same(v, o) for v in values for o in operand)
    # Range operators compare numbers; a string, boolean or list of strings is never in range.
    if not _number(stored):
        return False
    bound = float(operand)
    value = float(stored)
    return {
        "$gt": value > bound,
        "$gte": value >= bound,
        "$lt": value < bound,
        "$lte": value <= bound,
    }[op]
