"""Offline summaries: a title from key phrases, key sentences by word salience, action items from
commitment phrases, names from the voices' own evidence (names.py), places from a gazetteer.

Nothing here guesses beyond the transcript. An owner is given only when a named speaker takes the task on
("I'll book the room" said by a named voice), or when it is given to a named person ("Maria will book the
room", "Tom, can you send …?", "Mia, don't forget to …"), never a placeholder like "Group" or "Speaker"; a
place only when one is said, or read on screen where the text names one (a sign's "WATTLE COURT", never a
slide's title or a dish); participants only from the speakers heard and the names they give.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from lifestream.core.constants import NO_SPEECH_TITLE
from lifestream.core.models import TranscriptSegment
from lifestream.core.text import MONTHS, SENTENCE_END, STOPWORDS, TIME_WORDS, WEEKDAYS, words
from lifestream.core.places import NOT_NAMED, location_text
from lifestream.understand.summarize.gazetteer import places_in, places_on_screen
from lifestream.understand.summarize.models import MAX_TITLE_WORDS, ActionItem, BlockSummary, SpeakerSummary
from lifestream.understand.summarize.names import (
    addressee,
    introductions,
    is_label,
    is_name,
    participants,
    speaker_names,
)

__all__ = ["introductions", "is_label", "participants", "speaker_names"]

# Who commits, by the phrase that opens the commitment; what follows must be a task (a verb and its object).
# "Remind me to buy boots" is the speaker's own task, asked to be kept for them.
_FIRST_PERSON = (
    r"I will|I'll|I am going to|I'm going to|I need to|I have to|I've got to|I must|I should|remind me to"
)
_GROUP = r"we will|we'll|we are going to|we're going to|let's|let us|we need to|we have to|we should|we must"
_ANYONE = (
    r"you need to|you have to|you must|remember to|don't forget to|do not forget to|make sure to|"
    r"make sure you|please(?! remind me to)"
)
COMMITMENT = re.compile(
    rf"\b(?:(?P<me>{_FIRST_PERSON})|(?P<we>{_GROUP})|(?P<anyone>{_ANYONE}))\s+(?P<rest>.+)", re.IGNORECASE
)
# "can you send …?", "could you please book …?": a request, a task when said to a named person. Asking
# someone to hear, see or tell is a question to them, not a task ("Omar, can you hear us?").
_REQUEST = re.compile(r"\b(?:can|could|would|will) you (?:please )?(?P<rest>.+)", re.IGNORECASE)
_NOT_REQUESTS = frozenset(
    "hear see tell say believe imagine guess think feel understand hold wait speak talk help".split()
)
_MARKER = re.compile(r"^\s*(?:todo|to-do|action item)\b\s*[:\-]?\s*(?P<rest>.+)", re.IGNORECASE)
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
# Words that carry no topic in a title ("hello", "originally").
_TITLE_FILLER = frozenset(
    [*TIME_WORDS]
    + (
        "hello hi hey bye thanks thank sorry sure fine good great lot much many little bit kind "
        "sort way time day said says say tell told want wanted need needed make made take come came see saw "
        "look looked let lets went gonna wanna remember forget might must could would shall can ought rather "
        "even still quite course always never often ever across toward towards behind around near without within upon onto "
        "beside beyond along among"
    ).split()
)
_BRIDGES = frozenset({"the", "a", "an", "of", "my", "our", "your", "his", "her", "their"})


def sentences(segments: Sequence[TranscriptSegment]) -> list[tuple[str, TranscriptSegment]]:
    out = []
    for seg in segments:
        for sentence in SENTENCE_END.split(seg.text.strip()):
            if sentence.strip():
                out.append((sentence.strip(), seg))
    return out


def key_sentences(
    items: list[tuple[str, TranscriptSegment]], limit: int = 3
) -> list[tuple[str, TranscriptSegment]]:
    """The sentences whose content words are most frequent in the block (classic frequency summariser)."""
    freq = Counter(w for text, _ in items for w in words(text))
    if not freq:
        return items[:limit]
    top = max(freq.values())

    def score(text: str) -> float:
        ws = words(text)
        return sum(freq[w] / top for w in ws) / (len(ws) ** 0.5) if ws else 0.0

    ranked = sorted(range(len(items)), key=lambda i: (-score(items[i][0]), i))[:limit]
    return [items[i] for i in sorted(ranked)]


def _task(rest: str) -> bool:
    """The words after a commitment phrase make a task: a verb that acts, and something it acts on."""
    tokens = re.findall(r"[A-Za-z][A-Za-z'\-]*", rest)
    # "I'll have to call …", "we need to try and fix …": the task is the verb after the helpers.
    while len(tokens) > 1 and tokens[0].lower() in _HELPERS:
        tokens = tokens[1:]
    return len(tokens) >= 2 and tokens[0].lower() not in _NOT_TASK_VERBS


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
            request = _REQUEST.search(text)
            # "Should we go?" asks; it does not commit. A request to a named person gives them a task when
            # it is for later ("Tom, can you send the figures by Thursday?"); "Bruno, can you chop the
            # onions?" is done as it is said.
            verb = request.group("rest").split()[0].lower() if request else ""
            if to and request and verb not in _NOT_REQUESTS and _task(request.group("rest")) and _later(text):
                _add(found, seen, ActionItem(text=text, owner=to, at=seg.start))
            continue
        marker = _MARKER.search(text)
        match = COMMITMENT.search(text)
        named = _NAMED_OWNER.search(text)
        if marker and _task(marker.group("rest")):
            owner = to
        elif (
            match
            and _task(match.group("rest"))
            and not _conditional(text, match.start())
            and not _invitation(match)
            and not _on_the_spot(text)
        ):
            if match.group("me"):
                speaker = names.get(seg.speaker or "", seg.speaker)
                owner = speaker if speaker and not is_label(speaker) else None
            elif match.group("anyone"):
                owner = to
        elif named and is_name(named.group("name"), frozenset(places_in(text))) and _task(named.group("rest")):
            owner = named.group("name")
        else:
            continue
        _add(found, seen, ActionItem(text=text, owner=owner, at=seg.start))
    return found


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
    r"\b(?:put|have) (?:you|him|her|them|the phone) on (?:the )?(?:speaker(?:phone)?|loudspeaker|hold|mute)\b|"
    r"\blet (?:you|him|her|them) go\b|\b(?:pass|hand|put) (?:you|the phone) (?:over |through )?to\b|"
    r"\bshare my screen\b",
    re.IGNORECASE,
)


def _on_the_spot(text: str) -> bool:
    """A commitment carried out as it is said; with a time ahead ("Hang on, I'll call you back tomorrow") it
    is still something to do later."""
    return bool(_ON_THE_SPOT.search(text)) and not _later(text)


def _invitation(match: re.Match) -> bool:
    """ "Let's take the other trail", "let's start the meeting": a proposal done as it is said, not a task;
    with a time ahead ("let's meet on Friday") it is something to do later."""
    we = (match.group("we") or "").lower()
    return we in ("let's", "let us", "lets") and not _AHEAD.search(match.string)


def _conditional(text: str, at: int) -> bool:
    """ "If we need to, ..." or "I don't know if I'll ..." states a condition, not a commitment."""
    return bool(re.search(r"\b(?:if|whether|unless|when)\b[^,;]*$", text[:at], re.IGNORECASE))


def title(text: str, *, avoid: Sequence[str] = (), max_words: int = MAX_TITLE_WORDS) -> str:
    """A few key phrases (RAKE-style: runs of content words, scored by how often their words recur),
    never the opening of the transcript. Names in `avoid` (the participants) are left to their own field."""
    avoid_low = {a.lower() for a in avoid}
    runs: list[list[str]] = []
    # A capital that opens a sentence says nothing about a name.
    text = re.sub(
        r"(^|(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)[.!?]\s+)([A-Z][a-z]+)",
        lambda m: m.group(1) + m.group(2).lower(),
        text,
    )
    for part in re.split(r"[.,;:!?()\"\u2014\u2013]| - ", text):
        run: list[str] = []
        pending: list[str] = []
        for token in re.findall(r"[A-Za-z][A-Za-z'\-]*", part) + [""]:
            low = token.lower()
            keep = (
                token
                and len(token) > 2
                and low not in STOPWORDS
                and low not in _TITLE_FILLER
                and low not in avoid_low
                and not low.endswith("ly")
                and "'" not in token
            )
            if keep:
                run += [*pending, token]
                pending = []
                continue
            if run and low in _BRIDGES and not pending:
                pending = [token]  # "email the slides" is one phrase
                continue
            run = run[:4]
            while run and run[-1].lower() in _BRIDGES:
                run.pop()
            if run:
                runs.append(run)
            run, pending = [], []
    if not runs:
        return ""
    freq = Counter(w.lower() for run in runs for w in run if w.lower() not in _BRIDGES)
    best: dict[str, tuple[float, int, str]] = {}
    for order, run in enumerate(runs):
        phrase = " ".join(run)
        # Proper names (capitalised mid-sentence) tend to be what a stretch is about.
        content = [w for w in run if w.lower() not in _BRIDGES]
        score = sum(freq[w.lower()] + (0.5 if w[0].isupper() else 0.0) for w in content) / len(content) ** 0.5
        key = phrase.lower()
        if key not in best or score > best[key][0]:
            best[key] = (score, order, phrase)
    ranked = sorted(best.values(), key=lambda v: (-v[0], v[1]))
    chosen: list[tuple[int, str]] = []
    used: set[str] = set()
    total = 0
    for _, order, phrase in ranked:
        ws = {w.lower() for w in phrase.split()} - _BRIDGES
        if ws & used:
            continue
        # Two or three phrases are joined by one "and", which counts as a word of the title.
        if total + len(phrase.split()) + (1 if chosen else 0) > max_words:
            continue
        chosen.append((order, phrase))
        used |= ws
        total += len(phrase.split())
        if len(chosen) == 3:
            break
    return _joined([p for _, p in sorted(chosen)])


def _joined(phrases: Sequence[str]) -> str:
    joined = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return joined[0].upper() + joined[1:]


def title_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'\-]*", text)


_DANGLING = _BRIDGES | {"and", "or", "to", "in", "on", "at", "for", "with"}


def fit_title(text: str, max_words: int = MAX_TITLE_WORDS) -> str:
    """`text` as a title of at most `max_words` words: whole leading phrases of a list ("a, b and c") while
    they fit, else the words up to the limit without a dangling "and", "of" or "the"."""
    text = " ".join(text.split())
    if len(title_words(text)) <= max_words:
        return text
    phrases = [p for p in re.split(r",\s*|\s+and\s+", text) if p.strip()]
    kept: list[str] = []
    for phrase in phrases:
        if len(title_words(" ".join([*kept, phrase]))) + (1 if kept else 0) > max_words:
            break
        kept.append(phrase)
    if kept:
        return _joined(kept)
    cut = text.split()[:max_words]
    while len(cut) > 1 and cut[-1].lower().strip(",;:") in _DANGLING:
        cut.pop()
    return " ".join(cut).rstrip(",;:")


def summarize_block(
    segments: Sequence[TranscriptSegment],
    *,
    visual_summary: str,
    scene_count: int,
    names: Mapping[str, str] | None = None,
    screen_text: Sequence[str] = (),
) -> BlockSummary:
    """The block's summary. `names` (label -> name) are the voices named from the whole video's turns (a
    name given in an earlier block holds for the voice); by default, the block's own evidence.
    `screen_text` is the text read on the block's keyframes: a place it names is told as seen."""
    items = sentences(segments)
    if not items:
        return BlockSummary(
            title=f"{NO_SPEECH_TITLE} ({scene_count} scene{'s' if scene_count != 1 else ''})",
            activity="No speech in this part of the video.",
            location=location_text([], places_on_screen(screen_text)),
            participants=[],
            visual_summary=visual_summary,
        )
    labels = {s.speaker for s in segments if s.speaker}
    names = speaker_names(segments) if names is None else {k: v for k, v in names.items() if k in labels}
    people = participants(segments, names)
    keys = key_sentences(items)
    full_text = " ".join(text for text, _ in items)
    place_list = places_in(full_text, not_places=frozenset(people))
    seen = places_on_screen(screen_text, heard=full_text, not_places=frozenset(people))
    per_speaker = []
    for speaker in sorted({s.speaker for s in segments if s.speaker}):
        own = [(t, s) for t, s in items if s.speaker == speaker]
        per_speaker.append(
            SpeakerSummary(
                speaker=names.get(speaker, speaker),
                summary=" ".join(t for t, _ in key_sentences(own, 2)),
            )
        )
    heading = title(full_text, avoid=people) or title(full_text) or "Speech"
    return BlockSummary(
        title=heading,
        activity=" ".join(text for text, _ in keys),
        location=location_text(place_list, seen),  # a place said and seen: listed once, as mentioned
        participants=people,
        per_speaker=per_speaker,
        visual_summary=visual_summary,
        key_points=[text for text, _ in keys],
        action_items=action_items(segments, names),
    )
