"""Dates said in words become a date filter in the user's time zone, and leave the query."""

from __future__ import annotations

import datetime as dt

import pytest

from lifestream.core.errors import ConfigError
from lifestream.memory.dates import interpret

# Tuesday 1 December 2026, 10:00 UTC.
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("query", "first", "last", "rest"),
    [
        ("what did I do yesterday?", "2026-11-30", "2026-11-30", "what did I do?"),
        ("what did Priya say last Tuesday", "2026-11-24", "2026-11-24", "what did Priya say"),
        ("what did Priya say on Tuesday", "2026-12-01", "2026-12-01", "what did Priya say"),
        ("where did we go last weekend", "2026-11-28", "2026-11-29", "where did we go"),
        ("what did I buy in March", "2026-03-01", "2026-03-31", "what did I buy"),
        ("what did I buy in December", "2026-12-01", "2026-12-31", "what did I buy"),  # this month
        ("what happened last week", "2026-11-23", "2026-11-29", "what happened"),
        ("lunch two days ago", "2026-11-29", "2026-11-29", "lunch"),
        ("the call on 23 November", "2026-11-23", "2026-11-23", "the call"),
        ("notes from 2026-11-20", "2026-11-20", "2026-11-20", "notes"),
        ("Nov 23rd call with the bank", "2026-11-23", "2026-11-23", "call with the bank"),
    ],
)
def test_phrases(query, first, last, rest):
    found = interpret(query, now=NOW, timezone="Europe/Berlin")
    assert found is not None
    assert (found.date_from, found.date_to, found.query) == (first, last, rest)


def test_the_label_shows_the_interpretation():
    weekend = interpret("last weekend", now=NOW, timezone="UTC")
    assert weekend.label == "searching 2026-11-28 – 2026-11-29"
    assert interpret("yesterday", now=NOW, timezone="UTC").label == "searching 2026-11-30"


def test_the_users_time_zone_decides_what_yesterday_is():
    late = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)  # already 2 December in Berlin
    assert interpret("yesterday", now=late, timezone="UTC").date_from == "2026-11-30"
    assert interpret("yesterday", now=late, timezone="Europe/Berlin").date_from == "2026-12-01"
    assert interpret("yesterday", now=late, timezone="America/Los_Angeles").date_from == "2026-11-30"


@pytest.mark.parametrize(
    "query",
    [
        "when is the dentist next Tuesday",
        "what may happen",
        "the march of time",
        "one thing at a time",
        "budget",
    ],
)
def test_no_date_is_read_where_none_is_meant(query):
    assert interpret(query, now=NOW, timezone="UTC") is None


def test_a_bad_time_zone_is_a_clear_error():
    with pytest.raises(ConfigError, match="not a time zone"):
        interpret("yesterday", now=NOW, timezone="Mars/Olympus")


@pytest.mark.parametrize(
    ("query", "day", "rest"),
    [
        ("the call on 23 November", "2026-11-23", "the call"),
        ("notes from 2026-11-20", "2026-11-20", "notes"),
        ("Nov 23rd call with the bank", "2026-11-23", "call with the bank"),
        ("photos from 24 December", "2025-12-24", "photos"),
        ("What did I do on Monday, 8 June?", "2026-06-08", "What did I do?"),
    ],
)
def test_written_dates_without_dateparser(monkeypatch, query, day, rest):
    """The slim API asset ships no dateparser: a written-out date is still read."""
    import builtins

    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name.startswith("dateparser"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    found = interpret(query, now=NOW, timezone="UTC")
    assert (found.date_from, found.date_to, found.query) == (day, day, rest)


@pytest.mark.parametrize(
    "query",
    ["What did I do on Monday 8 June?", "What did I do on Monday, 8 June?", "On Monday 8 June what did I do"],
)
def test_a_written_date_wins_over_the_weekday_said_with_it(query):
    # NOW is a Tuesday: "on Monday" alone would be 2026-11-30.
    found = interpret(query, now=NOW, timezone="UTC")
    assert (found.date_from, found.date_to) == ("2026-06-08", "2026-06-08")
    assert found.query.rstrip("?").lower() == "what did i do"
