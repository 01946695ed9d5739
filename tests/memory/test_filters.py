"""Pinecone's filter language (MongoDB-style), as evaluated for FAISS: explicit truth tables, and a
comparison with the loopback Pinecone's independent reading of the docs (tests/support/pinecone_filter.py)."""

from __future__ import annotations

import itertools

import pytest

from lifestream.core.errors import UnsupportedFilterError
from lifestream.memory.vectors import metadata_codec
from lifestream.memory.vectors.filters import compile_filter
from tests.support import pinecone_filter

RECORDS = {
    "a": {"genre": "drama", "year": 2019, "tags": ["x", "y"], "ok": True},
    "b": {"genre": "comedy", "year": 2021.0, "tags": ["y"], "ok": False},
    "c": {"genre": "drama", "year": 2023, "tags": []},
    "d": {"year": 1},  # no genre, no tags
}


def admitted(flt) -> set[str]:
    predicate = compile_filter(flt)
    return {key for key, meta in RECORDS.items() if predicate(meta)}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (None, {"a", "b", "c", "d"}),
        ({}, {"a", "b", "c", "d"}),
        ({"genre": "drama"}, {"a", "c"}),  # implicit $eq
        ({"genre": {"$eq": "drama"}}, {"a", "c"}),
        # A missing field matches no $ne/$nin: Pinecone's rule, not MongoDB's (pinecone_filter.py cites it)
        ({"genre": {"$ne": "drama"}}, {"b"}),
        ({"year": {"$gt": 2019}}, {"b", "c"}),
        ({"year": {"$gte": 2019}}, {"a", "b", "c"}),
        ({"year": {"$lt": 2021}}, {"a", "d"}),
        ({"year": {"$lte": 2021}}, {"a", "b", "d"}),
        ({"year": 2021}, {"b"}),  # 2021 == 2021.0: numbers are float64 in Pinecone
        ({"year": {"$gte": 2019, "$lt": 2023}}, {"a", "b"}),  # several operators: AND
        ({"genre": {"$in": ["comedy", "thriller"]}}, {"b"}),
        ({"genre": {"$nin": ["comedy"]}}, {"a", "c"}),
        ({"tags": "y"}, {"a", "b"}),  # list field: any element
        ({"tags": {"$in": ["x", "z"]}}, {"a"}),
        ({"tags": {"$nin": ["y"]}}, {"c"}),  # set, and no element matches
        ({"tags": {"$ne": "x"}}, {"b", "c"}),
        ({"$or": [{"genre": {"$ne": "drama"}}, {"genre": {"$exists": False}}]}, {"b", "d"}),
        ({"genre": {"$exists": True}}, {"a", "b", "c"}),
        ({"genre": {"$exists": False}}, {"d"}),
        ({"ok": True}, {"a"}),
        ({"ok": 1}, set()),  # a boolean never equals a number
        ({"genre": "drama", "year": {"$gt": 2020}}, {"c"}),  # several keys: AND
        ({"$or": [{"genre": "comedy"}, {"year": {"$lt": 10}}]}, {"b", "d"}),
        ({"$and": [{"tags": "y"}, {"$or": [{"ok": False}, {"year": 2019}]}]}, {"a", "b"}),
    ],
)
def test_operator_semantics(flt, expected):
    assert admitted(flt) == expected


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        ({"genre": {"$regex": "dr"}}, "unsupported operator '\\$regex'"),
        ({"$not": {"genre": "drama"}}, "unsupported operator '\\$not'"),
        ({"year": {"$gt": "2020"}}, "compares numbers only"),
        ({"year": {"$gt": True}}, "compares numbers only"),
        ({"genre": {"$in": "drama"}}, "needs a list"),
        ({"genre": {"$in": [["nested"]]}}, "needs a list"),
        ({"ok": {"$in": [True]}}, "strings and numbers"),  # the documented $in types; use $eq for booleans
        ({"genre": ["a", "b"]}, "string, number or boolean"),  # documented as an invalid query
        ({"genre": {"$eq": ["a"]}}, "string, number or boolean"),
        ({"genre": {"$exists": 1}}, "true or false"),
        ({"$and": []}, "non-empty list"),
        ({"$or": {"a": 1}}, "non-empty list"),
        ({"genre": {}}, "no operator"),
        ([("genre", "drama")], "must be an object"),
    ],
)
def test_invalid_filters_name_the_problem(flt, message):
    with pytest.raises(UnsupportedFilterError, match=message):
        compile_filter(flt)


# --- agreement with the loopback Pinecone ----------------------------------------------------------------
GRID_RECORDS = [
    *RECORDS.values(),
    {"genre": 5, "year": "2020", "tags": "x", "ok": 1},  # the same names holding other types
    {"genre": None, "year": 2**60, "tags": [1, "x"], "ok": {"k": True}},  # values Pinecone cannot hold
    {"year": float("inf")},
]
GRID_FIELDS = ("genre", "year", "tags", "ok", "absent")
GRID_VALUES = ("drama", "x", "y", 2021, 2021.0, 2019, True, False, 1, 0, "2020", 5, 2**60, None)
GRID_LISTS = ([], ["drama"], ["x", "z"], [2021, "comedy"], [True], [None], [["a"]], "x")


def _grid_filters():
    for field in GRID_FIELDS:
        for value in GRID_VALUES:
            yield {field: value}
            for op in ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$exists"):
                yield {field: {op: value}}
        for options in GRID_LISTS:
            yield {field: {"$in": options}}
            yield {field: {"$nin": options}}
        yield {field: {"$gte": 2019, "$lt": 2023, "$ne": 2021}}
        yield {field: {}}
        yield {field: {"other": 1}}
        yield {field: {"$and": [{"a": 1}]}}
        yield {field: ["x"]}
    for first, second in itertools.product(
        [{"genre": {"$ne": "drama"}}, {"tags": "y"}, {"ok": {"$exists": False}}], repeat=2
    ):
        yield {"$and": [first, second]}
        yield {"$or": [first, second]}
    yield from ({"$gt": 1}, {"$not": {"a": 1}}, {"$nor": [{"a": 1}]}, {"$and": []}, {"$or": {"a": 1}})
    yield from ({"$and": [{}]}, {"$and": ["x"]}, {"$regex": "x"})


def test_faiss_filters_agree_with_the_independent_pinecone_reading():
    # Every disagreement between compile_filter (FAISS, on the metadata as given) and the loopback
    # Pinecone (on the metadata as the Pinecone store encodes it) is a FAISS/Pinecone difference in
    # production: the same query would admit different records.
    stored = [metadata_codec.encode(meta) for meta in GRID_RECORDS]
    disagreements = []
    for flt in _grid_filters():
        try:
            predicate = compile_filter(flt)
        except UnsupportedFilterError:
            predicate = None
        try:
            pinecone_filter.check(flt)
            accepted = True
        except pinecone_filter.FilterRejected:
            accepted = False
        if (predicate is not None) != accepted:
            disagreements.append((flt, "accepted by one only"))
        elif predicate is not None:
            ours = [i for i, meta in enumerate(GRID_RECORDS) if predicate(meta)]
            theirs = [i for i, meta in enumerate(stored) if pinecone_filter.matches(flt, meta)]
            if ours != theirs:
                disagreements.append((flt, ours, theirs))
    assert disagreements == []
