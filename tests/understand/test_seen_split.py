"""The `seen` split (v1, the first held-out split, now development material: issue 19, section 5): its script
and truth hang together and it shares nothing with the older development split. No media is built here
(bench/quality/testset_build.py does that at bench time) and nothing is scored. The held-out test split is
v2: tests/understand/test_test_split_v2.py. That every answer points at a part of its recording is checked
here for dev2 and dev3 too."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

QUALITY = Path(__file__).resolve().parents[2] / "bench" / "quality"
sys.path.insert(0, str(QUALITY))

import metrics
import testset

from bench.retrieval.corpus import DEV, truth_spans
from bench.retrieval.corpus_test import SEEN as TEST


@pytest.mark.parametrize("split", ["seen", "dev2", "dev3"])
def test_every_answer_points_at_a_part_of_its_recording(split):
    import testset_build

    script = testset_build.script(split)
    truth = metrics.truth(split)
    assert set(truth) == {r.name for r in script.RECORDINGS}
    for name, want in truth.items():
        keys = {p.key for p in script.recording(name).parts}
        for qa in want["qa"]:
            assert qa.get("day") or set(qa["at"]) <= keys, qa
            assert qa.get("expect") or qa.get("expect_all"), qa


def test_the_questions_cover_the_kinds_the_issue_names():
    kinds = Counter(kind for _, _, kind in TEST.questions)
    assert len(TEST.questions) >= 40
    for kind in ("who", "when", "where", "how many", "day", "notfound"):
        assert kinds[kind] >= 4, kinds
    for _, truth, _ in TEST.questions:
        if truth is not None:
            assert truth_spans(truth, TEST.days)


def test_multi_speaker_recordings_with_close_voices_and_short_turns():
    many = [r for r in testset.RECORDINGS if len({who for _, who, _ in testset.spoken_lines(r)}) >= 3]
    assert len(many) >= 3
    pitch = {name: p for name, (_, p, _) in testset.VOICES.items()}
    assert abs(pitch["Tom"] - pitch["Ravi"]) <= 5 and abs(pitch["Lena"] - pitch["Mia"]) <= 5
    short = [p for r in many for p in r.parts if isinstance(p, testset.Said) and len(p.text.split()) <= 3]
    assert len(short) >= 3
    assert len({r.recorded_at[:10] for r in testset.RECORDINGS}) >= 5
    assert sum(bool(testset.screens(r)) for r in testset.RECORDINGS) >= 3


def test_the_test_split_shares_no_question_and_no_video_with_the_development_split():
    dev_questions = {q.lower() for q, _, _ in DEV.questions}
    dev_questions |= {qa["question"].lower() for want in metrics.truth("dev").values() for qa in want["qa"]}
    assert not dev_questions & {q.lower() for q, _, _ in TEST.questions}
    assert not set(DEV.days) & set(TEST.days)
    assert not set(metrics.truth("dev")) & set(metrics.truth("seen"))
