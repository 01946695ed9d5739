"""How a diary block's `location` states its places: one home for writing it (the extractive summarizer) and
reading it (the day digest, day answers, the quality bench).

- "Mentioned: Lisbon, York": places said in speech, not stated as where the block was;
- "Seen: Wattle Court": places only read on a sign or slide, never said;
- "Mentioned: Lisbon; seen: Wattle Court": both (a place said and seen is listed once, as mentioned);
- anything else a summarizer writes ("Kitchen", from a language model) is where the block was;
- "Not mentioned", "Unknown", …: no place.

A place name never holds ";" (the summarizers take runs of words), so the two lists are split on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

NOT_NAMED = "Not mentioned"
MAX_PLACES = 3  # places said, and places only seen, each listed up to this many
_MENTIONED = "mentioned:"
_SEEN = "seen:"
# What summarizers write when a block names no place.
_NO_PLACE = {"", "unknown", "none", "n/a", "not mentioned", "not stated", "not identified", "not named"}
_PREPOSITION = re.compile(r"^(?:to|at|in|on|from|into|near|by)\s+", re.IGNORECASE)
_LEAD = re.compile(r"^(?:(?:in|at|to|from|inside|outside|into)\s+)?(?:(?:the|my|our|a|his|her|their)\s+)?")


@dataclass(frozen=True)
class Located:
    """A block's places, as its `location` states them."""

    stated: tuple[str, ...] = ()  # where the block was ("Kitchen")
    said: tuple[str, ...] = ()  # named in speech
    seen: tuple[str, ...] = ()  # read on screen only: a sign names the place, nobody said it

    @property
    def all(self) -> tuple[str, ...]:
        return self.stated + self.said + self.seen

    def __bool__(self) -> bool:
        return bool(self.all)


def place_key(place: str) -> str:
    """What a place is compared by: "at the Riverside Market" and "Riverside Market" are one place."""
    return _LEAD.sub("", place.lower())


def location_text(said: Sequence[str], seen: Sequence[str]) -> str:
    """The `location` of places said and places seen, each listed up to MAX_PLACES (see the module
    docstring)."""
    keys = {place_key(p) for p in said}
    seen = [p for p in seen if place_key(p) not in keys][:MAX_PLACES]
    said = said[:MAX_PLACES]
    if said and seen:
        return f"Mentioned: {', '.join(said)}; seen: {', '.join(seen)}"
    if said:
        return f"Mentioned: {', '.join(said)}"
    if seen:
        return f"Seen: {', '.join(seen)}"
    return NOT_NAMED


def _listed(text: str) -> tuple[str, ...]:
    # "Mentioned: to the garden": the phrase as said; the place is what follows its preposition.
    return tuple(p for p in (_PREPOSITION.sub("", p.strip()) for p in text.split(",")) if p)


def places_of(location: str | None) -> Located:
    """The places a block's `location` states (see the module docstring)."""
    where = (location or "").strip()
    folded = where.casefold()
    if folded in _NO_PLACE or folded.startswith(("not ", "no ")):
        return Located()
    if not folded.startswith((_MENTIONED, _SEEN)):
        return Located(stated=(where,))
    said: tuple[str, ...] = ()
    seen: tuple[str, ...] = ()
    for part in where.split(";"):
        part = part.strip()
        if part.casefold().startswith(_MENTIONED):
            said += _listed(part[len(_MENTIONED) :])
        elif part.casefold().startswith(_SEEN):
            seen += _listed(part[len(_SEEN) :])
    return Located(said=said, seen=seen)
