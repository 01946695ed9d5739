"""Questions about a day ("who did I talk to on 11 June?", "what did I do yesterday?"), answered from the
day's diaries: their times, titles, participants, places and action items, each line citing its video and
block. Search ranks moments by their words, and "who did I talk to" shares no word with what was said, so
such questions abstained although the date resolved; the diaries of the day are the evidence instead.

A question is a day question when it names a day or a short range (`memory.dates`, in the user's time
zone) and asks who, what, where or when. Words beyond the question's own ("about the budget", "with
Lena") narrow it to the blocks holding them; when no block does, or a "what" question asks about a topic
rather than the day, the ordinary search answers instead (`None` here). A day with no videos is said so
plainly, unless the question has a topic (the date may be what the words talk about: search relaxes it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from lifestream.core.text import words
from lifestream.service.day_digest import Moment, join_words, moments_of, people_phrase, stem
from lifestream.service.models import AnswerView, CitationView, VideoDiary

# How every answer that finds nothing begins (clients and bench/quality read an abstention by it).
ABSENT = "Not in your videos:"
# The longest range read as days (a week): a month of diaries is no answer, search is.
MAX_DAYS = 7
MAX_LINES = 12
MAX_ACTIVITY = 160

# Words that say what kind of answer is wanted or that every day question has, not what it is about.
_GENERIC = frozenset(
    """
talk talked talking talk speak spoke speaking meet met meeting meetings see saw seen happen happened happening
went gone record recorded recording film filmed video videos day days anyone anybody someone somebody people
person spend spent time times else make made call calls called conversation conversations chat chatted with
discuss discussed busy together anything everything doing done tell say said whole along
""".split()
)
# Parts of a day ("on Friday evening"), local hours [from, to): when the question's day is, not what about.
PARTS_OF_DAY = {"morning": (5, 12), "afternoon": (12, 17), "evening": (17, 24), "night": (18, 24)}
_TASK_WORDS = frozenset("task tasks todo to-do action actions item items promise promised need".split())
_SAYING = re.compile(r"\b(?:say|said|tell|told|ask|asked|mention|mentioned|promise|promised)\b", re.I)
_ABOUT = re.compile(r"\b(?:about|regarding|concerning|discuss|discussed)\b", re.I)
_TASKS = r"tasks?|to[- ]?dos?|action items?|(?:have|had|need(?:ed)?|promised?) to do"
_KINDS = (
    ("tasks", re.compile(rf"^\s*what\b.*\b(?:{_TASKS})\b", re.I)),
    ("who", re.compile(r"^\s*(?:who|whom|with whom)\b", re.I)),
    ("where", re.compile(r"^\s*where\b", re.I)),
    ("when", re.compile(r"^\s*(?:when|at what time|what time)\b", re.I)),
    ("what", re.compile(r"^\s*(?:what|which)\b", re.I)),
)  # fmt: skip


def kind_of(question: str) -> str | None:
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return None


def topic_of(rest: str) -> set[str]:
    """The stemmed words of a question (its date phrase removed) that say what it is about."""
    # The asking words are listed with their inflections: stemming them could swallow a name ("times", "Tim").
    return {stem(w) for w in words(rest) if w not in _ASKING}


_ASKING = _GENERIC | _TASK_WORDS | {"needed", "meets", "talks", "calling", "recordings"}


def _days(first: str, last: str) -> list[str] | None:
    low, high = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    count = (high - low).days + 1
    if count < 1 or count > MAX_DAYS:
        return None
    return [(low + dt.timedelta(days=n)).isoformat() for n in range(count)]


def _short_day(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return f"{d.strftime('%a')} {d.day} {d.strftime('%b')}"


def _day_words(days: Sequence[str]) -> str:
    def one(day: str) -> str:
        d = dt.date.fromisoformat(day)
        return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"

    return f"on {one(days[0])}" if len(days) == 1 else f"between {one(days[0])} and {one(days[-1])}"


def answer_about_day(
    question: str,
    read_day: Callable[[str], Sequence[VideoDiary]],
    *,
    timezone: str | None,
    now: dt.datetime,
) -> AnswerView | None:
    """The answer from the diaries of the day the question names, or None when it is no day question
    (then search answers). `read_day(YYYY-MM-DD)` gives the owner's diaries of that local day."""
    from lifestream.memory.dates import interpret

    kind = kind_of(question)
    if kind is None:
        return None
    dates = interpret(question, now=now, timezone=timezone)
    days = _days(dates.date_from, dates.date_to) if dates else None
    if dates is None or days is None:
        return None
    part = next((w for w in words(dates.query) if w in PARTS_OF_DAY), None)
    topic = topic_of(dates.query) - {stem(w) for w in PARTS_OF_DAY}
    searching = dates.label
    entries = [entry for day in days for entry in read_day(day)]
    when = _day_words(days)
    if not entries:
        if topic:
            return None
        text = f"{ABSENT} you have no videos recorded {when}."
        return AnswerView(text=text, grounded=False, citations=[], searching=searching)
    # Blocks per day, in recording order; a topic keeps the blocks that hold every word of it.
    moments = [m for entry in entries for m in moments_of(entry)]
    if part is not None:
        moments = within(part, moments)
        if not moments:
            return None  # nothing recorded then: search may still find a moment said to be then
    if len(days) > 1:  # "last week": each time says its day
        moments = [replace(m, at=f"{m.at} on {_short_day(m.date)}") if m.at and m.date else m for m in moments]
    if kind == "what" and _SAYING.search(dates.query):
        return None  # "what did Lena say": the sentences she said answer it, which search quotes
    unsaid = ""
    if topic:
        held = [m for m in moments if topic <= m.terms]
        if not held and kind in ("who", "when") and not _ABOUT.search(dates.query):
            # "Who was on the family call on 10 June?": the words name the occasion, which no diary need
            # say; the whole day answers, and says that none of it holds those words.
            said = ", ".join(f"'{w}'" for w in dict.fromkeys(words(dates.query)) if stem(w) in topic)
            unsaid = f" (nothing recorded then says {said}; every video of the day)"
        elif not held or (kind == "what" and not _about_people(topic, held)):
            return None
        else:
            moments = held
    lines, cited = _LINES[kind](moments)
    if not lines:
        # Nothing of that kind in the diaries ("where" with no place stated): the words said may hold it,
        # and search reads them, within the same day.
        return None
    shown = lines[:MAX_LINES]
    more = f"\n- … and {len(lines) - MAX_LINES} more" if len(lines) > MAX_LINES else ""
    heading = when[0].upper() + when[1:]
    citations = list({c.label: c for c in cited if any(c.label in line for line in shown)}.values())
    return AnswerView(
        text=f"{heading}{unsaid}:\n" + "\n".join(f"- {line}" for line in shown) + more,
        grounded=True,
        citations=citations,
        searching=searching,
    )


def within(part: str, moments: Sequence[Moment]) -> list[Moment]:
    """The moments that start in `part` of their day ("evening"), by their local clock; one of unknown
    time is kept (a wrong "nothing then" is worse than one line too many)."""
    first, last = PARTS_OF_DAY[part]
    return [m for m in moments if m.at is None or first <= int(m.at[:2]) < last]


def _about_people(topic: set[str], moments: Sequence[Moment]) -> bool:
    """The topic is only names of people present ("what did I do with Lena"): the day answers it."""
    named = {stem(w) for m in moments for p in m.people for w in words(p)}
    return topic <= named


def _runs(moments: Sequence[Moment], key) -> list[list[Moment]]:
    """Consecutive blocks of one video that share `key`, as one run (one line, one citation)."""
    runs: list[list[Moment]] = []
    for m in moments:
        last = runs[-1][-1] if runs else None
        if last is not None and last.video_id == m.video_id and key(last) == key(m):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _run_citation(run: Sequence[Moment], quote: str) -> CitationView:
    first, last = run[0], run[-1]
    merged = Moment(**{**first.__dict__, "end": last.end})
    return merged.citation(quote)


def _titles(run: Sequence[Moment]) -> str:
    return "; ".join(dict.fromkeys(m.title for m in run if m.title)) or "untitled"


def _at(run: Sequence[Moment]) -> str:
    return f"At {run[0].at}" if run[0].at else "In a video without a time"


def _who(moments: Sequence[Moment]) -> tuple[list[str], list[CitationView]]:
    lines, cited = [], []
    heard = [m for m in moments if m.people or m.voices]
    for run in _runs(heard, lambda m: (m.people, m.voices)):
        unnamed = len(frozenset().union(*(m.voices for m in run)))
        who = people_phrase([p for m in run for p in m.people], unnamed)
        c = _run_citation(run, f"Participants: {who}. {_titles(run)}")
        cited.append(c)
        lines.append(f"{_at(run)} you were with {who} ({_titles(run)}) {c.label}")
    return lines, cited


def _where(moments: Sequence[Moment]) -> tuple[list[str], list[CitationView]]:
    lines, cited = [], []
    placed = [m for m in moments if m.places]
    for run in _runs(placed, lambda m: m.places):
        places = run[0].places
        # Only a place the diary states is where you were; one said was mentioned, one on a sign was seen.
        told = [
            ("Where", "the place was {}", places.stated),
            ("Mentioned", "{} {} mentioned", places.said),
            ("Seen on a sign", "{} {} seen on a sign", places.seen),
        ]
        told = [(head, form, ps) for head, form, ps in told if ps]
        c = _run_citation(run, "; ".join(f"{head}: {', '.join(ps)}" for head, _, ps in told))
        cited.append(c)
        text = "; ".join(
            form.format(join_words(ps), "was" if len(ps) == 1 else "were") for _, form, ps in told
        )
        lines.append(f"{_at(run)} ({_titles(run)}) {text} {c.label}")
    return lines, cited


def _what(moments: Sequence[Moment]) -> tuple[list[str], list[CitationView]]:
    lines, cited = [], []
    spoken = [m for m in moments if m.speech]
    if not spoken:
        spoken = moments
    for m in spoken:
        activity = m.activity if len(m.activity) <= MAX_ACTIVITY else m.activity[: MAX_ACTIVITY - 1] + "…"
        c = m.citation()
        cited.append(c)
        said = f": {activity}" if activity and m.speech else ""
        at = f"At {m.at}: " if m.at else ""
        lines.append(f"{at}{m.title or 'untitled'}{said} {c.label}")
    return lines, cited


def _when(moments: Sequence[Moment]) -> tuple[list[str], list[CitationView]]:
    lines, cited = [], []
    for run in _runs(moments, lambda m: True):
        c = _run_citation(run, _titles(run))
        cited.append(c)
        lines.append(f"{_at(run)}: {_titles(run)} {c.label}")
    return lines, cited


def _tasks(moments: Sequence[Moment]) -> tuple[list[str], list[CitationView]]:
    lines, cited = [], []
    for m in moments:
        if not m.tasks:
            continue
        c = m.citation("Action items: " + "; ".join(m.tasks))
        cited.append(c)
        at = f"At {m.at}" if m.at else "Untimed"
        lines.append(f"{at} ({m.title or 'untitled'}): {'; '.join(m.tasks)} {c.label}")
    return lines, cited


_LINES = {"who": _who, "where": _where, "what": _what, "when": _when, "tasks": _tasks}
