"""The words that ask for a kind of answer ("how many", "what date") are not what a question is about: no
moment says them. Counted as content, they held "How many dolphins did I spot?" to a third of its words
against the moment that answers it ("… a pod of dolphins off the cliffs, six or seven of them"), under the
calibrated bar, and ask said nothing was found (bench/quality dev3)."""

from __future__ import annotations

import pytest

from lifestream.core.models import SearchResult
from lifestream.memory.answer_kinds import form_words
from lifestream.memory.calibration import calibration_for, coverage

DOLPHINS = "Just saw a pod of dolphins off the cliffs, six or seven of them."


def _hit(text: str) -> SearchResult:
    return SearchResult(id="h", video_id="v", start=0, end=5, score=1.0, text=text, chunk_type="transcript")


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("How many dolphins did I spot?", {"many"}),
        ("how much was the pastry", {"much"}),
        ("What date is the outing with Gran?", {"date"}),
        ("Which day will the water be turned off?", {"day"}),
        ("By when is the report due?", set()),
        ("What did the day look like?", set()),  # "day" past the opening is what it is about
        ("Who spotted the dolphins?", set()),
    ],
)
def test_form_words_are_the_opening_that_asks_for_a_number_or_a_time(question, form):
    assert form_words(question) == form


def test_a_count_question_is_covered_by_the_moment_that_holds_its_words():
    thresholds = calibration_for("all-MiniLM-L6-v2").for_mode("hybrid")
    cover = coverage("How many dolphins did I spot?", [_hit(DOLPHINS)])
    assert cover == pytest.approx(0.5)  # dolphins of {dolphins, spot}; "many" asks, it is not asked about
    assert thresholds.found(dense_top=0.30, coverage=cover)


def test_words_past_the_opening_still_count():
    # "day" here is what the question is about: a moment without it covers less.
    cover = coverage("What did the day at the beach look like?", [_hit("The beach was empty.")])
    assert cover == pytest.approx(1 / 3)
