"""The held-out test split v2 (issue 19, section 5) is what it says, checked without running the pipeline:
its script (bench/quality/testset_v2.py) and its hand-written truth (truth_test_v2.yaml) agree, it has the
material the issue asks for, and it shares no person, day, sentence or question with the development
material (dev and the seen v1 split). No media is built and nothing is scored here."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

QUALITY = Path(__file__).resolve().parents[2] / "bench" / "quality"
sys.path.insert(0, str(QUALITY))

import metrics
import testset
import testset_build
import testset_v2

from bench.retrieval.corpus import DEV, truth_spans
from bench.retrieval.corpus_test import SEEN
from bench.retrieval.corpus_test_v2 import TEST

TRUTH = metrics.truth("test")
STOP = set(
    "a an the what who whom when where which how many much did do does i my me we our is are was were to of on "
    "in at for with about from by have has had go went say said".split()
)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]+(?:['.\-][A-Za-z0-9]+)*", text)}


def _part_text(part) -> str:
    said = part.text if isinstance(part, testset.Said) else " ".join(t for _, t in part.lines)
    return " ".join([said, *(line.removeprefix(testset.SLIDE) for line in part.screen)])


def _speakers(part) -> set[str]:
    return {part.speaker} if isinstance(part, testset.Said) else {who for who, _ in part.lines}


def _voices(rec) -> set[str]:
    return {who for part in rec.parts for who in _speakers(part)}


def _named(rec) -> set[str]:
    return {who for who in _voices(rec) if who[:1].isupper()}


def test_the_truth_is_the_scripts_recordings():
    assert set(TRUTH) == {r.name for r in testset_v2.RECORDINGS}
    assert metrics.TRUTH_FILES["test"].name == "truth_test_v2.yaml"
    assert testset_build.SCRIPTS["test"] == "testset_v2"


def test_every_answer_is_said_or_shown_where_the_truth_points():
    for name, want in TRUTH.items():
        rec = testset_v2.recording(name)
        parts = {p.key: p for p in rec.parts}
        for qa in want["qa"]:
            assert qa.get("expect") or qa.get("expect_all"), qa
            if qa.get("day"):
                whole = " ".join(_part_text(p) for p in rec.parts) + " " + name.replace("_", " ")
                for person in qa.get("expect_all", []):
                    assert person in _named(rec), (qa, person)
                assert any(w.lower() in whole.lower() for w in qa.get("expect", [])) or qa.get("expect_all"), qa
                continue
            assert set(qa["at"]) <= set(parts), qa
            shown = " ".join(_part_text(parts[k]) for k in qa["at"])
            # A "who" answer is a voice's name: said in the part, or the speaker of one of the parts.
            people = set().union(*(_speakers(parts[k]) for k in qa["at"]))
            assert any(w.lower() in shown.lower() or w in people for w in qa["expect"]), qa


def test_every_name_in_the_truth_belongs_to_a_voice_with_evidence_in_the_script():
    for name, want in TRUTH.items():
        rec = testset_v2.recording(name)
        assert set(want["participants"]) == _named(rec), name
        lines = [(who, text) for _, who, text in testset_v2.spoken_lines(rec)]
        for person in want["participants"]:
            own = [i for i, (who, _) in enumerate(lines) if who == person]
            introduced = any(person in lines[i][1] for i in own)
            # Addressed by name ("Noor, …") by someone else, and speaking next.
            answered = any(i > 0 and lines[i - 1][0] != person and person in lines[i - 1][1] for i in own)
            assert introduced or answered, (name, person)
        for task in want["action_items"]:
            assert task["owner"] is None or task["owner"] in want["participants"], task
            assert any(metrics.same_task(task["text"], text, share=1.0) for _, text in lines), task
        for place in want["places"]:
            assert any(place.lower() in text.lower() for _, text in lines), place


def test_tasks_are_said_by_different_people_and_given_by_name():
    owners = [t["owner"] for want in TRUTH.values() for t in want["action_items"] if t["owner"]]
    assert len(set(owners)) >= 5
    given = [
        text
        for rec in testset_v2.RECORDINGS
        for _, who, text in testset_v2.spoken_lines(rec)
        if re.match(r"^[A-Z][a-z]+, (can|could|would|please)\b", text)
    ]
    assert len(given) >= 5, given


def test_nothing_questions_have_no_answer_in_any_recording():
    said = set().union(*(_words(_part_text(p)) for r in testset_v2.RECORDINGS for p in r.parts))
    dates = {r.recorded_at[:10] for r in testset_v2.RECORDINGS}
    assert len(metrics.nothing_questions("test")) >= 8
    for question in metrics.nothing_questions("test"):
        topic = _words(question) - STOP - said
        assert topic, question  # what it asks about is said nowhere
        day = re.search(r"(\d{1,2}) September", question)
        assert not day or f"2026-09-{int(day.group(1)):02d}" not in dates, question


def test_counts_meet_the_issue():
    many = [r for r in testset_v2.RECORDINGS if len(_voices(r)) >= 3]
    assert len(many) >= 3
    pitch = {name: p for name, (_, p, _) in testset_v2.VOICES.items()}
    close = [
        r.name
        for r in many
        if any(abs(pitch[a] - pitch[b]) <= 3 for a in _voices(r) for b in _voices(r) if a < b and a in pitch and b in pitch)
    ]
    assert len(close) >= 3, close
    real = [r for r in many if len({w for p in r.parts if isinstance(p, testset.Real) for w, _ in p.lines}) >= 2]
    assert real, "a multi-speaker recording with real speech of two or more people"
    short = [p for r in many for p in r.parts if isinstance(p, testset.Said) and len(p.text.split()) <= 3]
    assert len(short) >= 4
    assert len({r.recorded_at[:10] for r in testset_v2.RECORDINGS}) >= 4
    assert sum(bool(testset_v2.screens(r)) for r in testset_v2.RECORDINGS) >= 4
    assert sum(any(p.screen and p.screen[0].startswith(testset.SLIDE) for p in r.parts) for r in testset_v2.RECORDINGS) >= 2
    kinds = Counter(kind for _, _, kind in TEST.questions)
    assert len(TEST.questions) - kinds["notfound"] >= 40
    assert kinds["notfound"] >= 8
    for kind in ("who", "when", "where", "how many", "what", "screen", "day"):
        assert kinds[kind] >= 4, kinds
    for _, truth, _ in TEST.questions:
        if truth is not None:
            assert truth_spans(truth, TEST.days)


def test_v2_shares_no_person_day_sentence_or_question_with_the_development_material():
    old_text = " ".join(
        [text for days in (DEV.days, SEEN.days) for _, _, lines, _ in days.values() for _, _, text in lines]
        + [metrics.TRUTH_FILES["dev"].read_text(), metrics.TRUTH_FILES["seen"].read_text()]
    )
    old_words = _words(old_text)
    people = {p for want in TRUTH.values() for p in want["participants"]}
    assert not {p.lower() for p in people} & old_words
    old_speakers = {who for days in (DEV.days, SEEN.days) for _, _, lines, _ in days.values() for _, who, _ in lines}
    assert not people & old_speakers
    old_dates = {date for days in (DEV.days, SEEN.days) for date, _, _, _ in days.values()}
    assert not old_dates & {date for date, _, _, _ in TEST.days.values()}
    old_lines = {text.lower() for days in (DEV.days, SEEN.days) for _, _, ls, _ in days.values() for _, _, text in ls}
    assert not old_lines & {text.lower() for _, _, ls, _ in TEST.days.values() for _, _, text in ls}
    old_questions = {q.lower() for split in (DEV, SEEN) for q, _, _ in split.questions}
    assert not old_questions & {q.lower() for q, _, _ in TEST.questions}
    assert not set(TEST.days) & (set(DEV.days) | set(SEEN.days))
    v1_sources = {p.source for r in testset.RECORDINGS for p in r.parts if isinstance(p, testset.Real)}
    v2_sources = {p.source for r in testset_v2.RECORDINGS for p in r.parts if isinstance(p, testset.Real)}
    assert v2_sources and not v1_sources & v2_sources
