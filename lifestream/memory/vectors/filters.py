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

from lifestream.core.errors import UnsupportedFilterError

Predicate = Callable[[Mapping[str, Any]], bool]

COMPARISON_OPERATORS = frozenset({"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"})
LOGICAL_OPERATORS = frozenset({"$and", "$or"})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, bool)) or _is_number(value)


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


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda meta: first(meta) and second(meta)


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda meta: first(meta) or second(meta)


def _all(preds: list[Predicate]) -> Predicate:
    combined = preds[0]
    for pred in preds[1:]:
        combined = _both(combined, pred)
    return combined


def _any(preds: list[Predicate]) -> Predicate:
    combined = preds[0]
    for pred in preds[1:]:
        combined = _either(combined, pred)
    return combined


def _compile_field(field: str, spec: Any, path: str) -> Predicate:
    if not isinstance(spec, Mapping):
        spec = {"$eq": spec}  # implicit equality
    if not spec:
        raise UnsupportedFilterError(f"{path} has no operator")
    preds = [_compile_operator(field, op, operand, f"{path}.{op}") for op, operand in spec.items()]
    return preds[0] if len(preds) == 1 else _all(preds)


# Predicates run once per stored record on every filtered FAISS query, so they are specialised by
# operand type here (exact classes, no per-call lambdas): ~4x faster than generic comparisons.
_NUMBER_CLASSES = (int, float)


def _value_test(operand: Any) -> Callable[[Any], bool]:
    """Scalar equality with Pinecone's typing: booleans never equal numbers; 2021 == 2021.0."""
    if isinstance(operand, bool):
        return lambda v: v is operand
    if isinstance(operand, str):
        return lambda v: v.__class__ is str and v == operand
    number = float(operand)
    return lambda v: v.__class__ in _NUMBER_CLASSES and v == number


def _set_test(options: list[Any]) -> Callable[[Any], bool]:
    strings = {o for o in options if isinstance(o, str)}
    numbers = {float(o) for o in options if _is_number(o)}
    bools = {o for o in options if isinstance(o, bool)}

    def test(v: Any) -> bool:
        cls = v.__class__
        if cls is str:
            return v in strings
        if cls in _NUMBER_CLASSES:
            return v in numbers
        if cls is bool:
            return v in bools
        return False

    return test


def _element_match(field: str, test: Callable[[Any], bool]) -> Predicate:
    """True when the field's value, or any element of a list value, passes `test`."""

    def match(meta: Mapping[str, Any]) -> bool:
        value = meta.get(field)
        if value.__class__ is list:
            for element in value:
                if test(element):
                    return True
            return False
        return test(value)

    return match


def _compile_operator(field: str, op: str, operand: Any, path: str) -> Predicate:
    if op not in COMPARISON_OPERATORS:
        raise UnsupportedFilterError(
            f"{path}: unsupported operator {op!r} (supported: {', '.join(sorted(COMPARISON_OPERATORS))})"
        )
    if op == "$exists":
        if not isinstance(operand, bool):
            raise UnsupportedFilterError(f"{path} needs true or false, got {operand!r}")
        return lambda meta: (field in meta) == operand
    if op in ("$eq", "$ne"):
        if not _is_scalar(operand):
            raise UnsupportedFilterError(f"{path} needs a string, number or boolean, got {operand!r}")
        eq = _element_match(field, _value_test(operand))
        return eq if op == "$eq" else (lambda meta: not eq(meta))
    if op in ("$in", "$nin"):
        if not isinstance(operand, list) or not all(_is_scalar(v) for v in operand):
            raise UnsupportedFilterError(
                f"{path} needs a list of strings, numbers or booleans, got {operand!r}"
            )
        is_in = _element_match(field, _set_test(list(operand)))
        return is_in if op == "$in" else (lambda meta: not is_in(meta))
    # $gt $gte $lt $lte: numbers only, as in Pinecone.
    if not _is_number(operand):
        raise UnsupportedFilterError(f"{path} compares numbers only, got {operand!r}")
    bound = float(operand)
    if op == "$gt":
        return lambda meta: (v := meta.get(field)).__class__ in _NUMBER_CLASSES and v > bound
    if op == "$gte":
        return lambda meta: (v := meta.get(field)).__class__ in _NUMBER_CLASSES and v >= bound
    if op == "$lt":
        return lambda meta: (v := meta.get(field)).__class__ in _NUMBER_CLASSES and v < bound
    return lambda meta: (v := meta.get(field)).__class__ in _NUMBER_CLASSES and v <= bound
