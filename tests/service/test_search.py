"""Search and ask on a small indexed library of two owners (word embedder, FAISS and SQLite in the test's
directory): each owner's hits, answers and named speakers come from their own videos only, in every
channel, and the filters (given, or said in the query) narrow what is searched."""

from __future__ import annotations

import pytest

from lifestream.core.errors import RequestError
from lifestream.memory.answers import NOT_FOUND
from lifestream.service import parse_filters
from lifestream.service.asking import MAX_QUERY_CHARS
from tests.service.conftest import A, B, World

MODES = ("hybrid", "dense", "lexical")


def _videos(page) -> set[str]:
    return {h.video_id for h in page.hits}


@pytest.mark.parametrize("mode", MODES)
def test_each_owner_searches_only_their_own_videos(world: World, mode):
    library = world.library
    query = "rocket launch compost"  # words of A's two videos and of B's one
    mine = library.search_page(A, query, top_k=20, mode=mode)
    theirs = library.search_page(B, query, top_k=20, mode=mode)
    assert mine.mode == mode and mine.found and theirs.found
    assert _videos(mine) == {world.a_launch.video_id, world.a_garden.video_id}
    assert _videos(theirs) == {world.b_launch.video_id}
    # Folded hits carry other moments: those are the owner's too.
    assert {s.video_id for h in theirs.hits for s in h.supporting} <= {world.b_launch.video_id}


@pytest.mark.parametrize("mode", MODES)
def test_naming_another_owners_video_finds_nothing(world: World, mode):
    filters = parse_filters(video_id=world.a_launch.video_id)
    page = world.library.search_page(B, "rocket launch", filters=filters, mode=mode)
    assert page.hits == [] and not page.found
    # The same filter is A's own video to A.
    assert _videos(world.library.search_page(A, "rocket launch", filters=filters, mode=mode)) == {
        world.a_launch.video_id
    }


@pytest.mark.parametrize("mode", MODES)
def test_filters_narrow_the_owners_search_in_every_channel(world: World, mode):
    library, query = world.library, "rocket launch compost tomatoes pad"

    def search(owner, **filters):
        return library.search_page(owner, query, top_k=20, mode=mode, filters=parse_filters(**filters))

    since_may = search(A, date_from="2026-05-01")
    assert _videos(since_may) == {world.a_launch.video_id}
    assert all(h.recorded_date >= "2026-05-01" for h in since_may.hits)
    april = search(A, date_to="2026-04-30")
    assert _videos(april) == {world.a_garden.video_id}
    priya = search(A, speaker="Priya")
    assert priya.hits and all("Priya" in h.speakers for h in priya.hits)
    actions = search(A, chunk_type="action_item")
    assert [(h.video_id, h.chunk_type) for h in actions.hits] == [(world.a_launch.video_id, "action_item")]
    assert actions.hits[0].text.startswith("Action item: Book the launch pad")
    # B has labelled speakers but no action items and no Priya: nothing of A's leaks in to fill the page.
    assert search(B, speaker="Priya").hits == []
    assert search(B, chunk_type="action_item").hits == []


def test_a_date_said_in_the_query_is_a_filter_in_the_users_zone(world: World):
    # The library's clock says 2026-05-03 (UTC): "yesterday" is the launch day, not the garden's.
    page = world.library.search_page(A, "rocket compost yesterday", top_k=20)
    assert (page.date_from, page.date_to) == ("2026-05-02", "2026-05-02") and page.searching
    assert page.query == "rocket compost"
    assert _videos(page) == {world.a_launch.video_id}
    # Dates given as filters win over the words.
    given = world.library.search_page(
        A, "rocket compost yesterday", top_k=20, filters=parse_filters(date_to="2026-04-30")
    )
    assert given.date_from is None and given.searching is None
    assert _videos(given) == {world.a_garden.video_id}


def test_a_named_speaker_is_boosted_only_among_the_owners_speakers(world: World):
    assert world.library.search_page(A, "what did Priya buy", top_k=10).speakers == ["Priya"]
    theirs = world.library.search_page(B, "what did Priya buy", top_k=10)
    assert theirs.speakers == [] and _videos(theirs) <= {world.b_launch.video_id}


def test_an_owner_asks_over_their_own_videos(world: World):
    answer = world.library.ask(A, "When do we launch the rocket?")
    assert answer.grounded and answer.text != NOT_FOUND
    cited = [c.video_id for c in answer.citations]
    assert cited[0] == world.a_launch.video_id
    assert set(cited) <= {world.a_launch.video_id, world.a_garden.video_id}
    assert all(c.quote and c.end >= c.start for c in answer.citations)
    assert "Friday" in answer.citations[0].quote and answer.citations[0].label in answer.text


def test_an_answer_never_comes_from_another_owners_videos(world: World):
    # Only A's garden walk speaks of tomatoes and a watering can. (Not "Where is the watering can?": "Buy
    # compost and a watering can" says no place, so it answers no "where".)
    question = "What do I need to buy for the tomatoes?"
    assert {c.video_id for c in world.library.ask(A, question).citations} == {world.a_garden.video_id}
    answer = world.library.ask(B, question)
    assert answer.text == NOT_FOUND and not answer.grounded and answer.citations == []


def test_asking_about_yesterday_searches_that_day(world: World):
    # Without the date, the rocket in the shed of A's garden walk (2026-04-20) is found too (and, as the
    # sentence that answers best, it is what the answer quotes).
    anytime = world.library.search(A, "Where is the rocket?")
    assert {h.video_id for h in anytime} >= {world.a_launch.video_id, world.a_garden.video_id}
    assert world.library.ask(A, "Where is the rocket?").citations[0].video_id == world.a_garden.video_id
    answer = world.library.ask(A, "Where was the rocket yesterday?")
    assert answer.searching and "2026-05-02" in answer.searching
    assert answer.citations and {c.video_id for c in answer.citations} == {world.a_launch.video_id}


def test_memory_is_per_owner(world: World):
    assert world.library.has_memory(A) and world.library.has_memory(B)
    assert not world.library.has_memory("carol-sub-3")
    assert world.library.search_page("carol-sub-3", "rocket launch compost").hits == []


@pytest.mark.parametrize(
    "query",
    ["", "   ", "x" * (MAX_QUERY_CHARS + 1), "rocket\x00launch"],
    ids=["empty", "blank", "long", "nul"],
)
def test_a_bad_query_or_question_is_refused_naming_its_field(shelf, query):
    with pytest.raises(RequestError) as search:
        shelf.library.search_page(A, query)
    with pytest.raises(RequestError) as ask:
        shelf.library.ask(A, query)
    assert (search.value.field, ask.value.field) == ("q", "question")


def test_an_unknown_mode_is_refused_naming_mode(world: World):
    for call in (world.library.search_page, world.library.ask):
        with pytest.raises(RequestError) as caught:
            call(A, "rocket", mode="fuzzy")
        assert caught.value.field == "mode"


def test_a_top_k_below_one_is_refused_naming_top_k(world: World):
    with pytest.raises(RequestError) as caught:
        world.library.search_page(A, "rocket", top_k=0)
    assert caught.value.field == "top_k"
