"""`parse_filters`, the edge where a request's filters are checked: bad input is a RequestError naming
the field at fault, good input one typed SearchFilters (dates as dates, the chunk type as its enum)."""

from __future__ import annotations

import datetime as dt

import pytest

from lifestream.core.errors import RequestError
from lifestream.core.models import ChunkType
from lifestream.memory.search_filters import NO_FILTERS, SearchFilters
from lifestream.service import parse_filters


@pytest.mark.parametrize(
    "given, field",
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "last week"}, "date_from"),
        ({"date_to": "02/05/2026"}, "date_to"),
        ({"date_from": "2026-05-01", "date_to": "2026-02-30"}, "date_to"),
        ({"date_from": "2026-05-03", "date_to": "2026-05-02"}, "date_from"),
        ({"chunk_type": "video"}, "chunk_type"),
        ({"chunk_type": "transcripts", "date_from": "2026-05-01"}, "chunk_type"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(given, field):
    with pytest.raises(RequestError) as caught:
        parse_filters(**given)
    assert caught.value.field == field
    assert str(caught.value)  # a message people can act on, not an empty error


def test_an_inverted_range_says_both_dates():
    with pytest.raises(RequestError, match="2026-05-03.*2026-05-02"):
        parse_filters(date_from="2026-05-03", date_to="2026-05-02")


def test_good_filters_are_one_typed_value():
    filters = parse_filters(
        date_from="2026-05-01", date_to="2026-05-02", video_id="v-1", speaker="Anna", chunk_type="action_item"
    )
    assert isinstance(filters, SearchFilters)
    assert filters.date_from == dt.date(2026, 5, 1) and filters.date_to == dt.date(2026, 5, 2)
    assert (filters.video_id, filters.speaker, filters.chunk_type) == ("v-1", "Anna", ChunkType.ACTION_ITEM)
    # What every vector store evaluates: days as numbers, each filter one clause.
    assert filters.vector_filter() == {
        "$and": [
            {"recorded_day": {"$gte": 20260501, "$lte": 20260502}},
            {"video_id": {"$eq": "v-1"}},
            {"speakers": {"$in": ["Anna"]}},
            {"chunk_type": {"$eq": "action_item"}},
        ]
    }


def test_no_filters_and_empty_strings_mean_any():
    assert parse_filters() == NO_FILTERS and parse_filters().vector_filter() is None
    # Empty query-string values (`?speaker=`) are no filter, not a filter on "".
    assert parse_filters(video_id="", speaker="", chunk_type="") == NO_FILTERS


def test_a_one_day_range_is_allowed():
    filters = parse_filters(date_from="2026-05-02", date_to="2026-05-02")
    assert filters.day_from == filters.day_to == 20260502


@pytest.mark.parametrize(
    "given, field", [({"date_to": "date_from"}, "date_to"), ({"chunk_type": "date_to"}, "chunk_type")]
)
def test_the_field_is_not_taken_from_the_users_value(given, field):
    with pytest.raises(RequestError) as caught:
        parse_filters(**given)
    assert caught.value.field == field
