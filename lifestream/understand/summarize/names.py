"""Who is who: names for voices, from evidence in that voice's own turns only (issue 19).

A voice (a diarization label, "Speaker 2") gets a name when, in its own turns, it introduces itself in a
common form ("This is Diane", "I'm Sheila", "my name is Ana", "it's Lena", "Tom here", "Mia speaking"), or
when another voice addresses it by name and it answers next ("Maya, what do you think?" — "I think …").
A name someone is only spoken of ("That was Diane and Sheila") is no evidence. A wrong name is worse than
"Speaker 2": a voice with evidence for two names is two people the diarizer merged (two callers of close
pitch on bench/quality's real call), so it shows neither, and so is a voice that addresses by name the person
it says it is (`merged`); a self-introduction outweighs being addressed.

A name the recogniser misheard ("Meir" for Mia, "Nina Elvaren" for Elena Alvarez on issue 19's recordings)
is not checked here, because nothing in the words tells it: "Meir" was heard the same way both times, in
the introduction and when addressed and answered, and Whisper's own word probabilities put right names lower
than wrong ones (Leo 0.15, Hanna 0.28; Meir 0.49 and 0.90). Asking for a second piece of evidence would
have kept Meir and dropped every right name heard once (Hana, Ravi, Leo, Diane, Sheila, Lena).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from lifestream.core.models import TranscriptSegment
from lifestream.core.text import ADDRESS, SENTENCE_END, STOPWORDS, TIME_WORDS, is_label
from lifestream.understand.summarize.gazetteer import places_in

# Capitalised words that are not people: times, greetings, words that open a sentence.
_NOT_NAMES = frozenset(
    [*TIME_WORDS]
    + (
        "everyone everybody someone somebody nobody group team speaker unknown hello hi hey sorry "
        "sure fine good great thanks thank please god mom mum dad okay yes no here there "
        # Words that open a sentence before a comma as a name would ("Front, left.", "Next, the budget."):
        # directions, ordinals and the words that join sentences.
        "front rear left right centre center middle top bottom first second third next last now then also "
        "however finally actually anyway listen look wait well alright so "
        # Endearments said as a name would be ("Yes, love, …", "Thanks, mate."): nobody's name.
        "love honey dear darling sweetie sweetheart mate buddy pal"
    ).split()
)
# How family is addressed ("Hi Mum, …"): a person, though no name to show.
KIN = frozenset("mum mom mummy mommy dad daddy grandma granny nana grandpa granddad grandad".split())
# Words that stand before "here" without being a name ("Sign here", "Look here", "Over here").
_NOT_BEFORE_HERE = frozenset(
    "look sign come stay wait stop click put park sit stand right over down up out in start back just "
    "nothing everything all it that this one anyone anybody sit".split()
)
# "This is Diane", "I'm Sheila", "my name is Ana" — a name said about oneself.
_INTRO = re.compile(
    r"(?i:\b(?:my name is|my name's|this is|i am|i'm|call me|it's)\s+)"
    r"(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
)
# "Tom here, from finance.", "Hi, Leo here.", "Mia speaking." — at the start of a sentence.
_HERE = re.compile(
    r"(?:^|[.!?]\s+|\b(?i:hi|hello|hey|yes|okay|ok),?\s+)(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+"
    r"(?i:here|speaking)\b(?!\s+(?:is|are|was|and)\b)"
)
# A name said to someone at the start of a sentence ("Maya, what …", "Hi Uncle Omar, …", "Yes, Sam, …").
_ADDRESS = ADDRESS
# An answer is the next turn of another voice, within this many seconds of the question.
ANSWER_WITHIN_SECONDS = 4.0
# The floor handed to someone by name: a question put to them ("Grace, can you update the notes?") or words
# that give them the turn ("Yes, Carlos, go ahead.", "Sam, you had a question.").
_HANDS_OVER = re.compile(r"\?\s*$|\b(?i:go ahead|your turn|over to you|you had a question)\b")


def is_name(word: str, not_names: frozenset[str] = frozenset()) -> bool:
    low = word.lower()
    return low not in STOPWORDS and low not in _NOT_NAMES and word not in not_names and not is_label(word)


def introductions(segments: Sequence[TranscriptSegment]) -> list[tuple[str, str | None]]:
    """(name, the speaker label it was said under) for each self-introduction, in order (a name again under
    another label counts again: it is evidence for that voice too)."""
    out: list[tuple[str, str | None]] = []
    for seg in segments:
        places = frozenset(places_in(seg.text))
        found = [(m.start(), m.group("name")) for m in _INTRO.finditer(seg.text)]
        found += [
            (m.start("name"), m.group("name"))
            for m in _HERE.finditer(seg.text)
            if m.group("name").lower() not in _NOT_BEFORE_HERE
        ]
        for _, name in sorted(found):
            if is_name(name, places) and (name, seg.speaker) not in out:
                out.append((name, seg.speaker))
    return out


def addressed(segments: Sequence[TranscriptSegment], *, kin: bool = False) -> list[tuple[str, str]]:
    """(name, the label of the voice that answered) where a voice addressed someone by name and the next turn,
    by another voice, followed within ANSWER_WITHIN_SECONDS. With `kin`, also someone addressed as family
    ("Hi Mum, …"): no name to show, but a person."""
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    out: list[tuple[str, str]] = []
    for i, seg in enumerate(ordered):
        if not seg.speaker:
            continue
        # A floor handed over and taken in the same turn ("Yes, Sam, you had a question. Can we …?") was
        # taken by someone under this label, not by the next voice.
        sentences = SENTENCE_END.split(seg.text.strip())
        names = sorted(
            {
                name
                for k, sentence in enumerate(sentences)
                if not _hands_over(sentences, k)
                for name in _addressed_names(sentence, kin=kin)
            }
        )
        if not names:
            continue
        reply = next((s for s in ordered[i + 1 :] if s.speaker != seg.speaker), None)
        # The addressing must be the speaker's last words before the reply (no other turn of theirs between).
        between = [s for s in ordered[i + 1 :] if reply is not None and s.start < reply.start]
        if (
            reply is not None
            and reply.speaker
            and not between
            and reply.start - seg.end <= ANSWER_WITHIN_SECONDS
        ):
            out += [(name, reply.speaker) for name in names]
    return out


def evidence(segments: Sequence[TranscriptSegment]) -> dict[str, list[str]]:
    """Label -> the distinct names its own turns give evidence for (self-introductions first)."""
    found: dict[str, list[str]] = {}
    introduced = introductions(segments)
    for name, label in introduced:
        if label and is_label(label) and name not in found.setdefault(label, []):
            found[label].append(name)
    self_named = {name for name, _ in introduced}
    answered: dict[str, set[str]] = {}
    for name, label in addressed(segments):
        if is_label(label) and name not in self_named:
            answered.setdefault(name, set()).add(label)
    for name, labels in answered.items():
        if len(labels) == 1:  # the same name answered by two voices says nothing about either
            (label,) = labels
            if name not in found.setdefault(label, []):
                found[label].append(name)
    return {label: names for label, names in found.items() if names}


def merged(segments: Sequence[TranscriptSegment], found: Mapping[str, list[str]] | None = None) -> set[str]:
    """The labels no name may go on: every label of the recording once the words show the diarizer joined
    two people anywhere in it. The signs: a voice with evidence for two names; a voice that addresses by
    name the person its own turns say it is ("Kenji, please …" under the label Kenji introduced himself on:
    nobody calls themselves by name to ask something of themselves); a voice that answers as family ("Hi
    Mum" — "Yes, love") and introduces itself by a name too; more people introducing themselves or answering
    to their name than voices. Voices of close pitch are joined together, so one join makes every
    label of that recording suspect, and a wrong name is worse than "Speaker 2". Without those signs, the
    labels that hand the floor to someone by name and keep it (`answers_itself`)."""
    found = evidence(segments) if found is None else found
    voices = {seg.speaker for seg in segments if seg.speaker and is_label(seg.speaker)}
    answering = addressed(segments, kin=True)
    people = {name for name, _ in introductions(segments)} | {name for name, _ in answering}
    # Each label's people: its names, and the family it answered for ("Hi Mum" — "Yes, love"), who is
    # someone too, if unnamed.
    heard = {label: set(names) for label, names in found.items()}
    for who, label in answering:
        if who.lower() in KIN and is_label(label):
            heard.setdefault(label, set()).add(who.lower())
    joined = len(people) > len(voices) or any(len(names) > 1 for names in heard.values())
    joined = joined or any(
        set(found.get(seg.speaker or "", ())) & _addressed_names(seg.text) for seg in segments
    )
    return set(voices) | set(found) if joined else answers_itself(segments)


def answers_itself(segments: Sequence[TranscriptSegment]) -> set[str]:
    """The labels that hand the floor to someone by name and go on speaking themselves, no other voice
    between ("Yes, Carlos, go ahead." then "Should we stop feeding them in spring?"; "Grace, can you update
    the notes?" then "Got it."): whoever took the floor is under the same label, so it is two people. Only
    that label is suspect: the words show where the join is."""
    return {label for label, _ in floor_kept(segments)}


def floor_kept(segments: Sequence[TranscriptSegment]) -> list[tuple[str, str]]:
    """(label, name) for each floor handed to someone by name and taken under the same label
    (`answers_itself`): the one it was handed to spoke, though on no voice of their own."""
    ordered = sorted(segments, key=lambda s: (s.start, s.end))
    out: list[tuple[str, str]] = []
    for i, seg in enumerate(ordered):
        if not seg.speaker or not is_label(seg.speaker):
            continue
        sentences = SENTENCE_END.split(seg.text.strip())
        after = ordered[i + 1] if i + 1 < len(ordered) else None
        goes_on = (
            after is not None
            and after.speaker == seg.speaker
            and after.start - seg.end <= ANSWER_WITHIN_SECONDS
        )
        for k, sentence in enumerate(sentences):
            if _hands_over(sentences, k, turn_goes_on=goes_on):
                out += [(seg.speaker, name) for name in sorted(_addressed_names(sentence))]
    return out


def _hands_over(sentences: Sequence[str], k: int, *, turn_goes_on: bool = False) -> bool:
    """Sentence `k` of a turn hands the floor over (`_HANDS_OVER`) and the same voice speaks next: later in
    that turn, or (`turn_goes_on`) in its next one."""
    return bool(_HANDS_OVER.search(sentences[k])) and (k + 1 < len(sentences) or turn_goes_on)


def _addressed_names(text: str, *, kin: bool = False) -> set[str]:
    places = frozenset(places_in(text))
    return {
        m.group("name")
        for m in _ADDRESS.finditer(text)
        if is_name(m.group("name"), places) or (kin and m.group("name").lower() in KIN)
    }


def speaker_names(segments: Sequence[TranscriptSegment]) -> dict[str, str]:
    """Label -> name, for each voice whose own turns give evidence for one name and that stands for one
    person (`merged`)."""
    return named_and_joined(segments)[0]


def named_and_joined(segments: Sequence[TranscriptSegment]) -> tuple[dict[str, str], set[str]]:
    """(`speaker_names`, `merged`) of the same segments, their evidence read once."""
    found = evidence(segments)
    joined = merged(segments, found)
    return _named(found, joined), joined


def _named(found: Mapping[str, list[str]], unsure: set[str]) -> dict[str, str]:
    return {label: names[0] for label, names in found.items() if label not in unsure}


def participants(segments: Sequence[TranscriptSegment], names: Mapping[str, str] | None = None) -> list[str]:
    """Who is heard: each distinct voice by name where known (else its label), then the names people gave
    that are on no voice (said on unlabelled speech, or on a voice that gave two names and is shown unnamed:
    the diarizer merged them, so the label stands for neither), then those who took a floor handed to them
    by name under the voice that handed it (`floor_kept`)."""
    found = evidence(segments)
    ambiguous = merged(segments, found)
    names = _named(found, ambiguous) if names is None else names
    out: list[str] = []
    for seg in segments:
        if seg.speaker and seg.speaker not in ambiguous:
            who = names.get(seg.speaker, seg.speaker)
            if who not in out:
                out.append(who)
    for name, label in introductions(segments):
        if name not in out and (label is None or names.get(label) != name):
            out.append(name)
    out += list(dict.fromkeys(name for _, name in floor_kept(segments) if name not in out))
    return out


def addressee(text: str) -> str | None:
    """The named person a sentence is said to ("Tom, can you …", "Mia, don't forget …"), if any."""
    m = _ADDRESS.match(text.strip())
    if m and is_name(m.group("name"), frozenset(places_in(text))):
        return m.group("name")
    return None
