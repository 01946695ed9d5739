"""Pinecone's metadata filter language, evaluated locally.

Design note: FAISS has no metadata filters, so this module gives it the language Pinecone documents
(https://docs.pinecone.io/guides/search/filter-by-metadata) with Pinecone's semantics, and the Pinecone
store validates filters here too: a filter fails, and admits records, the same way on both stores. Where
the docs are silent we follow the service: `$ne`/`$nin` skip records without the field, unlike MongoDB
(https://github.com/deepset-ai/haystack-core-integrations/issues/590), and a value Pinecone cannot store
natively counts as not set, since the Pinecone store keeps it under another key (metadata_codec).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lifestream.core.errors import UnsupportedFilterError
from lifestream.memory.vectors.metadata_codec import MAX_SAFE_INT, is_native

Predicate = Callable[[Mapping[str, Any]], bool]

COMPARISON_OPERATORS = frozenset({"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"})
LOGICAL_OPERATORS = frozenset({"$and", "$or"})


def _is_number(value: Any) -> bool:
    # NaN and infinities are not JSON: the Pinecone API could not even be sent them.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


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

    def test(v: Any) -> bool:
        cls = v.__class__
        if cls is str:
            return v in strings
        if cls in _NUMBER_CLASSES:
            return v in numbers
        return False

    return test


_ABSENT = object()


def _stored(meta: Mapping[str, Any], field: str) -> Any:
    """The field's value as the Pinecone store holds it, or _ABSENT (the rule of metadata_codec, whose
    check is inlined for the common types: this runs per record on every filtered FAISS query)."""
    value = meta.get(field, _ABSENT)
    cls = value.__class__
    if cls is str or cls is bool or value is _ABSENT:
        return value
    if cls is float:
        return value if value - value == 0.0 else _ABSENT  # NaN and infinities are not stored natively
    if cls is int:
        return value if -MAX_SAFE_INT <= value <= MAX_SAFE_INT else _ABSENT
    if cls is list:
        for element in value:
            if element.__class__ is not str:
                return _ABSENT
        return value
    return value if is_native(value) else _ABSENT


def _element_match(field: str, test: Callable[[Any], bool], *, negate: bool = False) -> Predicate:
    """True when the field is set and its value, or any element of a list value, passes `test`
    (with `negate`: when the field is set and nothing passes). `_stored` is inlined: this runs per record."""

    def match(meta: Mapping[str, Any]) -> bool:
        value = meta.get(field, _ABSENT)
        cls = value.__class__
        if cls is str or cls is bool:
            return test(value) is not negate
        if cls is list:
            found = False
            for element in value:
                if element.__class__ is not str:
                    return False  # a mixed list is not stored natively: the field is not set
                if not found and test(element):
                    found = True
            return found is not negate
        if _stored(meta, field) is _ABSENT:
            return False
        return test(value) is not negate

    return match


def _number_or_absent(meta: Mapping[str, Any], field: str) -> Any:
    """The field's value when it is a number Pinecone stores natively, else None."""
    value = meta.get(field)
    cls = value.__class__
    if cls is int:
        return value if -MAX_SAFE_INT <= value <= MAX_SAFE_INT else None
    if cls is float and value - value == 0.0:  # not NaN nor an infinity
        return value
    return None


def _compile_operator(field: str, op: str, operand: Any, path: str) -> Predicate:
    if op not in COMPARISON_OPERATORS:
        raise UnsupportedFilterError(
            f"{path}: unsupported operator {op!r} (supported: {', '.join(sorted(COMPARISON_OPERATORS))})"
        )
    if op == "$exists":
        if not isinstance(operand, bool):
            raise UnsupportedFilterError(f"{path} needs true or false, got {operand!r}")
        return lambda meta: (_stored(meta, field) is not _ABSENT) == operand
    if op in ("$eq", "$ne"):
        if not _is_scalar(operand):
            raise UnsupportedFilterError(f"{path} needs a string, number or boolean, got {operand!r}")
        return _element_match(field, _value_test(operand), negate=op == "$ne")
    if op in ("$in", "$nin"):
        if not isinstance(operand, list) or not all(isinstance(v, str) or _is_number(v) for v in operand):
            raise UnsupportedFilterError(
                f"{path} needs a list of strings and numbers (match booleans with $eq), got {operand!r}"
            )
        return _element_match(field, _set_test(list(operand)), negate=op == "$nin")
    # $gt $gte $lt $lte: numbers only, as in Pinecone.
    if not _is_number(operand):
        raise UnsupportedFilterError(f"{path} compares numbers only, got {operand!r}")
    bound = float(operand)
    # Integers beyond 2**53 and non-finite floats are not stored natively by Pinecone: never in range.
    # One closure per operator, with the common int case first: these run per record.
    if op == "$gt":

        def gt(meta: Mapping[str, Any]) -> bool:
            v = meta.get(field)
            if v.__class__ is int and -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
                return v > bound
            return (v := _number_or_absent(meta, field)) is not None and v > bound

        return gt
    if op == "$gte":

        def gte(meta: Mapping[str, Any]) -> bool:
            v = meta.get(field)
            if v.__class__ is int and -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
                return v >= bound
            return (v := _number_or_absent(meta, field)) is not None and v >= bound

        return gte
    if op == "$lt":

        def lt(meta: Mapping[str, Any]) -> bool:
            v = meta.get(field)
            if v.__class__ is int and -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
                return v < bound
            return (v := _number_or_absent(meta, field)) is not None and v < bound

        return lt

    def lte(meta: Mapping[str, Any]) -> bool:
        v = meta.get(field)
        if v.__class__ is int and -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
            return v <= bound
        return (v := _number_or_absent(meta, field)) is not None and v <= bound

    return lte
