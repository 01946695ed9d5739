"""The `dev2` split (development material written to find issue 19's failure classes): its script
(bench/quality/testset_dev2.py) and truth (truth_dev2.yaml) hang together, it holds what it was written to hold,
and it shares nothing with the other development splits. No media is built and nothing is scored here
(bench/quality/testset_build.py builds it at bench time; bench/quality/run.py --split dev2 scores it)."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

QUALITY = Path(__file__).resolve().parents[2] / "bench" / "quality"
sys.path.insert(0, str(QUALITY))

import metrics
import testset
import testset_dev2 as script

from bench.retrieval.corpus import DEV, truth_spans
from bench.retrieval.corpus_dev2 import DEV2, local_date
from bench.retrieval.corpus_test import SEEN
from tests.support.scripted_split import (
    named_days,
    places_on_signs,
    said,
    speakers,
    spoken_seconds,
    task_owners,
)


def test_the_questions_cover_the_kinds_the_issue_names():
    kinds = Counter(kind for _, _, kind in DEV2.questions)
    assert len(DEV2.questions) >= 40 and kinds["notfound"] >= 8, kinds
    for kind in ("who", "when", "where", "how many", "what", "screen", "day"):
        assert kinds[kind] >= 4, kinds
    for _, truth, _ in DEV2.questions:
        if truth is not None:
            assert truth_spans(truth, DEV2.days)
    asked = {q for q, truth, _ in DEV2.questions if truth is not None}
    assert not asked & set(metrics.nothing_questions("dev2"))


def test_questions_about_a_day_name_the_recordings_own_day_in_the_diarists_zone():
    """"on 14 October", "on Tuesday", "last Friday": the recording's date where the diarist lives, asked on
    the Monday after; call_with_mum is Thursday in New York though its file's UTC date is the Friday."""
    import datetime as dt

    named = named_days("dev2", script, lambda at: dt.date.fromisoformat(local_date(at)), ("october", 10))
    assert named >= 5
    assert local_date(script.recording("call_with_mum").recorded_at) == "2026-10-15"
    assert script.recording("call_with_mum").recorded_at.startswith("2026-10-16")


def test_six_recordings_on_distinct_october_days_each_under_a_minute():
    assert len(script.RECORDINGS) == 6
    days = {local_date(r.recorded_at) for r in script.RECORDINGS}
    assert len(days) == 6 and all(d.startswith("2026-10-") for d in days)
    lengths = {rec.name: spoken_seconds(rec, script.VOICES) for rec in script.RECORDINGS}
    assert all(seconds < 60 for seconds in lengths.values()), lengths
    total = sum(lengths.values())
    assert 150 < total < 300


def test_close_voices_short_turns_and_real_speech_from_a_new_package():
    many = [r for r in script.RECORDINGS if len(speakers(r)) >= 3]
    assert len(many) >= 3 and all(len(speakers(r)) <= 4 for r in many)
    pitch = {name: (variant.split("+")[-1], p) for name, (variant, p, _) in script.VOICES.items()}
    for a, b in (("Nadia", "Grace"), ("Victor", "intern"), ("Rosa", "Laura"), ("me", "Martin")):
        assert abs(pitch[a][1] - pitch[b][1]) <= 3, (a, b)
        assert any({a, b} <= speakers(r) for r in many), (a, b)
    short = [p for r in many for p in r.parts if isinstance(p, testset.Said) and len(p.text.split()) <= 3]
    assert len(short) >= 5
    real = [p for r in script.RECORDINGS for p in r.parts if isinstance(p, testset.Real)]
    assert real and all(p.source.startswith("alsa:") for p in real)  # alsa-utils: no other split uses it
    assert not {p.source for r in testset.RECORDINGS for p in r.parts if isinstance(p, testset.Real)} & {
        p.source for p in real
    }
    assert set(script.VOICES) == {p.speaker for r in script.RECORDINGS for p in r.parts if isinstance(p, testset.Said)}


def test_participants_are_the_named_voices_and_only_they():
    """A participant speaks and is named in the recording; a voice never named (lowercase) is none, and
    neither is a person only spoken about."""
    forms = Counter()
    for name, want in metrics.truth("dev2").items():
        rec = script.recording(name)
        named = {who for who in speakers(rec) if who[:1].isupper()}
        assert set(want["participants"]) == named, name
        for person in named:
            assert person in said(rec), (name, person)
            own = " ".join(p.text for p in rec.parts if isinstance(p, testset.Said) and p.speaker == person)
            for form, pattern in (
                ("my name is", rf"my name is {person}"), ("here", rf"{person} here"), ("i'm", rf"I'm {person}"),
                ("this is", rf"this is {person}"), ("speaking", rf"{person} speaking"),
            ):  # fmt: skip
                if re.search(pattern, own):
                    forms[form] += 1
            if not re.search(rf"\b{person}\b", own):
                forms["addressed"] += 1
    assert set(forms) == {"my name is", "here", "i'm", "this is", "speaking", "addressed"}, forms
    spoken_about = ("Tariq", "father")
    assert all(any(p in said(r) for r in script.RECORDINGS) for p in spoken_about)
    assert not {"Tariq", "Dad"} & {p for w in metrics.truth("dev2").values() for p in w["participants"]}


def test_tasks_are_said_and_owned_by_a_participant_or_nobody():
    non_tasks = ("let's start", "Maybe we could", "already fixed", "should have", "I wish", "chop")
    owners = task_owners("dev2", script, non_tasks)
    assert owners["named"] >= 6 and owners["none"] >= 4


def test_places_are_said_or_on_a_sign_and_slides_name_none():
    on_sign = places_on_signs("dev2", script)
    assert on_sign >= 1
    assert sum(bool(testset.screens(r)) for r in script.RECORDINGS) >= 5


def test_dev2_shares_no_question_day_or_recording_with_the_other_development_splits():
    others = {q.lower() for q, _, _ in DEV.questions + SEEN.questions}
    for split in ("dev", "seen"):
        others |= {qa["question"].lower() for want in metrics.truth(split).values() for qa in want["qa"]}
    assert not others & {q.lower() for q, _, _ in DEV2.questions}
    assert not (set(DEV.days) | set(SEEN.days)) & set(DEV2.days)
    dates = {date for date, *_ in list(DEV.days.values()) + list(SEEN.days.values())}
    assert not dates & {date for date, *_ in DEV2.days.values()}


def test_the_benches_know_the_split():
    import testset_build

    assert testset_build.SCRIPTS["dev2"] == "testset_dev2"
    assert metrics.TRUTH_FILES["dev2"].name == "truth_dev2.yaml"
    src = (QUALITY / "run.py").read_text()
    assert '"dev": ("dev", "seen", "dev2"' in src  # and dev3 after it and '"dev2": ("dev2",)' in src
    assert '"dev2"' in (QUALITY / "speakers.py").read_text()
