"""Pinecone's filter language (MongoDB-style), as evaluated for FAISS: explicit truth tables."""

from __future__ import annotations

import pytest

from lifestream.core.errors import UnsupportedFilterError
from lifestream.memory.vectors.filters import compile_filter

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
        ({"genre": {"$ne": "drama"}}, {"b", "d"}),  # a missing field is "not equal" (MongoDB rule)
        ({"year": {"$gt": 2019}}, {"b", "c"}),
        ({"year": {"$gte": 2019}}, {"a", "b", "c"}),
        ({"year": {"$lt": 2021}}, {"a", "d"}),
        ({"year": {"$lte": 2021}}, {"a", "b", "d"}),
        ({"year": 2021}, {"b"}),  # 2021 == 2021.0: numbers are float64 in Pinecone
        ({"year": {"$gte": 2019, "$lt": 2023}}, {"a", "b"}),  # several operators: AND
        ({"genre": {"$in": ["comedy", "thriller"]}}, {"b"}),
        ({"genre": {"$nin": ["comedy"]}}, {"a", "c", "d"}),
        ({"tags": "y"}, {"a", "b"}),  # list field: any element
        ({"tags": {"$in": ["x", "z"]}}, {"a"}),
        ({"tags": {"$nin": ["y"]}}, {"c", "d"}),  # no element matches
        ({"tags": {"$ne": "x"}}, {"b", "c", "d"}),
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
