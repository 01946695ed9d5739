"""Pinecone's metadata filter language, evaluated locally.

FAISS has no metadata filters, so this module gives it the exact language Pinecone documents:
`$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or`, implicit equality (`{"k": v}`), several keys
meaning AND. The Pinecone store validates filters here too, so a bad filter fails the same way,
before any request, on both stores.

Semantics follow Pinecone's: a list-valued field (e.g. `speakers`) matches `$eq`/`$in` when any element
matches and `$ne`/`$nin` when no element does; range operators compare numbers only; a record
without the field matches only `$ne`, `$nin` and `$exists: false`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lifestream.errors import UnsupportedFilterError

Predicate = Callable[[Mapping[str, Any]], bool]

COMPARISON_OPERATORS = frozenset({"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"})
LOGICAL_OPERATORS = frozenset({"$and", "$or"})
_MISSING = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, bool)) or _is_number(value)


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python; in Pinecone a boolean never equals a number.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def compile_filter(filter: Mapping[str, Any] | None) -> Predicate:
    """Validate `filter` and return a predicate over a metadata dict; raise UnsupportedFilterError."""
    if filter is None or filter == {}:
        return lambda _meta: True
    return _compile_clause(filter, path="filter")


def validate_filter(filter: Mapping[str, Any] | None) -> None:
    compile_filter(filter)


def _compile_clause(clause: Any, path: str) -> Predicate:
    if not isinstance(clause, Mapping):
        raise UnsupportedFilterError(f"{path} must be an object, got {type(clause).__name__}")
    if not clause:
        raise UnsupportedFilterError(f"{path} is an empty object")
    parts: list[Predicate] = []
    for key, value in clause.items():
        if not isinstance(key, str):
            raise UnsupportedFilterError(f"{path}: keys must be strings, got {key!r}")
        if key in LOGICAL_OPERATORS:
            if not isinstance(value, list) or not value:
                raise UnsupportedFilterError(f"{path}.{key} must be a non-empty list of filters")
            subs = [_compile_clause(item, f"{path}.{key}[{i}]") for i, item in enumerate(value)]
            parts.append(_all(subs) if key == "$and" else _any(subs))
        elif key.startswith("$"):
            raise UnsupportedFilterError(
                f"{path}: unsupported operator {key!r} (supported: "
                f"{', '.join(sorted(COMPARISON_OPERATORS | LOGICAL_OPERATORS))})"
            )
        else:
            parts.append(_compile_field(key, value, f"{path}.{key}"))
    return parts[0] if len(parts) == 1 else _all(parts)


def _all(preds: list[Predicate]) -> Predicate:
    return lambda meta: all(p(meta) for p in preds)


def _any(preds: list[Predicate]) -> Predicate:
    return lambda meta: any(p(meta) for p in preds)


def _compile_field(field: str, spec: Any, path: str) -> Predicate:
    if not isinstance(spec, Mapping):
        spec = {"$eq": spec}  # implicit equality
    if not spec:
        raise UnsupportedFilterError(f"{path} has no operator")
    preds = [_compile_operator(field, op, operand, f"{path}.{op}") for op, operand in spec.items()]
    return preds[0] if len(preds) == 1 else _all(preds)


def _compile_operator(field: str, op: str, operand: Any, path: str) -> Predicate:
    if op not in COMPARISON_OPERATORS:
        raise UnsupportedFilterError(
            f"{path}: unsupported operator {op!r} (supported: {', '.join(sorted(COMPARISON_OPERATORS))})"
        )
    if op == "$exists":
        if not isinstance(operand, bool):
            raise UnsupportedFilterError(f"{path} needs true or false, got {operand!r}")
        return lambda meta: (meta.get(field, _MISSING) is not _MISSING) == operand
    if op in ("$eq", "$ne"):
        if not _is_scalar(operand):
            raise UnsupportedFilterError(f"{path} needs a string, number or boolean, got {operand!r}")
        if op == "$eq":
            return lambda meta: _any_element(meta.get(field, _MISSING), lambda v: _same(v, operand))
        return lambda meta: not _any_element(meta.get(field, _MISSING), lambda v: _same(v, operand))
    if op in ("$in", "$nin"):
        if not isinstance(operand, list) or not all(_is_scalar(v) for v in operand):
            raise UnsupportedFilterError(
                f"{path} needs a list of strings, numbers or booleans, got {operand!r}"
            )
        options = list(operand)

        def is_in(meta: Mapping[str, Any]) -> bool:
            return _any_element(meta.get(field, _MISSING), lambda v: any(_same(v, o) for o in options))

        return is_in if op == "$in" else (lambda meta: not is_in(meta))
    # $gt $gte $lt $lte: numbers only, as in Pinecone.
    if not _is_number(operand):
        raise UnsupportedFilterError(f"{path} compares numbers only, got {operand!r}")
    bound = float(operand)
    compare: Callable[[float], bool] = {
        "$gt": lambda v: v > bound,
        "$gte": lambda v: v >= bound,
        "$lt": lambda v: v < bound,
        "$lte": lambda v: v <= bound,
    }[op]
    return lambda meta: _is_number(value := meta.get(field, _MISSING)) and compare(float(value))


def _any_element(value: Any, test: Callable[[Any], bool]) -> bool:
    if value is _MISSING or value is None:
        return False
    if isinstance(value, list):
        return any(test(v) for v in value)
    return test(value)
