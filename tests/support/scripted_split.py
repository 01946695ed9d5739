"""Checks shared by the tests of the scripted development splits (tests/understand/test_dev2_split.py,
test_dev3_split.py): a recording's voices and words, its spoken length, and that its truth's places and
tasks are what the script says. Each test keeps its own expectations (counts, forms, non-tasks)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lifestream.core.text import WEEKDAYS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "quality"))

import metrics  # noqa: E402
import testset  # noqa: E402

LEAD_SECONDS = 1.0  # the lead-in and -out of a built recording
REAL_CALL_SECONDS = 1.6  # one short real call of the speaker test ("Front, left.")


def speakers(rec: testset.Recording) -> set[str]:
    return {who for _, who, _ in testset.spoken_lines(rec)}


def said(rec: testset.Recording) -> str:
    return " ".join(text for _, _, text in testset.spoken_lines(rec))


def spoken_seconds(rec: testset.Recording, voices: Mapping[str, tuple[str, int, int]]) -> float:
    """The recording's length from its words at each voice's words per minute, pauses and real calls."""
    seconds = LEAD_SECONDS
    for part in rec.parts:
        if isinstance(part, testset.Said):
            _, _, wpm = voices[part.speaker]
            seconds += len(part.text.split()) * 60 / wpm + part.pause
        else:
            seconds += REAL_CALL_SECONDS + part.pause
    return seconds


def named_days(split: str, script: Any, day_of: Callable[[str], dt.date], month: tuple[str, int]) -> int:
    """Asserts each recording's day (`day_of` its UTC `recorded_at`) is 1-7 days before the asking day, in
    the diarist's zone, and that a day question's date ("on 14 October") or weekday is its recording's, the
    weekday within the past week; the number of day questions that name one."""
    now = script.ASKED_NOW.astimezone(ZoneInfo(script.ASKED_TZ)).date()
    name_of_month, number = month
    named = 0
    for name, want in metrics.truth(split).items():
        day = day_of(script.recording(name).recorded_at)
        assert dt.timedelta(days=1) <= now - day <= dt.timedelta(days=7)
        for qa in want["qa"]:
            if not qa.get("day"):
                continue
            q = qa["question"].lower()
            if m := re.search(rf"\b(\d{{1,2}}) {name_of_month}\b", q):
                assert int(m.group(1)) == day.day and day.month == number, qa
                named += 1
            if weekday := next((w for w in WEEKDAYS if w in q), None):
                assert WEEKDAYS[day.weekday()] == weekday, qa
                assert now - day < dt.timedelta(days=7), qa  # unambiguous: that weekday of the past week
                named += 1
    return named


def places_on_signs(split: str, script: Any) -> int:
    """Asserts every true place is said or on a sign and on no slide; the number only on a sign."""
    on_sign = 0
    for name, want in metrics.truth(split).items():
        rec = script.recording(name)
        spoken = said(rec).lower()
        shown = [
            (p.screen[0].startswith(testset.SLIDE), " ".join(p.screen).lower()) for p in rec.parts if p.screen
        ]
        signs = [text for slide, text in shown if not slide]
        slides = [text for slide, text in shown if slide]
        for place in want["places"]:
            assert place.lower() in spoken or any(place.lower() in s for s in signs), (name, place)
            assert not any(place.lower() in s for s in slides), (name, place)
            on_sign += place.lower() not in spoken
    return on_sign


def task_owners(split: str, script: Any, non_tasks: Iterable[str]) -> Counter:
    """Asserts every true task is said and owned by a participant or nobody, and that no line holding one of
    `non_tasks` is a true task; the count of tasks with a named owner and with none."""
    owners: Counter = Counter()
    non_tasks = tuple(non_tasks)
    for name, want in metrics.truth(split).items():
        lines = [text for _, _, text in testset.spoken_lines(script.recording(name))]
        for task in want["action_items"]:
            assert any(metrics.same_task(task["text"], line) for line in lines), task
            assert task["owner"] is None or task["owner"] in want["participants"], task
            owners["none" if task["owner"] is None else "named"] += 1
        for non_task in non_tasks:
            for line in lines:
                if non_task in line:
                    assert not any(metrics.same_task(t["text"], line) for t in want["action_items"]), line
    return owners
