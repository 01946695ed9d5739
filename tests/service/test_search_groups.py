"""Search shows what was found apart from what is merely related (issue 19, section 4): each hit is held
to the calibrated thresholds that decide `found` for ask, by its own evidence."""

from __future__ import annotations

import pytest

from tests.service.conftest import A, B, World


@pytest.fixture
def dimension() -> int:
    # Wide: a moment that holds none of the query's words must not pass "found" by a chance cosine.
    return 256


# Not "dense" alone: the tests' word embedder is no calibrated model (its cosines mean little on their own).
@pytest.mark.parametrize("mode", ["hybrid", "lexical"])
def test_a_one_word_query_flags_only_the_moments_that_hold_it(world: World, mode):
    page = world.library.search_page(A, "compost", top_k=20, mode=mode)
    assert page.found
    found = [h for h in page.hits if h.found]
    related = [h for h in page.hits if not h.found]
    assert found and all("compost" in h.text.lower() for h in found)
    assert {h.video_id for h in found} == {world.a_garden.video_id}
    if mode == "hybrid":  # lexical hits all hold the word; hybrid lists related moments too
        assert related and all("compost" not in h.text.lower() for h in related)


def test_nothing_is_found_when_the_search_found_nothing(world: World):
    page = world.library.search_page(B, "zeppelin airship blimp rocket", top_k=20, mode="lexical")
    assert page.hits and not page.found and not any(h.found for h in page.hits)
