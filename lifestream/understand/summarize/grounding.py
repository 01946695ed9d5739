"""Grounding: what a language model says about a block is kept only if the evidence says it too.

Small local models invent names ("Hello?" as a speaker), places and owners. Every name, place, time or task
text they return is matched against the transcript and the on-screen text (normalized, then fuzzy, so
"New Jersey" matches "new jersey," and a task may be lightly rephrased); what cannot be traced is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from lifestream.core.text import MONTHS, SENTENCE_END, STOPWORDS, WEEKDAYS
from lifestream.understand.summarize.gazetteer import names_a_place

try:
    from rapidfuzz import fuzz
except ImportError:  # the cloud worker's bundle has no rapidfuzz; difflib gives the same verdicts, slower
    fuzz = None

# Words a model returns as "names" that are not names of people.
NOT_NAMES = frozenset(
    [
        "hello",
        "hi",
        "hey",
        "yes",
        "no",
        "okay",
        "ok",
        "yeah",
        "well",
        "thanks",
        "thank",
        "speaker",
        "unknown",
        "none",
        "null",
        "everyone",
        "everybody",
        "someone",
        "somebody",
        "group",
        "team",
        "user",
        "narrator",
        "host",
        "guest",
        "person",
        "people",
        "man",
        "woman",
        "sir",
        "madam",
        "mister",
        "miss",
        "mr",
        "mrs",
        "ms",
        "today",
        "tomorrow",
        "yesterday",
        "morning",
        "evening",
        "tonight",
        *WEEKDAYS,
        *MONTHS,
    ]
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[:.,]\d+)*")
NAME_SCORE = 90.0  # names and places: near-exact (spelling variants, punctuation)
TASK_SCORE = 80.0  # a task may be rephrased a little, not invented


def _partial_ratio(needle: str, haystack: str) -> float:
    """Best similarity (0-100) of `needle` to any stretch of `haystack` as long as it, in words."""
    if fuzz is not None:
        return fuzz.partial_ratio(needle, haystack)
    from difflib import SequenceMatcher

    n, words_ = len(needle.split()), haystack.split()
    windows = [" ".join(words_[i : i + n]) for i in range(max(1, len(words_) - n + 1))]
    return max((SequenceMatcher(None, needle, w).ratio() * 100 for w in windows), default=0.0)


def _token_set_ratio(a: str, b: str) -> float:
    if fuzz is not None:
        return fuzz.token_set_ratio(a, b)
    from difflib import SequenceMatcher

    sa, sb = set(a.split()), set(b.split())
    common = " ".join(sorted(sa & sb))
    rest_a, rest_b = " ".join(sorted(sa - sb)), " ".join(sorted(sb - sa))
    pairs = [(common, f"{common} {rest_a}".strip()), (common, f"{common} {rest_b}".strip())]
    pairs.append((f"{common} {rest_a}".strip(), f"{common} {rest_b}".strip()))
    return max(SequenceMatcher(None, x, y).ratio() * 100 for x, y in pairs if x or y) if (sa or sb) else 0.0


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(_WORD.findall(text))


class Evidence:
    """The text a block's claims are checked against."""

    def __init__(self, texts: Iterable[str]):
        self.texts = [t for t in texts if t and t.strip()]
        self.normalized = normalize(" \n ".join(self.texts))
        self.words = set(self.normalized.split())

    def contains(self, phrase: str, score: float = NAME_SCORE) -> bool:
        """The phrase appears in the evidence: as whole words, or (fuzzy) within a stretch of it."""
        needle = normalize(phrase)
        if not needle:
            return False
        if f" {needle} " in f" {self.normalized} ":
            return True
        if len(needle) < 4:
            return False  # fuzzy matching of very short strings matches almost anything
        return _partial_ratio(needle, self.normalized) >= score

    def best_sentence(self, phrase: str, sentences: list[str]) -> tuple[int, float]:
        """Index of the sentence that best supports `phrase`, and the score (0-100)."""
        needle = normalize(phrase)
        best, best_score = -1, 0.0
        for i, sentence in enumerate(sentences):
            s = _token_set_ratio(needle, normalize(sentence))
            if s > best_score:
                best, best_score = i, s
        return best, best_score


def grounded_name(name: str | None, evidence: Evidence) -> str | None:
    """A person's name as the model gave it, if it looks like a name and is said in the evidence."""
    if not name:
        return None
    name = name.strip().strip(".,!?:;\"'")
    tokens = name.split()
    if not tokens or len(tokens) > 4:
        return None
    for token in tokens:
        bare = normalize(token)
        if not bare or not token[0].isupper() or bare in NOT_NAMES or bare in STOPWORDS:
            return None
        if not bare.replace("'", "").isalpha():
            return None
    # Every word of the name must be said (a first name said and a surname invented is not grounded).
    if not all(normalize(t) in evidence.words for t in tokens):
        return None
    return name


def grounded_place(place: str | None, evidence: Evidence) -> str | None:
    if not place:
        return None
    place = place.strip().strip(".,!?:;\"'")
    bare = normalize(place)
    if not bare or bare in {"unknown", "none", "not mentioned", "n a", "null", "here", "there"}:
        return None
    if all(w in STOPWORDS for w in bare.split()):
        return None
    # Said or seen is not enough: a slide's title or a dish's name on screen is no place (issue 19).
    return place if evidence.contains(place) and names_a_place(place) else None


def ungrounded_details(text: str, evidence: Evidence) -> list[str]:
    """Names (capitalised words past a sentence start) and numbers/times in `text` that the evidence lacks."""
    missing = []
    for number in _NUMBER.findall(text):
        if number not in evidence.normalized and normalize(number) not in evidence.normalized:
            missing.append(number)
    for sentence in SENTENCE_END.split(text):
        tokens = sentence.split()
        for token in tokens[1:]:
            word = token.strip(".,!?:;\"'()")
            if (
                word[:1].isupper()
                and normalize(word) not in evidence.words
                and normalize(word) not in STOPWORDS
            ):
                missing.append(word)
    return missing


def grounded_sentences(text: str, evidence: Evidence) -> str:
    """`text` without the sentences that carry an untraceable name, number or time."""
    kept = [s for s in SENTENCE_END.split(text.strip()) if s and not ungrounded_details(s, evidence)]
    return " ".join(kept)
