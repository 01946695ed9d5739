"""Dates said in words ("yesterday", "last Tuesday", "in March", "last weekend") → a recorded-date filter.

Interpreted in the user's time zone (settings.timezone, else the machine's). Ranges that a date parser
reads as one day (a weekend, a week, a month) are handled here; a date written out ("on 23 November",
"2026-11-23") goes to `dateparser.search_dates`. Only the past is meant: recordings are never in the
future, so "next Tuesday" is left in the query as words (a diary says "booked for next Tuesday"). The phrase
is removed from the query text, and `label` says what is searched ("searching 2026-11-28 – 2026-11-29").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lifestream.core.errors import ConfigError
from lifestream.core.text import MONTHS, WEEKDAYS
_MONTH_ABBR = {m[:3]: i for i, m in enumerate(MONTHS, start=1)} | {"sept": 9}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_WD = "|".join(WEEKDAYS)
_MONTH_WORDS = "|".join(MONTHS) + "|" + "|".join(sorted(_MONTH_ABBR, key=len, reverse=True))


@dataclass(frozen=True)
class DateFilter:
    date_from: str  # YYYY-MM-DD, inclusive
    date_to: str  # YYYY-MM-DD, inclusive
    phrase: str  # the words of the query that said it
    query: str  # the query without them
    # Nothing was recorded in the range, so the search ran over all dates ("tomatoes planted in April" is
    # as likely to speak of April as to be recorded then).
    relaxed: bool = False

    @property
    def span(self) -> str:
        return self.date_from if self.date_from == self.date_to else f"{self.date_from} – {self.date_to}"

    @property
    def label(self) -> str:
        if self.relaxed:
            return f"nothing recorded {self.span}: searched all dates"
        return f"searching {self.span}"


def user_zone(name: str | None) -> dt.tzinfo:
    if not name:
        return dt.datetime.now().astimezone().tzinfo or dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"LIFESTREAM_TIMEZONE {name!r} is not a time zone (e.g. Europe/Berlin)") from None


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _rules(today: dt.date):
    """(pattern, function of the match → (first day, last day)), most specific first."""
    monday = today - dt.timedelta(days=today.weekday())

    def last_weekday(name: str, *, strictly_before: bool) -> tuple[dt.date, dt.date]:
        back = (today.weekday() - WEEKDAYS.index(name)) % 7
        if back == 0 and strictly_before:
            back = 7
        day = today - dt.timedelta(days=back)
        return day, day

    def last_weekend() -> tuple[dt.date, dt.date]:
        # The most recent Saturday–Sunday that has ended (on a Sunday: the one before).
        saturday = monday - dt.timedelta(days=2)
        return saturday, saturday + dt.timedelta(days=1)

    def this_weekend() -> tuple[dt.date, dt.date]:
        saturday = monday + dt.timedelta(days=5)
        return saturday, saturday + dt.timedelta(days=1)

    def month(word: str, year: str | None) -> tuple[dt.date, dt.date]:
        number = _MONTH_ABBR[word[:3]] if word[:3] in _MONTH_ABBR else MONTHS.index(word) + 1
        if year:
            return _month_range(int(year), number)
        # "in March" in November is this year's March; in February it is last year's.
        return _month_range(today.year if number <= today.month else today.year - 1, number)

    def ago(count: str, unit: str) -> tuple[dt.date, dt.date]:
        n = int(count) if count.isdigit() else _NUMBERS[count]
        if unit.startswith("day"):
            day = today - dt.timedelta(days=n)
            return day, day
        start = monday - dt.timedelta(weeks=n)
        return start, start + dt.timedelta(days=6)

    previous_month = (today.replace(day=1) - dt.timedelta(days=1)).month
    previous_year = (today.replace(day=1) - dt.timedelta(days=1)).year
    return [
        (r"\b(?:the\s+)?day\s+before\s+yesterday\b", lambda m: (today - dt.timedelta(days=2),) * 2),
        (r"\byesterday\b", lambda m: (today - dt.timedelta(days=1),) * 2),
        (r"\b(?:earlier\s+)?today\b|\bthis\s+(?:morning|afternoon|evening)\b", lambda m: (today, today)),
        (r"\b(?:last|past|previous)\s+weekend\b", lambda m: last_weekend()),
        (r"\b(?:this|the)\s+weekend\b|\bat\s+the\s+weekend\b|\bon\s+the\s+weekend\b", lambda m: this_weekend()),
        (r"\b(?:last|past|previous)\s+week\b", lambda m: (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))),
        (r"\bthis\s+week\b", lambda m: (monday, today)),
        (r"\b(?:last|past|previous)\s+month\b", lambda m: _month_range(previous_year, previous_month)),
        (r"\bthis\s+month\b", lambda m: (today.replace(day=1), today)),
        (rf"\b(?:last|past|previous)\s+({_WD})\b", lambda m: last_weekday(m[1], strictly_before=True)),
        (rf"\bon\s+({_WD})\b", lambda m: last_weekday(m[1], strictly_before=False)),
        (r"\b(\d{1,2}|a|an|one|two|three|four|five|six|seven)\s+(days?|weeks?)\s+ago\b", lambda m: ago(m[1], m[2])),
        (rf"\b(?:in|during)\s+({'|'.join(MONTHS)})(?:\s+(\d{{4}}))?\b(?!\s+\d)", lambda m: month(m[1], m[2])),
    ]  # fmt: skip


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([?.!,])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,")
    text = re.sub(r"\b(on|in|from|at|during)\s*([?.!]?)$", r"\2", text).strip()
    return re.sub(r"\s+([?.!])$", r"\1", text)


def interpret(
    query: str, *, now: dt.datetime | None = None, timezone: str | None = None
) -> DateFilter | None:
    """The date range a query speaks of, or None when it names none."""
    zone = user_zone(timezone)
    today = (now.astimezone(zone) if now else dt.datetime.now(zone)).date()
    # A written date is the exact one: "on Monday 8 June" is 8 June, not the last Monday.
    written = _written_date(query, today, zone)
    if written is not None:
        return written
    lowered = query.lower()
    for pattern, span in _rules(today):
        found = re.search(pattern, lowered)
        if found:
            first, last = span(found)
            rest = _tidy(query[: found.start()] + " " + query[found.end() :])
            return DateFilter(first.isoformat(), last.isoformat(), query[found.start() : found.end()], rest)
    return None


_WRITTEN = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_WORDS})\b|"
    rf"\b(?:{_MONTH_WORDS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)


def _written_date(query: str, today: dt.date, zone: dt.tzinfo) -> DateFilter | None:
    # dateparser also reads "may", "second" or "march" as dates: only a phrase with a number and a
    # month (or an ISO date) goes to it.
    candidate = _WRITTEN.search(query)
    if not candidate:
        return None
    try:
        from dateparser.search import search_dates
    except ImportError:  # the slim API asset: read the phrase that matched ourselves
        return _plain_date(query, candidate, today)

    base = dt.datetime.combine(today, dt.time(12), tzinfo=zone).replace(tzinfo=None)
    found = search_dates(
        query,
        languages=["en"],
        settings={"PREFER_DATES_FROM": "past", "RELATIVE_BASE": base, "RETURN_AS_TIMEZONE_AWARE": False},
    )
    for phrase, when in found or []:
        if candidate.group(0).lower() in phrase.lower() or phrase.lower() in candidate.group(0).lower():
            day = when.date().isoformat()
            at = query.find(phrase)
            rest = _tidy(query[:at] + " " + query[at + len(phrase) :]) if at >= 0 else query
            return DateFilter(day, day, phrase, rest)
    return None


def _plain_date(query: str, found: re.Match, today: dt.date) -> DateFilter | None:
    phrase = found.group(0)
    iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}", phrase)
    try:
        if iso:
            day = dt.date.fromisoformat(phrase)
        else:
            number = int(re.search(r"\d{1,2}", phrase).group(0))
            word = re.search(rf"{_MONTH_WORDS}", phrase.lower()).group(0)
            month = _MONTH_ABBR[word[:3]] if word[:3] in _MONTH_ABBR else MONTHS.index(word) + 1
            day = dt.date(today.year, month, number)
            if day > today:  # recordings are in the past: "23 November" in January is last year's
                day = day.replace(year=today.year - 1)
    except ValueError:
        return None
    # "on Monday, 8 June": the weekday belongs to the date (as dateparser reads it).
    start = found.start()
    said = _WEEKDAY_BEFORE.search(query[:start])
    if said:
        start, phrase = said.start(), query[said.start() : found.end()]
    rest = _tidy(query[:start] + " " + query[found.end() :])
    return DateFilter(day.isoformat(), day.isoformat(), phrase, rest)


_WEEKDAY_BEFORE = re.compile(rf"\b(?:{_WD}),?\s+(?:the\s+)?$", re.IGNORECASE)
