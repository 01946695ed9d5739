"""The quality bench's owner counts: a wrong owner on a true task is told apart from an owner put on an item
that matches no true task (a remark taken for a task, or a task the recogniser misheard)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "quality"))

import metrics

WANT = {
    "participants": ["Nora", "Tom"],
    "action_items": [
        {"text": "Nora will water my plants while I'm away", "owner": "Nora"},
        {"text": "send the figures by Thursday", "owner": "Tom"},
    ],
}


def _diary(*items: tuple[str, str | None]) -> dict:
    return {"blocks": [{"action_items": [{"text": t, "owner": o} for t, o in items]}]}


def test_a_right_owner_is_not_counted():
    score = metrics.score_diary("r", _diary(("Tom, can you send the figures by Thursday?", "Tom")), WANT)
    assert (score.owners_wrong, score.owners_on_no_task) == (0, 0)


def test_a_wrong_owner_on_a_true_task_is_wrong_but_on_a_task():
    score = metrics.score_diary("r", _diary(("Tom, can you send the figures by Thursday?", "Nora")), WANT)
    assert (score.owners_wrong, score.owners_on_no_task) == (1, 0)


def test_an_owner_on_no_true_task_is_wrong_and_counted_apart():
    score = metrics.score_diary("r", _diary(("Hang on, I'll put you on speaker.", "Tom")), WANT)
    assert (score.owners_wrong, score.owners_on_no_task) == (1, 1)
    figures = score.figures()
    assert figures["wrong owners"] == 1.0 and figures["wrong owners on no true task"] == 1.0
    assert set(metrics.COUNTS) <= set(figures)


def test_no_owner_is_never_wrong():
    score = metrics.score_diary("r", _diary(("Hang on, I'll put you on speaker.", None)), WANT)
    assert (score.owners_wrong, score.owners_on_no_task) == (0, 0)
