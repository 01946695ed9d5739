"""Action items: commitments and tasks said in a block, with an owner only on evidence (issue 19).

A task is a commitment phrase ("I'll …", "we need to …", "don't forget to …", "Tom will …", a request to
a named person for later) followed by a verb that acts and something it acts on. Not tasks: remarks ("I'll
be honest"), conditions ("if we need to"), invitations done as they are said ("let's start"), acts carried
out as they are said ("hang on, I'll put you on speaker"), regrets ("I should have backed up") and proposals
not yet agreed ("I think we should …"). The owner is the named voice that commits, or the named person a
task is given to; otherwise none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from lifestream.core.models import TranscriptSegment
from lifestream.core.text import MONTHS, REQUEST, SENTENCE_END, STOPWORDS, WEEKDAYS, request_verb
from lifestream.understand.summarize.gazetteer import places_in
from lifestream.understand.summarize.models import ActionItem
from lifestream.understand.summarize.names import addressee, is_label, is_name, speaker_names

# Who commits, by the phrase that opens the commitment; what follows must be a task (a verb and its object).
# "Remind me to buy boots" is the speaker's own task, asked to be kept for them.
_FIRST_PERSON = (
    r"I will|I'll|I am going to|I'm going to|I need to|I have to|I've got to|I must|I should|remind me to"
)
_GROUP = (
    r"we will|we'll|we are going to|we're going to|let's|let us|we need to|we have to|we should|we must|"
    r"(?:someone|somebody|one of us) (?:needs to|has to|should|must|will have to)"
)
_ANYONE = (
    r"you need to|you have to|you must|remember to|don't forget to|do not forget to|make sure to|"
    r"make sure you|please(?! remind me to)"
)
COMMITMENT = re.compile(
    rf"\b(?:(?P<me>{_FIRST_PERSON})|(?P<we>{_GROUP})|(?P<anyone>{_ANYONE}))\s+(?P<rest>.+)", re.IGNORECASE
)
_MARKER = re.compile(
    r"^\s*(?:todo|to-do|action item|(?P<own>note to self|reminder to self))\b\s*[:,\-]?\s*(?P<rest>.+)",
    re.IGNORECASE,
)
# "The gutters need clearing before the storm season": a chore, no one's yet.
_CHORE = re.compile(r"\b(?:needs?|wants?) (?P<rest>(?!being|going|saying|thinking|talking)[a-z]+ing\b.*)")
_NAMED_OWNER = re.compile(
    r"\b(?P<name>[A-Z][a-z]+) (?:will|is going to|needs to|has to|should)\s+(?P<rest>.+)"
)
# Words after "I'll" that make a remark, not a task: "I'll be honest", "I'll tell you what", "we'll see".
_NOT_TASK_VERBS = frozenset(
    [
        "be",
        "been",
        "being",
        "say",
        "tell",
        "admit",
        "confess",
        "guess",
        "bet",
        "see",
        "never",
        "not",
        "probably",
        "maybe",
        "perhaps",
        "just",
        "always",
        "really",
        "know",
        "think",
        "wonder",
        "hope",
        "imagine",
        "suppose",
        "mean",
        "assume",
        "love",
        "like",
        "hate",
        "die",
        "believe",
        "agree",
        "the",
        "a",
        "an",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "this",
        "that",
        "it",
        "there",
        "here",
        "some",
        "any",
        "all",
        "more",
        "so",
        "now",
        "then",
        "too",
    ]
)
# Words after the verb that name nothing to act on ("show you around", "go first"), beside the stopwords
# (which hold "it", "yourself", "again").
_NAMES_NOTHING = frozenset("us around first bye soon sometime back anyway please together".split())
_HELPERS = frozenset(
    [
        "have",
        "has",
        "need",
        "needs",
        "try",
        "to",
        "and",
        "also",
        "still",
        "first",
        "then",
        "definitely",
        "actually",
        "really",
    ]
)

def sentences(segments: Sequence[TranscriptSegment]) -> list[tuple[str, TranscriptSegment]]:
    out = []
    for seg in segments:
        for sentence in SENTENCE_END.split(seg.text.strip()):
            if sentence.strip():
                out.append((sentence.strip(), seg))
    return out


def _task(rest: str) -> bool:
    """The words after a commitment phrase make a task: a verb that acts, and something it acts on that the
    words name ("I'll get it", "please sit down", "I'll show you around" name nothing: they are done as they
    are said), unless a time ahead makes it one ("I'll call you later")."""
    tokens = re.findall(r"[A-Za-z][A-Za-z'\-]*", rest)
    # "I'll have to call …", "we need to try and fix …": the task is the verb after the helpers.
    while len(tokens) > 1 and tokens[0].lower() in _HELPERS:
        tokens = tokens[1:]
    if len(tokens) < 2 or tokens[0].lower() in _NOT_TASK_VERBS:
        return False
    named = [t for t in tokens[1:] if t.lower() not in STOPWORDS and t.lower() not in _NAMES_NOTHING]
    return bool(named) or _later(rest)


def action_items(
    segments: Sequence[TranscriptSegment], names: Mapping[str, str] | None = None
) -> list[ActionItem]:
    """Commitments and tasks said in the segments. `names` maps speaker labels to introduced names."""
    names = speaker_names(segments) if names is None else names
    found: list[ActionItem] = []
    seen: set[str] = set()
    for text, seg in sentences(segments):
        owner: str | None = None
        to = addressee(text)  # "Tom, can you …?", "Mia, don't forget to …": the task is given to them
        if text.rstrip().endswith("?"):
            request = REQUEST.search(text)
            # "Should we go?" asks; it does not commit. A request to a named person gives them a task when
            # it is for later ("Tom, can you send the figures by Thursday?"); "Bruno, can you chop the
            # onions?" is done as it is said.
            if to and request and request_verb(text) and _task(request.group("rest")) and _later(text):
                _add(found, seen, ActionItem(text=text, owner=to, at=seg.start))
            continue
        marker = _MARKER.search(text)
        match = COMMITMENT.search(text)
        named = _NAMED_OWNER.search(text)
        speaker = names.get(seg.speaker or "", seg.speaker)
        named_speaker = speaker if speaker and not is_label(speaker) else None
        if marker and _task(marker.group("rest")):
            owner = named_speaker if marker.group("own") else to  # "Note to self, …" is the speaker's own
        elif (
            match
            and _task(match.group("rest"))
            and not _conditional(text, match.start())
            and not _invitation(match)
            and not _on_the_spot(text)
            and not _regret_or_proposal(text, match)
        ):
            if match.group("me"):
                owner = named_speaker
            elif match.group("anyone"):
                owner = to
        elif named and is_name(named.group("name"), frozenset(places_in(text))) and _task(named.group("rest")):
            owner = named.group("name")
        elif not _chore(text):
            continue
        _add(found, seen, ActionItem(text=text, owner=owner, at=seg.start))
    return found


def _chore(text: str) -> bool:
    """A thing named needs doing ("the car needs washing"); "it needs cooking for twenty minutes" (a recipe's
    step) and "I need saving" name nothing (the pronouns are among the stopwords)."""
    chore = _CHORE.search(text)
    if not chore:
        return False
    before = text[: chore.start()].split()
    subject = before[-1].lower().strip(",") if before else ""
    return subject not in _VAGUE and subject not in STOPWORDS and _task(f"do {chore.group('rest')}")


_VAGUE = frozenset({"everything", "something"})


def _add(found: list[ActionItem], seen: set[str], item: ActionItem) -> None:
    if item.text.lower() not in seen:
        seen.add(item.text.lower())
        found.append(item)


_DAYS = "|".join(WEEKDAYS)
_MONTHS = "|".join(MONTHS)
# A time still to come: "on Friday", "tomorrow", "next week", "in March", "at 7", "before winter".
_AHEAD = re.compile(
    rf"\b(?:tomorrow|tonight|later|soon|{_DAYS}|(?:next|this) (?:week|weekend|month|year|time|morning|"
    r"afternoon|evening|session|meeting|lecture|class)|"
    rf"(?:in|on|by|before|until|after) (?:the )?(?:{_MONTHS}|spring|summer|autumn|fall|winter|"
    r"\d+(?:st|nd|rd|th)?)|"
    r"at (?:\d+(?:[:.]\d\d)?\s*(?:am|pm)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"noon))\b",
    re.IGNORECASE,
)


# On the way somewhere, or once something else is done: for later, with no time said.
_ON_THE_WAY = re.compile(
    r"\b(?:on (?:the|your|their|his|her) way|when you|once you|after (?:the|you|we))\b", re.IGNORECASE
)


def _later(text: str) -> bool:
    """The words put what is asked after now: a time ahead, or on the way ("pick up the cake on the way")."""
    return bool(_AHEAD.search(text) or _ON_THE_WAY.search(text))


# Said as it is done, not a task: a pause in the talk ("Hang on, I'll …", "One sec, I'll …"), or an act on
# the call itself ("I'll put you on speaker", "I'll let you go", "I'll pass you to Dad").
_ON_THE_SPOT = re.compile(
    r"\b(?:hang on|hold on|one sec(?:ond)?|just a sec(?:ond)?|one moment|just a moment|bear with me|"
    r"give me a (?:sec(?:ond)?|moment|minute))\b|"
    r"\b(?:put|have) (?:you|him|her|them|the phone) on (?:the )?"
    r"(?:speaker(?:phone)?|loudspeaker|hold|mute)\b|"
    r"\blet (?:you|him|her|them) go\b|\b(?:pass|hand|put) (?:you|the phone) (?:over |through )?to\b|"
    r"\bshare my screen\b|"
    # "I'll order the pizza now", "I'll do it right away".
    r"\b(?:right )?now\b|\bright away\b|\bstraight away\b|\bin a (?:sec(?:ond)?|minute|moment)\b",
    re.IGNORECASE,
)


# "I'll talk to you soon", "I'll catch you later": a goodbye, though it says a time ahead.
_FAREWELL = re.compile(
    r"\b(?:talk|speak|chat|catch up) (?:to|with) you (?:soon|later)\b|\bcatch you later\b", re.IGNORECASE
)


def _on_the_spot(text: str) -> bool:
    """A commitment carried out as it is said, or a goodbye; with a time ahead ("Hang on, I'll call you back
    tomorrow") it is still something to do later."""
    return (bool(_ON_THE_SPOT.search(text)) and not _later(text)) or bool(_FAREWELL.search(text))


# "I should have backed up …": what ought to have been done, past; "should have the report ready" is a task.
_REGRET = re.compile(
    r"\b(?:should|could|would|must|might)(?:n't| not)? (?:have|'ve) (?:\w+ed|been|done|gone|brought|bought|"
    r"sent|told|made|taken|got|gotten|known|seen|written|given|left|kept|put|read|said|paid|come|thought)\b",
    re.IGNORECASE,
)
# "I think we should move the launch", "maybe we should …": a proposal put to the others, not yet agreed.
_PROPOSAL = re.compile(
    r"\b(?:I think|I guess|I suppose|I reckon|I'd say|maybe|perhaps)\s*,?\s*(?:we|you) should\b",
    re.IGNORECASE,
)


def _regret_or_proposal(text: str, match: re.Match) -> bool:
    return bool(_REGRET.search(match.group(0)) or _PROPOSAL.search(text))


def _invitation(match: re.Match) -> bool:
    """ "Let's take the other trail", "let's start the meeting": a proposal done as it is said, not a task;
    with a time ahead ("let's meet on Friday") it is something to do later."""
    we = (match.group("we") or "").lower()
    return we in ("let's", "let us", "lets") and not _AHEAD.search(match.string)


def _conditional(text: str, at: int) -> bool:
    """ "If we need to, ..." or "I don't know if I'll ..." states a condition, not a commitment."""
    return bool(re.search(r"\b(?:if|whether|unless|when)\b[^,;]*$", text[:at], re.IGNORECASE))
