"""Salient words of a text, shared by extractive summaries and extractive answers."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just let lets let's me more most my myself no nor not now of off
on once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves i'm i'll we'll you'll it's that's okay ok
yeah yes um uh oh well also really going get got go like know think one two right thing things
""".split()
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 2]


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# Words that place something in time, never a name, a place or a topic.
TIME_WORDS = (
    "today", "tomorrow", "tonight", "yesterday", *WEEKDAYS, *MONTHS,
    "morning", "afternoon", "evening", "weekend", "next", "last", "week", "month", "year",
)  # fmt: skip


def stem(word: str) -> str:
    """A word without a plural, -ed or -ing ending ("booked", "booking", "books" -> "book"): enough for
    matching a question's words to a text's; the full-text engines stem properly."""
    for suffix in ("ings", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


# Where one sentence ends and the next begins, in recognised speech and in summaries: after . ! or ?.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def normalized(text: str) -> str:
    """The text's words, casefolded, one space apart: for "is this the same text" comparisons."""
    return " ".join(re.findall(r"\w+", text.casefold()))


# Diarization labels ("Speaker 1", "SPEAKER_00", "spk2", OpenAI's "Speaker A") and placeholders: a voice,
# not yet a name. Here (not in understand/) because answers, in memory/, tell a named voice from a label too.
_LABEL = re.compile(
    r"^(?:(?:speaker|spk|voice|unknown)(?:[\s_\-]*\d+|\s[A-Z])?|group|everyone|team|narrator)$", re.IGNORECASE
)


def is_label(speaker: str | None) -> bool:
    """True for a diarization label or placeholder, which names no one."""
    return not speaker or bool(_LABEL.match(speaker.strip()))


# "Can you send …?", "could you please book …?": a request. Asking someone to hear, see or tell is a question
# to them, not a request to act ("Omar, can you hear us?"). Here because the diary's tasks
# (understand/summarize/tasks.py) and the answers (memory/answer_kinds.py) read it alike.
REQUEST = re.compile(r"\b(?:can|could|would|will) you (?:please )?(?P<rest>.+)", re.IGNORECASE)
NOT_REQUEST_VERBS = frozenset(
    "hear see tell say believe imagine guess think feel understand hold wait speak talk help".split()
)


def request_verb(sentence: str) -> str | None:
    """The verb a sentence asks someone to act with ("Could you bring your chairs?" -> "bring"), or None."""
    m = REQUEST.search(sentence)
    verb = m.group("rest").split()[0].lower().strip(",.?!") if m and m.group("rest").split() else ""
    return verb if verb and verb not in NOT_REQUEST_VERBS else None


# A name said to someone at the start of a sentence ("Maya, what …", "Hi Uncle Omar, …", "Yes, Sam, …"): who
# a sentence is addressed to. Here because the diary's names (understand/summarize/names.py) and the
# answers (memory/answers.py: a sentence said to Omar tells nothing about Omar) read it alike.
ADDRESS = re.compile(
    r"(?:^|[.!?]\s+)(?:(?i:hi|hello|hey|yes|okay|ok|so|well|and|bye|thanks|thank you),?\s+)?"
    r"(?P<title>(?i:uncle|aunt|auntie|grandma|grandpa|doctor|dr|mr|mrs|ms)\.?\s+)?"
    r"(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s*,"
)
