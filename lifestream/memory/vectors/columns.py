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
    """One field's columns. `postings[code]` lists, in increasing order, the rows whose value equals the
    code or (a string list) contains it: rows only ever get appended, so the order holds for free."""

    __slots__ = ("codes", "has_lists", "num", "postings", "present", "vocab")

    def __init__(self) -> None:
        self.vocab: dict[tuple[str, Any], int] = {}
        self.present = np.zeros(0, dtype=bool)
        # The scalar value's code per row (-1: none): checking given rows is a gather, not a search.
        self.codes = np.full(0, -1, dtype=np.int32)
        self.has_lists = False  # once a row holds a list, row checks search the postings instead
        self.num: np.ndarray | None = None  # allocated when the field first holds a number
        self.postings: dict[int, list[Any]] = {}  # code -> [int64 array with spare room, used length]

    def reserve(self, need: int) -> None:
        self.present = _grow(self.present, need, False)
        self.codes = _grow(self.codes, need, -1)
        if self.num is not None:
            self.num = _grow(self.num, need, np.nan)

    def put(self, start: int, metas: Sequence[Mapping[str, Any] | None], name: str) -> None:
        """Encode records start.. by the rule of filters._stored (what Pinecone would hold)."""
        self.reserve(start + len(metas))
        vocab = self.vocab
        pair_codes: list[int] = []
        pair_rows: list[int] = []
        num_rows: list[int] = []
        num_values: list[float] = []
        present_rows: list[int] = []
        scalar_rows: list[int] = []
        for row, meta in enumerate(metas, start):
            if meta is None:
                continue
            value = meta.get(name)
            cls = value.__class__
            if cls is str:
                keys: Any = (("s", value),)
            elif cls is bool:
                keys = (("b", value),)
            elif cls is int or cls is float:
                if not (
                    (cls is int and -MAX_SAFE_INT <= value <= MAX_SAFE_INT)
                    or (cls is float and math.isfinite(value))
                ):
                    continue
                keys = (("n", float(value)),)
                num_rows.append(row)
                num_values.append(value)
            elif cls is list and all(element.__class__ is str for element in value):
                # (a mixed list is not stored natively: the field counts as not set)
                keys = [("s", element) for element in dict.fromkeys(value)]
                self.has_lists = True
            else:
                continue
            present_rows.append(row)
            for key in keys:
                code = vocab.get(key)
                if code is None:
                    code = vocab[key] = len(vocab)
                pair_codes.append(code)
                pair_rows.append(row)
            if cls is not list:
                scalar_rows.append(row)
        if present_rows:
            self.present[present_rows] = True
        if num_rows:
            if self.num is None:
                self.num = np.full(self.present.shape[0], np.nan, dtype=np.float64)
            self.num[num_rows] = num_values
        if not pair_codes:
            return
        codes = np.asarray(pair_codes, dtype=np.int64)
        rows = np.asarray(pair_rows, dtype=np.int64)
        if scalar_rows:
            # one code per scalar row, in row order: the pairs of non-list rows
            scalar = np.isin(rows, np.asarray(scalar_rows, dtype=np.int64)) if self.has_lists else slice(None)
            self.codes[rows[scalar]] = codes[scalar]
        order = np.argsort(codes, kind="stable")  # stable: rows stay increasing within a code
        codes, rows = codes[order], rows[order]
        bounds = np.flatnonzero(np.diff(codes)) + 1
        for chunk in np.split(np.arange(codes.shape[0]), bounds):
            code = int(codes[chunk[0]])
            block = rows[chunk[0] : chunk[-1] + 1]
            entry = self.postings.get(code)
            if entry is None:
                self.postings[code] = [block.copy(), block.shape[0]]
                continue
            array, used = entry
            need = used + block.shape[0]
            if need > array.shape[0]:
                grown = np.empty(max(need, 2 * array.shape[0]), dtype=np.int64)
                grown[:used] = array[:used]
                array = entry[0] = grown
            array[used:need] = block
            entry[1] = need

    def posting(self, code: int) -> np.ndarray:
        array, used = self.postings[code]
        return array[:used]

    def remap(self, order: np.ndarray, old_n: int) -> None:
        """Keep rows `order` (old row numbers, increasing), renumbered 0..len(order)-1."""
        self.present = self.present[order].copy()
        self.codes = self.codes[order].copy()
        if self.num is not None:
            self.num = self.num[order].copy()
        inverse = np.full(max(old_n, 1), -1, dtype=np.int64)
        inverse[order] = np.arange(order.shape[0])
        for code in list(self.postings):
            rows = inverse[self.posting(code)]
            rows = rows[rows >= 0]
            self.postings[code] = [rows, rows.shape[0]]

    # --- evaluation -------------------------------------------------------------------------------------
    def codes_of(self, keys: Sequence[tuple[str, Any]]) -> list[int]:
        return [self.vocab[k] for k in keys if k in self.vocab]

    def equal_rows(self, codes: Sequence[int]) -> np.ndarray:
        lists = [self.posting(c) for c in codes]
        if not lists:
            return np.zeros(0, dtype=np.int64)
        if len(lists) == 1:
            return lists[0]
        return np.unique(np.concatenate(lists))  # a list value may hold several of the codes

    def equal_on(self, codes: Sequence[int], rows: np.ndarray) -> np.ndarray:
        if not self.has_lists:
            mine = self.codes[rows]
            if len(codes) == 1:
                return mine == codes[0]
            return np.isin(mine, codes) if codes else np.zeros(rows.shape[0], dtype=bool)
        hit = np.zeros(rows.shape[0], dtype=bool)
        for code in codes:
            posting = self.posting(code)
            if posting.shape[0]:
                at = np.minimum(np.searchsorted(posting, rows), posting.shape[0] - 1)
                hit |= posting[at] == rows
        return hit

    def compare(self, op: str, bound: float, column: np.ndarray | None) -> np.ndarray | None:
        if column is None:
            return None
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

    def field(self, name: str, metas: Sequence[Mapping[str, Any] | None], n: int) -> _Field:
        found = self._fields.get(name)
        if found is None:
            found = _Field()
            found.put(0, metas[:n], name)
            self._fields[name] = found
        return found

    def append(self, start: int, metas: Sequence[Mapping[str, Any]]) -> None:
        for name, column in self._fields.items():
            column.put(start, metas, name)

    def remap(self, order: np.ndarray, old_n: int) -> None:
        for column in self._fields.values():
            column.remap(order, old_n)

    def clear(self) -> None:
        self._fields.clear()


class _Ctx:
    __slots__ = ("columns", "metas", "n")

    def __init__(self, columns: Columns, metas: Sequence[Any], n: int) -> None:
        self.columns, self.metas, self.n = columns, metas, n

    def field(self, name: str) -> _Field:
        return self.columns.field(name, self.metas, self.n)


# A node's full result is either sorted unique row numbers (int64: from postings, cheap when selective)
# or a bool mask over all n rows. `on(ctx, rows)` evaluates the node on given rows only, so an $and
# starts from its most selective posting and checks the other clauses on those rows alone.
Selection = np.ndarray


def _to_mask(result: Selection, n: int) -> np.ndarray:
    if result.dtype == bool:
        return result
    mask = np.zeros(n, dtype=bool)
    mask[result] = True
    return mask


class _Equal:
    def __init__(self, name: str, keys: list[tuple[str, Any]], negate: bool) -> None:
        self.name, self.keys, self.negate = name, keys, negate

    def estimate(self, ctx: _Ctx) -> int | None:
        if self.negate:
            return None
        column = ctx.field(self.name)
        return sum(column.postings[c][1] for c in column.codes_of(self.keys))

    def full(self, ctx: _Ctx) -> Selection:
        column = ctx.field(self.name)
        rows = column.equal_rows(column.codes_of(self.keys))
        if not self.negate:
            return rows
        # Pinecone: $ne/$nin admit only records where the field is set
        mask = column.present[: ctx.n].copy()
        mask[rows] = False
        return mask

    def on(self, ctx: _Ctx, rows: np.ndarray) -> np.ndarray:
        column = ctx.field(self.name)
        hit = column.equal_on(column.codes_of(self.keys), rows)
        return column.present[rows] & ~hit if self.negate else hit


class _Exists:
    def __init__(self, name: str, wanted: bool) -> None:
        self.name, self.wanted = name, wanted

    def estimate(self, ctx: _Ctx) -> int | None:
        return None

    def full(self, ctx: _Ctx) -> Selection:
        present = ctx.field(self.name).present[: ctx.n]
        return present.copy() if self.wanted else ~present

    def on(self, ctx: _Ctx, rows: np.ndarray) -> np.ndarray:
        present = ctx.field(self.name).present[rows]
        return present if self.wanted else ~present


class _Range:
    def __init__(self, name: str, op: str, bound: float) -> None:
        self.name, self.op, self.bound = name, op, bound

    def estimate(self, ctx: _Ctx) -> int | None:
        return None

    def full(self, ctx: _Ctx) -> Selection:
        column = ctx.field(self.name)
        out = column.compare(self.op, self.bound, None if column.num is None else column.num[: ctx.n])
        return np.zeros(ctx.n, dtype=bool) if out is None else out

    def on(self, ctx: _Ctx, rows: np.ndarray) -> np.ndarray:
        column = ctx.field(self.name)
        out = column.compare(self.op, self.bound, None if column.num is None else column.num[rows])
        return np.zeros(rows.shape[0], dtype=bool) if out is None else out


class _And:
    def __init__(self, parts: list) -> None:
        self.parts = parts

    def estimate(self, ctx: _Ctx) -> int | None:
        sizes = [e for e in (p.estimate(ctx) for p in self.parts) if e is not None]
        return min(sizes) if sizes else None

    def full(self, ctx: _Ctx) -> Selection:
        sized = [(p.estimate(ctx), i, p) for i, p in enumerate(self.parts)]
        sparse = sorted((e, i, p) for e, i, p in sized if e is not None)
        if sparse:
            first = sparse[0][2]
            rows = first.full(ctx)
            rows = rows if rows.dtype != bool else np.flatnonzero(rows)
            rest = [p for e, i, p in sparse[1:]] + [p for e, i, p in sized if e is None]
            for part in rest:
                if not rows.shape[0]:
                    break
                rows = rows[part.on(ctx, rows)]
            return rows
        out = _to_mask(self.parts[0].full(ctx), ctx.n).copy()
        for part in self.parts[1:]:
            out &= _to_mask(part.full(ctx), ctx.n)
        return out

    def on(self, ctx: _Ctx, rows: np.ndarray) -> np.ndarray:
        keep = self.parts[0].on(ctx, rows)
        for part in self.parts[1:]:
            keep &= part.on(ctx, rows)
        return keep


class _Or:
    def __init__(self, parts: list) -> None:
        self.parts = parts

    def estimate(self, ctx: _Ctx) -> int | None:
        sizes = [p.estimate(ctx) for p in self.parts]
        return None if any(e is None for e in sizes) else sum(sizes)  # type: ignore[misc]

    def full(self, ctx: _Ctx) -> Selection:
        results = [p.full(ctx) for p in self.parts]
        if all(r.dtype != bool for r in results):
            return np.unique(np.concatenate(results)) if len(results) > 1 else results[0]
        out = np.zeros(ctx.n, dtype=bool)
        for result in results:
            if result.dtype == bool:
                out |= result
            else:
                out[result] = True
        return out

    def on(self, ctx: _Ctx, rows: np.ndarray) -> np.ndarray:
        keep = self.parts[0].on(ctx, rows)
        for part in self.parts[1:]:
            keep |= part.on(ctx, rows)
        return keep


def compile_selection(filter: Mapping[str, Any]) -> Callable[[Columns, Sequence[Any], int], Selection]:
    """Validate `filter` (compile_filter's rules and errors) and return `select(columns, metas, n)`: the
    admitted rows, as sorted row numbers or a bool mask (retired rows are the caller's to drop)."""
    compile_filter(filter)  # the one validator: same errors as the Pinecone store
    root = _clause(filter)
    return lambda columns, metas, n: root.full(_Ctx(columns, metas, n))


def compile_mask(filter: Mapping[str, Any]) -> Callable[[Columns, Sequence[Any], int], np.ndarray]:
    """As compile_selection, always as a bool mask over the n rows."""
    select = compile_selection(filter)
    return lambda columns, metas, n: _to_mask(select(columns, metas, n), n).copy()


def _clause(clause: Mapping[str, Any]):
    parts = []
    for key, value in clause.items():
        if key in ("$and", "$or"):
            subs = [_clause(item) for item in value]
            parts.append(subs[0] if len(subs) == 1 else (_And(subs) if key == "$and" else _Or(subs)))
        else:
            spec = value if isinstance(value, Mapping) else {"$eq": value}
            parts.extend(_operator(key, op, operand) for op, operand in spec.items())
    return parts[0] if len(parts) == 1 else _And(parts)


def _operator(name: str, op: str, operand: Any):
    if op == "$exists":
        return _Exists(name, bool(operand))
    if op in ("$eq", "$ne", "$in", "$nin"):
        options = operand if op in ("$in", "$nin") else [operand]
        keys = [k for k in (_scalar_key(o) for o in options) if k is not None]
        return _Equal(name, keys, negate=op in ("$ne", "$nin"))
    return _Range(name, op, float(operand))
