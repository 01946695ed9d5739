"""Columnar metadata for filtered FAISS queries: a Pinecone filter becomes a few numpy operations over
per-field arrays instead of a Python predicate per record (which cost 10-40 ms at 100k records).

A field gets its columns the first time a filter names it (one scan of the metadata), and from then on
they are maintained on every write, so fields that are never filtered on (the chunk text) cost nothing.
Per field: an int32 code per row for its scalar value (strings, booleans, numbers, each kind in its own
vocabulary), a float64 column for range operators (NaN where the value is not a native number), a
"set" mask (what `$exists` and the `$ne`/`$nin` rules see), and (element code, row) pairs for
string-list values. The semantics are those of `filters.compile_filter`, which stays the reference:
tests/memory/test_faiss_filters_fast.py checks both agree on random records and filters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from lifestream.memory.vectors.filters import compile_filter
from lifestream.memory.vectors.metadata_codec import MAX_SAFE_INT

Mask = np.ndarray  # bool[n]
MaskFn = Callable[["Columns", int], Mask]


def _grow(array: np.ndarray, need: int, fill: Any) -> np.ndarray:
    if need <= array.shape[0]:
        return array
    grown = np.full(max(need, 2 * array.shape[0], 1024), fill, dtype=array.dtype)
    grown[: array.shape[0]] = array
    return grown


def _scalar_key(value: Any) -> tuple[str, Any] | None:
    """The vocabulary key of a filter operand or stored scalar: booleans, strings and numbers never
    equal each other (True == 1 in Python, not in Pinecone); 2021 and 2021.0 share a key."""
    cls = value.__class__
    if cls is str:
        return ("s", value)
    if cls is bool:
        return ("b", value)
    if cls is int or cls is float:
        return ("n", float(value))
    return None


class _Field:
    __slots__ = ("codes", "elem_codes", "elem_count", "elem_rows", "num", "present", "vocab")

    def __init__(self) -> None:
        self.vocab: dict[tuple[str, Any], int] = {}
        self.codes = np.full(0, -1, dtype=np.int32)
        self.present = np.zeros(0, dtype=bool)
        self.num: np.ndarray | None = None  # allocated when the field first holds a number
        self.elem_codes = np.zeros(0, dtype=np.int32)
        self.elem_rows = np.zeros(0, dtype=np.int64)
        self.elem_count = 0

    def code(self, key: tuple[str, Any]) -> int:
        found = self.vocab.get(key)
        if found is None:
            found = self.vocab[key] = len(self.vocab)
        return found

    def reserve(self, need: int) -> None:
        self.codes = _grow(self.codes, need, -1)
        self.present = _grow(self.present, need, False)
        if self.num is not None:
            self.num = _grow(self.num, need, np.nan)

    def put(self, row: int, meta: Mapping[str, Any] | None, name: str) -> None:
        """Encode one record's value, by the rule of filters._stored (what Pinecone would hold)."""
        if meta is None:
            return
        value = meta.get(name)
        cls = value.__class__
        if cls is str or cls is bool:
            self.codes[row] = self.code((cls is str and "s" or "b", value))
            self.present[row] = True
        elif cls is int or cls is float:
            if (cls is int and -MAX_SAFE_INT <= value <= MAX_SAFE_INT) or (
                cls is float and math.isfinite(value)
            ):
                self.codes[row] = self.code(("n", float(value)))
                self.present[row] = True
                if self.num is None:
                    self.num = np.full(self.codes.shape[0], np.nan, dtype=np.float64)
                self.num[row] = value
        elif cls is list and all(element.__class__ is str for element in value):
            # (a mixed list is not stored natively: the field counts as not set)
            self.present[row] = True
            if value:
                need = self.elem_count + len(value)
                self.elem_codes = _grow(self.elem_codes, need, 0)
                self.elem_rows = _grow(self.elem_rows, need, 0)
                for element in value:
                    self.elem_codes[self.elem_count] = self.code(("s", element))
                    self.elem_rows[self.elem_count] = row
                    self.elem_count += 1

    def remap(self, order: np.ndarray, old_n: int) -> None:
        """Keep rows `order` (old row numbers), renumbered 0..len(order)-1."""
        self.codes = self.codes[order].copy()
        self.present = self.present[order].copy()
        if self.num is not None:
            self.num = self.num[order].copy()
        inverse = np.full(max(old_n, 1), -1, dtype=np.int64)
        inverse[order] = np.arange(order.shape[0])
        rows = inverse[self.elem_rows[: self.elem_count]]
        keep = rows >= 0
        self.elem_codes = self.elem_codes[: self.elem_count][keep].copy()
        self.elem_rows = rows[keep]
        self.elem_count = int(self.elem_rows.shape[0])

    # --- masks ------------------------------------------------------------------------------------------
    def equal(self, keys: Sequence[tuple[str, Any]], n: int) -> Mask:
        codes = [self.vocab[k] for k in keys if k in self.vocab]
        mask = np.zeros(n, dtype=bool)
        if not codes:
            return mask
        if len(codes) == 1:
            mask |= self.codes[:n] == codes[0]
        else:
            mask |= np.isin(self.codes[:n], codes)
        if self.elem_count and any(k[0] == "s" for k in keys):
            elements = self.elem_codes[: self.elem_count]
            hit = elements == codes[0] if len(codes) == 1 else np.isin(elements, codes)
            mask[self.elem_rows[: self.elem_count][hit]] = True
        return mask

    def compare(self, op: str, bound: float, n: int) -> Mask:
        if self.num is None:
            return np.zeros(n, dtype=bool)
        column = self.num[:n]
        if op == "$gt":
            return column > bound
        if op == "$gte":
            return column >= bound
        if op == "$lt":
            return column < bound
        return column <= bound


class Columns:
    """The columns of the fields filtered on so far, over rows 0..n-1 of a store."""

    def __init__(self) -> None:
        self._fields: dict[str, _Field] = {}
        self._rows = 0

    def field(self, name: str, metas: Sequence[Mapping[str, Any] | None], n: int) -> _Field:
        found = self._fields.get(name)
        if found is None:
            found = _Field()
            found.reserve(n)
            for row in range(n):
                found.put(row, metas[row], name)
            self._fields[name] = found
        return found

    def append(self, start: int, metas: Sequence[Mapping[str, Any]]) -> None:
        need = start + len(metas)
        for name, column in self._fields.items():
            column.reserve(need)
            for offset, meta in enumerate(metas):
                column.put(start + offset, meta, name)

    def remap(self, order: np.ndarray, old_n: int) -> None:
        for column in self._fields.values():
            column.remap(order, old_n)

    def clear(self) -> None:
        self._fields.clear()


def compile_mask(filter: Mapping[str, Any]) -> Callable[[Columns, Sequence[Any], int], Mask]:
    """Validate `filter` (compile_filter's rules and errors) and return `mask(columns, metas, n)`:
    the rows whose metadata it admits, as a bool array (retired rows must be masked out by the caller)."""
    compile_filter(filter)  # the one validator: same errors as the Pinecone store
    return _clause(filter)


def _clause(clause: Mapping[str, Any]):
    parts = []
    for key, value in clause.items():
        if key in ("$and", "$or"):
            subs = [_clause(item) for item in value]
            parts.append(_combine(subs, np.logical_and if key == "$and" else np.logical_or))
        else:
            spec = value if isinstance(value, Mapping) else {"$eq": value}
            parts.extend(_operator(key, op, operand) for op, operand in spec.items())
    return parts[0] if len(parts) == 1 else _combine(parts, np.logical_and)


def _combine(parts, op):
    def mask(columns: Columns, metas: Sequence[Any], n: int) -> Mask:
        out = parts[0](columns, metas, n)
        for part in parts[1:]:
            op(out, part(columns, metas, n), out=out)
        return out

    return mask


def _operator(name: str, op: str, operand: Any):
    if op == "$exists":

        def exists(columns: Columns, metas: Sequence[Any], n: int) -> Mask:
            present = columns.field(name, metas, n).present[:n]
            return present.copy() if operand else ~present

        return exists
    if op in ("$eq", "$ne", "$in", "$nin"):
        options = operand if op in ("$in", "$nin") else [operand]
        keys = [k for k in (_scalar_key(o) for o in options) if k is not None]
        negate = op in ("$ne", "$nin")

        def equal(columns: Columns, metas: Sequence[Any], n: int) -> Mask:
            column = columns.field(name, metas, n)
            hit = column.equal(keys, n)
            # Pinecone: $ne/$nin admit only records where the field is set
            return column.present[:n] & ~hit if negate else hit

        return equal
    bound = float(operand)

    def compare(columns: Columns, metas: Sequence[Any], n: int) -> Mask:
        return columns.field(name, metas, n).compare(op, bound, n)

    return compare
