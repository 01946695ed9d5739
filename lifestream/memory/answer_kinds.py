"""What kind of answer a question wants, and whether a sentence holds one (issue 19, section 2).

The extractive answer scores each retrieved sentence by the question's words and meaning (answers.py). That
alone quotes the sentence that repeats the question best, which is often not the one that answers it: "Where
is Uncle Omar calling from?" matched "Hi Uncle Omar, it's Lena, can you hear us?" (two of its three words)
rather than Omar's "I'm calling from Lisbon"; "What did the slide say?" matched the words spoken beside the
slide, not the slide. So, beside the words:

- a question asks for a kind of answer (who, when, where, how many, why) and a sentence that holds that kind
  of thing (a name, a day or time, a place, a number, a reason) is worth more than one that only repeats the
  question;
- a question about what was shown (a slide, a sign, the screen) is answered by what was read on screen;
- a sentence said *to* a person ("Omar, …", "Hi Uncle Omar, …") is no evidence about that person: the name
  it opens with does not count as a word of the question it shares.

Plain patterns over English words: no model, and nothing that needs the diary's gazetteer (memory sits
below understand).
"""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from lifestream.core.text import ADDRESS, MONTHS, STOPWORDS, WEEKDAYS, request_verb, words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lifestream.core.models import SearchResult

# Added to what was read on screen when the question asks what a slide or sign showed (on top of the score of
# what was said while it was shown, `screen_first`): the spoken sentence then falls below the share of the
# best that answers.py quotes, while a text shown at another moment, scored on its own words, does not overtake
# a sentence that answers.
SCREEN_BONUS = 0.5
# The share of its score a sign or slide keeps for a question of a kind (who, when, …) it holds no answer of.
SCREEN_SHARE = 0.6

# "What did the slide say?", "Which platform did the sign show?": asked of what was read on screen.
_SHOWN = re.compile(
    r"\b(?:slides?|screens?|boards?|whiteboard|banner|placard|displayed|display|shown|showed|"
    r"written|caption|subtitles?|menu board)\b|"
    # A sign, not the verb: "Where do I sign up?", "I need to sign the lease" ask of no sign.
    r"(?<!\bI )(?<!\bwe )(?<!\byou )(?<!\bto )(?<!\bplease )\bsigns?\b(?!\s+(?:up|in|off|out|for)\b)",
    re.IGNORECASE,
)
# "Which suburb was …?", "What pub did …?": a place asked for by its kind (the verb after it: "Which room
# test …" asks for no place).
_AUXILIARY = "is|was|were|are|did|do|does|has|had|will|would|should|can|could"
_PLACE_ASKED = (
    "place|city|town|country|suburb|neighbou?rhood|village|building|street|road|venue|pub|bar|restaurant|"
    "cafe|shop|store|hotel|park|beach|station|room|island|mountain|lake|river|state|region"
)
_KIND = (
    # "How hot was it?", "How far did we walk?": a measure, which a number answers.
    (
        "count",
        r"how (?:many|much|hot|cold|warm|far|high|tall|big|heavy|old|fast|deep)|what (?:number|amount|price)|"
        r"what did \w+(?: \w+)? cost",
    ),
    ("time", r"when|by when|until when|how (?:often|long|soon)|what (?:time|day|date)"),
    ("place", rf"where|from where|(?:what|which) (?:{_PLACE_ASKED})s? (?:{_AUXILIARY})\b"),
    ("person", r"who|whom|whose"),
    ("reason", r"why|how come|for what reason"),
)
# "How many dolphins …?", "What date is …?": the second word asks for a number or a time, and no more.
_FORM = re.compile(
    r"^\s*(?:by |until )?(?:how (many|much|often|long|soon)|(?:what|which) (time|day|date|number|amount))\b",
    re.IGNORECASE,
)
_KIND_PATTERNS = tuple((name, re.compile(rf"^\s*(?:{opening})\b", re.IGNORECASE)) for name, opening in _KIND)
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million dozen half couple pair"
)
_NUMBERS = "|".join(_NUMBER_WORDS.split())
# A number, or how many times it took ("on the second go", "twice").
_COUNT = re.compile(
    rf"\d|\b(?:{_NUMBERS}|once|twice|thrice|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b",
    re.IGNORECASE,
)
_AMOUNT = rf"(?:\d[\d,.]*|\b(?:{_NUMBERS}))[\s-]*"
# A measure asked for ("How hot …?", "How far …?") and the units that answer it, after a number. An age
# goes without its unit ("Dad turns sixty"), so "how old" wants any number.
_UNITS = {
    "hot cold warm": r"degrees?|°",
    "far": r"(?:kilomet(?:re|er)s?|km|miles?|mi|met(?:re|er)s?|m|k)\b",
    "high tall deep": r"(?:met(?:re|er)s?|m|feet|foot|ft|storeys?|floors?)\b",
    "heavy": r"(?:kilo(?:gram)?s?|kg|pounds?|lbs?|grams?|g|tonnes?|tons?)\b",
    "fast": r"(?:km/h|kph|mph|knots?|kilomet(?:re|er)s an hour|miles an hour)",
}
_MEASURES = {
    asked: re.compile(_AMOUNT + f"(?:{units})", re.IGNORECASE)
    for measures, units in _UNITS.items()
    for asked in measures.split()
}
_MEASURE_ASKED = re.compile(rf"^\s*how ({'|'.join(_MEASURES)})\b", re.IGNORECASE)
_HOUR = rf"(?:{'|'.join(_NUMBER_WORDS.split()[:12])}|\d{{1,2}})"
# An hour said in words: "half past six", "quarter to seven", "by seven", "at 7".
_SAID_HOUR = rf"(?:half|quarter)\s+(?:past|to)\s+{_HOUR}|(?:at|by|until|till)\s+{_HOUR}(?![.:,]?\d)"
# A time of day ("7 am", "at 7", "9:15", "six o'clock", "half past six"): a number that counts nothing.
_CLOCK = re.compile(
    rf"\b(?:\d{{1,2}}(?:[:.]\d\d)?\s?(?:am|pm|a\.m\.|p\.m\.|o'clock)|\d{{1,2}}[:]\d\d|"
    rf"{_HOUR} o'clock|at \d{{1,2}}(?:[:.]\d\d)?|{_SAID_HOUR})(?!\w)",
    re.IGNORECASE,
)
_TIME = re.compile(
    rf"\b(?:{'|'.join((*WEEKDAYS, *MONTHS))}|today|tomorrow|tonight|yesterday|weekend|"
    r"morning|afternoon|evening|noon|midnight|o'clock|every|daily|weekly|monthly|minutes?|hours?|days?|"
    r"weeks?|months?|years?|soon|later|\w+teenth|\w+tieth|\d{1,2}(?:st|nd|rd|th)|\d{1,2}[:.]\d\d|"
    rf"\d+\s?(?:am|pm|a\.m\.|p\.m\.)|{_SAID_HOUR})\b",
    re.IGNORECASE,
)
_PLACE_NOUNS = (
    "airport beach cafe church city clinic country garden home hospital hotel house kitchen library market "
    "museum office park restaurant room school shop station store street town village warehouse"
)
# Words that end or start a place's own name ("Maple Street Kitchen", "Hollow Creek Park", "Mount Beacon").
_PLACE_NAME_WORDS = frozenset(
    f"{_PLACE_NOUNS} avenue road lane square bridge creek river lake mount mountain hill valley bay court "
    "terrace crescent plaza centre center tower pier wharf harbour harbor quay arcade".split()
)
# A place: a capitalised name after a preposition of place ("from Lisbon", "to the Riverside market"), or a
# kind of place ("the railway museum").
_PLACE = re.compile(
    r"\b(?i:from|in|at|to|into|near|inside|outside|around|towards?)\s+(?:(?i:the|a|an|my|our)\s+)?"
    r"(?!I\b)[A-Z][a-z]+"
    rf"|\b(?i:{'|'.join(_PLACE_NOUNS.split())})s?\b"
)
# Where a thing is: "in the shed", "on the kitchen table", "under my bed", "next to the door".
_WHERE_A_THING_IS = re.compile(
    r"\b(?:in|on|under|underneath|behind|inside|beside|near|next to|on top of|in front of)\s+"
    r"(?:the|my|our|your|his|her|their)\s+(?:\w+\s+)?(?P<thing>\w+)\b",
    re.IGNORECASE,
)
# A reason given: "because it is acidic", "so that it dries", "it's too wet, so …", "due to the rain".
_REASON = re.compile(
    r"\b(?:because|since|so that|so it|so we|so I|due to|thanks to|in order to|otherwise|that's why|"
    r"the reason)\b",
    re.IGNORECASE,
)
# "Who asked about orange peel?", "What was the question?": asked of a question someone put.
_ABOUT_ASKING = re.compile(r"\b(?:ask|asks|asked|asking|question|questions|wonder|wondered)\b", re.IGNORECASE)
# "…, Gran.", "Will do, Tom.": a name said to someone at the end of a sentence.
_ADDRESSED_LAST = re.compile(r",\s*(?P<name>[A-Z][a-z]+)\s*[.!?]*\s*$")
# Words that acknowledge and say nothing else ("Sure.", "Of course.", "Will do.").
_ACKNOWLEDGING = frozenset(
    "sure yes yeah yep okay ok course right fine alright thanks thank cheers will do done no worries "
    "absolutely definitely certainly great good lovely perfect".split()
)
# A reply takes this share of the score of the question it answers ("Can we compost orange peel too?" —
# "Yes, but only in small amounts, because it is acidic."): the words asked about are in the question, and
# the answer in the reply, which need not repeat them.
REPLY_SHARE = 0.5
# A reply says something only with this many words beyond the common ones ("Sure." and "I won't." do not).
MIN_REPLY_WORDS = 2
# The reply follows the question within this many seconds (the next sentence, or the next moment's first).
REPLY_WITHIN_SECONDS = 5.0
# The share of its score a question keeps ("Can we compost orange peel too?"): it repeats what is asked
# and answers nothing, unless what is asked is who asked it.
QUESTION_SHARE = 0.5
# A word in capitals, as signs and slides are read.
_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")
# A run of capitalised words ("Rosa", "Maple Street Kitchen"), not "I".
_CAPITALISED_RUN = re.compile(r"\b(?!I\b)[A-Z][a-z]+(?:\s+(?!I\b)[A-Z][a-z]+)*\b")
# A capital that opens a sentence is a name only before a verb a person does ("Priya is bringing …"), and
# not for the words that often open one ("Someone is …", "Lunch was …").
_OPENS_AS_NAME = re.compile(
    r"^(?P<name>[A-Z][a-z]+)(?:'s|\s+(?:is|was|will|has|had|said|says|asked|wants|wanted|can|could|should|"
    r"must|needs|took|gave|brought|made|got|and))\b"
)
_NOT_PEOPLE = frozenset(
    [*WEEKDAYS, *MONTHS]
    + (
        "someone somebody everyone everybody nobody anyone anybody everything nothing "
        "something today tomorrow tonight yesterday dinner lunch breakfast it that this there here"
    ).split()
)


def kind(question: str) -> str | None:
    """The kind of answer asked for: count, time, place, person, reason, or None (what, which …)."""
    for name, pattern in _KIND_PATTERNS:
        if pattern.search(question):
            return name
    return None


def form_words(question: str) -> frozenset[str]:
    """The words of a question's opening that only say which kind of answer it wants ("how many", "what
    date"): no moment says them, so they are not part of what the question is about."""
    m = _FORM.match(question)
    return frozenset(w.casefold() for w in m.groups() if w) if m else frozenset()


def measured(question: str, sentence: str) -> frozenset[str]:
    """The measure a question asks ("hot" in "How hot was it?") when `sentence` states it in its unit ("24
    degrees"): the sentence says that word of the question, in a number."""
    asked = _MEASURE_ASKED.match(question)
    if asked and _MEASURES[asked.group(1).casefold()].search(sentence):
        return frozenset([asked.group(1).casefold()])
    return frozenset()


def asks_about_screen(question: str) -> bool:
    """True for a question about what was shown (a slide, a sign, the screen)."""
    return bool(_SHOWN.search(question))


def holds(wanted: str | None, sentence: str, *, speaker: str | None, question: str) -> bool:
    """`sentence` (said by the named voice `speaker`, or None) holds an answer of the kind `wanted`, other
    than the words the question itself says."""
    if wanted is None:
        return False
    asked = {w.casefold() for w in re.findall(r"[A-Za-z']+|\d+", question)}
    if wanted == "count":
        if _MEASURE_ASKED.match(question):  # "How hot …?": degrees, not the "3.2 km" on the trail's sign
            return bool(measured(question, sentence))
        return any(m.group().casefold() not in asked for m in _COUNT.finditer(_CLOCK.sub(" ", sentence)))
    if wanted == "time":
        return any(m.group().casefold() not in asked for m in _TIME.finditer(sentence))
    if wanted == "reason":
        return bool(_REASON.search(sentence))
    if wanted == "place":
        # A sign is read in capitals ("MOUNT BEACON SUMMIT"): its words, as a name is written, may name one.
        titled = _SHOUTED.sub(lambda m: m.group().capitalize(), sentence)
        runs = [{w.casefold() for w in r.split()} for r in _CAPITALISED_RUN.findall(titled)]
        return (
            any(m.group().split()[-1].casefold() not in asked for m in _PLACE.finditer(titled))
            or any(run & _PLACE_NAME_WORDS and run - asked - _PLACE_NAME_WORDS for run in runs)
            or any(m.group("thing").casefold() not in asked for m in _WHERE_A_THING_IS.finditer(sentence))
        )
    # A person: the named voice that said it, or a name in it, other than those the question names.
    names = [speaker] if speaker else []
    names += _names_within(sentence)
    names += [m.group("name") for m in (ADDRESS.match(sentence), _OPENS_AS_NAME.match(sentence)) if m]
    names = [n for n in names if n.casefold() not in _NOT_PEOPLE]
    return any(n.casefold() not in asked for n in names)


def _names_within(sentence: str) -> list[str]:
    """The capitalised words of `sentence` that may be people's names: past its first word and past a label's
    colon ("Location: Mentioned: …", which open as a sentence does), and not in a place's own name ("Maple
    Street Kitchen", "Hollow Creek Park")."""
    out: list[str] = []
    for run in _CAPITALISED_RUN.finditer(sentence):
        before = sentence[: run.start()].rstrip()
        words_of_run = run.group().split()
        if not before or before.endswith((":", '"')):
            words_of_run = words_of_run[1:]
        if not any(w.casefold() in _PLACE_NAME_WORDS for w in run.group().split()):
            out += words_of_run
    return out


def replies(candidates: Sequence[tuple[str, str | None, int, SearchResult]]) -> dict[int, int]:
    """Candidate (sentence, voice, rank, moment) index of a question -> that of the sentence that replies to
    it: the next sentence of its moment, or the first of a moment of the same video that starts as it ends.
    A reply counts only when it says something (MIN_REPLY_WORDS)."""
    out: dict[int, int] = {}
    for i, (sentence, _, _, result) in enumerate(candidates):
        if not _waits_for_answer(sentence):
            continue
        if i + 1 < len(candidates) and candidates[i + 1][3] is result:
            out[i] = i + 1
        else:
            following = [
                (other.start, j)
                for j, (_, _, _, other) in enumerate(candidates)
                if other is not result
                and other.video_id == result.video_id
                and result.end - 1.0 <= other.start <= result.end + REPLY_WITHIN_SECONDS
                and (j == 0 or candidates[j - 1][3] is not other)  # the moment's first sentence
            ]
            if following:
                out[i] = min(following)[1]
    return {asked: reply for asked, reply in out.items() if _says_something(candidates[reply][0])}


def _says_something(reply: str) -> bool:
    """A reply says something with MIN_REPLY_WORDS words beyond the common ones, the acknowledging ones and
    the name it is said to: "Sure, Gran." and "Of course." do not."""
    named = said_to(reply)
    own = [w for w in words(reply) if w not in STOPWORDS and w not in _ACKNOWLEDGING and w not in named]
    return len(own) >= MIN_REPLY_WORDS


def _waits_for_answer(sentence: str) -> bool:
    """A question that waits for its answer. A request to act ("Tom, can you send the figures by Thursday?",
    "Could you bring your folding chairs, love?") does not: it gives a task, answered by doing it, so it is
    evidence itself. Nor does one put to someone by name."""
    return (
        sentence.rstrip().endswith("?") and not ADDRESS.match(sentence.strip()) and not request_verb(sentence)
    )


def about_asking(question: str) -> bool:
    """True for a question about what someone asked ("Who asked about orange peel?")."""
    return bool(_ABOUT_ASKING.search(question))


def as_evidence(score: float, sentence: str, *, question: str) -> float:
    """`score` of `sentence` as an answer to `question`: a sentence that is itself a question keeps
    QUESTION_SHARE of it, unless it is a request put to someone by name or the question is about what
    someone asked."""
    if _waits_for_answer(sentence) and not about_asking(question):
        return score * QUESTION_SHARE
    return score


def said_to(sentence: str) -> set[str]:
    """The words of the names (and titles: "Uncle Omar") a sentence is addressed to, at its start or at its
    end ("Sure, Gran."), casefolded."""
    out: set[str] = set()
    for m in ADDRESS.finditer(sentence):
        out.add(m.group("name").casefold())
        if m.group("title"):
            out.add(m.group("title").strip(" .").casefold())
    out |= {m.group("name").casefold() for m in _ADDRESSED_LAST.finditer(sentence)}
    return out


def screen_first(scored: list[tuple[SearchResult, float]]) -> list[float]:
    """For a question about what a slide or sign showed, the scores of (the moment each sentence comes from,
    its score): what was read on screen answers it. The question's other words ("the slide in the planning
    meeting") describe the moment, and match what was said then, so a screen text scores its own words plus
    the best sentence said while it was shown, plus SCREEN_BONUS (its own words still tell two slides of one
    talk apart); what was shown in another moment has only its own."""
    out = [score for _, score in scored]
    for i, (shown, score) in enumerate(scored):
        if shown.chunk_type != "screen_text":
            continue
        beside = [
            other
            for r, other in scored
            if r.chunk_type != "screen_text"
            and r.video_id == shown.video_id
            and r.start < shown.end
            and r.end > shown.start
        ]
        out[i] = score + max(beside, default=0.0) + SCREEN_BONUS
    return out
