"""The `dev3` split (new development material): its script (bench/quality/testset_dev3.py) and truth
(truth_dev3.yaml) hang together, it holds what it was written to hold, and it shares nothing with the other
development splits. No media is built and nothing is scored here (bench/quality/testset_build.py builds it at
bench time; bench/quality/run.py --split dev3 scores it)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

QUALITY = Path(__file__).resolve().parents[2] / "bench" / "quality"
sys.path.insert(0, str(QUALITY))

import metrics
import testset
import testset_dev2
import testset_dev3 as script

from bench.retrieval.corpus import DEV, truth_spans
from bench.retrieval.corpus_dev2 import DEV2, local_date
from bench.retrieval.corpus_dev3 import DEV3
from bench.retrieval.corpus_test import SEEN
from tests.support.scripted_split import (
    named_days,
    places_on_signs,
    said,
    speakers,
    spoken_seconds,
    task_owners,
)


def _local_date(recorded_at: str) -> dt.date:
    """A recording's day where the diarist lives (its file's time is UTC)."""
    return dt.date.fromisoformat(local_date(recorded_at, script.ASKED_TZ))


def _questions() -> list[tuple[str, str]]:
    """(question, kind) of every recording, then the questions nothing answers as `notfound`."""
    asked = [(qa["question"], qa["kind"]) for want in metrics.truth("dev3").values() for qa in want["qa"]]
    return asked + [(q, "notfound") for q in metrics.nothing_questions("dev3")]


def test_the_questions_cover_the_kinds_and_point_at_a_part_of_their_recording():
    kinds = Counter(kind for _, kind in _questions())
    assert len(_questions()) >= 45 and kinds["notfound"] >= 10, kinds
    for kind in ("who", "when", "where", "how many", "what", "screen", "day"):
        assert kinds[kind] >= 4, kinds
    truth = metrics.truth("dev3")
    assert set(truth) == {r.name for r in script.RECORDINGS}
    for name, want in truth.items():
        keys = {p.key for p in script.recording(name).parts}
        for qa in want["qa"]:
            assert qa.get("day") or (qa["at"] and set(qa["at"]) <= keys), qa
            assert qa.get("expect") or qa.get("expect_all"), qa
    assert [(q, kind) for q, _, kind in DEV3.questions] == _questions()  # the retrieval eval asks the same
    for _, truth, _ in DEV3.questions:
        if truth is not None:
            assert truth_spans(truth, DEV3.days)
    asked = {q for q, kind in _questions() if kind != "notfound"}
    assert len(asked) == sum(kind != "notfound" for _, kind in _questions())  # no question twice
    assert not asked & set(metrics.nothing_questions("dev3"))


def test_questions_about_a_day_name_the_recordings_own_day_in_the_diarists_zone():
    """"on 14 November", "on Tuesday", "on Saturday morning": the recording's date in Sydney, asked on the
    Monday after; shop_huddle and coastal_walk are a day earlier in UTC (their files' creation_time)."""
    assert script.ASKED_NOW.astimezone(ZoneInfo(script.ASKED_TZ)).weekday() == 0
    assert script.ASKED_TZ != testset_dev2.ASKED_TZ
    named = named_days("dev3", script, _local_date, ("november", 11))
    assert named >= 5
    for name, local in (("shop_huddle", "2026-11-10"), ("coastal_walk", "2026-11-14")):
        rec = script.recording(name)
        assert _local_date(rec.recorded_at).isoformat() == local
        assert rec.recorded_at[:10] < local  # the UTC date is the day before
    # The nothing-questions about a day name days with no recording (one is the UTC date of shop_huddle).
    days = {_local_date(r.recorded_at) for r in script.RECORDINGS}
    assert dt.date(2026, 11, 9) not in days and dt.date(2026, 11, 15) not in days
    assert "What did I do on Monday 9 November?" in metrics.nothing_questions("dev3")


def test_five_recordings_on_distinct_november_days_each_under_a_minute():
    assert len(script.RECORDINGS) == 5
    days = {_local_date(r.recorded_at) for r in script.RECORDINGS}
    assert len(days) == 5 and all(d.month == 11 and d.year == 2026 for d in days)
    lengths = {rec.name: spoken_seconds(rec, script.VOICES) for rec in script.RECORDINGS}
    assert all(seconds < 60 for seconds in lengths.values()), lengths
    total = sum(lengths.values())
    assert 150 < total < 300


def test_close_voices_short_turns_real_speech_and_one_quiet_day():
    many = [r for r in script.RECORDINGS if len(speakers(r)) >= 3]
    assert len(many) >= 3 and all(len(speakers(r)) <= 4 for r in many)
    pitch = {name: p for name, (_, p, _) in script.VOICES.items()}
    for a, b in (("Kofi", "Declan"), ("Siobhan", "Noor"), ("me", "Olu"), ("Femi", "Gus")):
        assert abs(pitch[a] - pitch[b]) <= 3, (a, b)
        assert any({a, b} <= speakers(r) for r in many), (a, b)
    short = [p for r in many for p in r.parts if isinstance(p, testset.Said) and len(p.text.split()) <= 3]
    assert len(short) >= 6
    real = [p for r in script.RECORDINGS for p in r.parts if isinstance(p, testset.Real)]
    assert real and all(p.source.startswith("alsa:") for p in real)
    others = [p for m in (testset, testset_dev2) for r in m.RECORDINGS for p in r.parts]
    used = {p.source for p in others if isinstance(p, testset.Real)}
    assert not used & {p.source for p in real}  # other files of the speaker test than dev2's
    ours = [p for r in script.RECORDINGS for p in r.parts]
    assert set(script.VOICES) == {p.speaker for p in ours if isinstance(p, testset.Said)}
    quiet = [r for r in script.RECORDINGS if len(speakers(r)) == 1]
    assert [r.name for r in quiet] == ["coastal_walk"] and speakers(quiet[0]) == {"me"}


def test_participants_are_the_named_voices_and_only_they():
    """A participant speaks and is named in the recording; a voice never named (lowercase) is none, and
    neither is a person only spoken about or addressed without an answer."""
    forms = Counter()
    for name, want in metrics.truth("dev3").items():
        rec = script.recording(name)
        named = {who for who in speakers(rec) if who[:1].isupper()}
        assert set(want["participants"]) == named, name
        for person in named:
            assert person in said(rec), (name, person)
            own = " ".join(p.text for p in rec.parts if isinstance(p, testset.Said) and p.speaker == person)
            for form, pattern in (
                ("here", rf"{person} here"), ("i'm from", rf"I'm {person} from"),
                ("speaking", rf"{person} speaking"), ("my name's", rf"my name's {person}"),
                ("it's from", rf"it's {person} from"), ("i'm", rf"I'm {person},"),
            ):  # fmt: skip
                if re.search(pattern, own):
                    forms[form] += 1
            if not re.search(rf"\b{person}\b", own):
                forms["addressed"] += 1
    assert set(forms) == {"here", "i'm from", "speaking", "my name's", "it's from", "i'm", "addressed"}, forms
    assert forms["addressed"] >= 4
    only_talked_about = ("Hamish", "Ruth", "Mirela", "Petra")
    assert all(any(p in said(r) for r in script.RECORDINGS) for p in only_talked_about)
    assert not set(only_talked_about) & {p for w in metrics.truth("dev3").values() for p in w["participants"]}
    ruth = script.recording("call_with_gran")
    after = [p.speaker for p in ruth.parts]
    i = next(i for i, p in enumerate(ruth.parts) if "Ruth?" in p.text)
    assert after[i + 1] != "Ruth"  # addressed, and no answer


def test_tasks_are_said_and_owned_by_a_participant_or_nobody():
    non_tasks = (
        "let's get going", "let's begin", "already", "I wish", "cash float", "put you on speaker",
        "hit the snare", "repairs will wait",
    )  # fmt: skip
    owners = task_owners("dev3", script, non_tasks)
    assert owners["named"] >= 6 and owners["none"] >= 4


def test_places_are_said_or_on_a_sign_and_slides_name_none():
    on_sign = places_on_signs("dev3", script)
    assert on_sign >= 2
    assert sum(bool(testset.screens(r)) for r in script.RECORDINGS) >= 4  # the call with Gran shows nothing


@pytest.mark.parametrize("other", ["dev", "seen", "dev2"])
def test_dev3_shares_no_question_day_name_or_place_with_another_development_split(other):
    corpus = {"dev": DEV, "seen": SEEN, "dev2": DEV2}[other]
    theirs = {q.lower() for q, _, _ in corpus.questions}
    theirs |= {qa["question"].lower() for want in metrics.truth(other).values() for qa in want["qa"]}
    theirs |= {q.lower() for q in metrics.nothing_questions(other)}
    assert not theirs & {q.lower() for q, _ in _questions()}
    assert not set(corpus.days) & set(metrics.truth("dev3"))
    dates = {date for date, *_ in corpus.days.values()}
    assert not dates & {_local_date(r.recorded_at).isoformat() for r in script.RECORDINGS}
    their_truth = metrics.truth(other)
    people = {p for w in their_truth.values() for p in w.get("participants", [])}
    places = {p.lower() for w in their_truth.values() for p in w.get("places", [])}
    ours = metrics.truth("dev3")
    assert not people & {p for w in ours.values() for p in w["participants"]}
    assert not places & {p.lower() for w in ours.values() for p in w["places"]}


def test_the_benches_know_the_split():
    import testset_build

    assert testset_build.SCRIPTS["dev3"] == "testset_dev3"
    assert testset_build.OUTS["dev3"].name == "dev3"
    assert metrics.TRUTH_FILES["dev3"].name == "truth_dev3.yaml"
    src = (QUALITY / "run.py").read_text()
    assert '"dev": ("dev", "seen", "dev2", "dev3")' in src and '"dev3": ("dev3",)' in src
    assert 'split == "dev3"' in src and '"dev3", "test")' in src
    assert '"dev3"' in (QUALITY / "speakers.py").read_text()
    retrieval = (QUALITY.parent / "retrieval" / "run.py").read_text()
    assert '"dev3": [DEV3]' in retrieval and "for split in (DEV, SEEN, DEV2, DEV3)" in retrieval
    assert {name: day[0] for name, day in DEV3.days.items()} == {
        r.name: _local_date(r.recorded_at).isoformat() for r in script.RECORDINGS
    }


def test_a_place_seen_on_a_sign_counts_as_a_place_of_the_recording():
    # The truth counts a sign that names a place though nobody says it; the diary says it was seen.
    blocks = [
        {"location": "Mentioned: Parramatta; seen: Wattle Court"},
        {"location": "Seen: Bottlebrush Hotel"},
        {"location": "Not mentioned"},
    ]
    assert metrics._places(blocks) == {"parramatta", "wattle court", "bottlebrush hotel"}
