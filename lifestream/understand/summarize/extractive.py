"""Offline summaries: a title from key phrases, key sentences by word salience, action items from
commitment phrases, names from self-introductions, places from a gazetteer.

Nothing here guesses beyond the transcript. An owner is given only when a named person is speaking or
named ("Maria will book the room"), never a placeholder like "Group" or "Speaker"; a place only when
one is said; participants only from the speakers heard and the names they give.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from lifestream.core.models import TranscriptSegment
from lifestream.core.text import STOPWORDS, words
from lifestream.understand.summarize.gazetteer import places_in
from lifestream.understand.summarize.models import ActionItem, BlockSummary, SpeakerSummary

# Who commits, by the phrase that opens the commitment; what follows must be a task (a verb and its object).
_FIRST_PERSON = r"I will|I'll|I am going to|I'm going to|I need to|I have to|I've got to|I must|I should"
_GROUP = r"we will|we'll|we are going to|we're going to|let's|let us|we need to|we have to|we should|we must"
_ANYONE = (
    r"you need to|you have to|you must|remember to|don't forget to|do not forget to|make sure to|"
    r"make sure you|please"
)
COMMITMENT = re.compile(
    rf"\b(?:(?P<me>{_FIRST_PERSON})|(?P<we>{_GROUP})|(?P<anyone>{_ANYONE}))\s+(?P<rest>.+)", re.IGNORECASE
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
# Capitalised words that are not people: times, greetings, words that open a sentence.
_TIME_WORDS = (
    "today tomorrow tonight yesterday monday tuesday wednesday thursday friday saturday sunday january february "
    "march april may june july august september october november december morning afternoon evening weekend "
    "next last week month year "
)
_NOT_NAMES = frozenset(
    (
        _TIME_WORDS
        + "everyone everybody someone somebody nobody group team speaker unknown hello hi hey sorry "
        "sure fine good great thanks thank please god mom mum dad okay yes no here there"
    ).split()
)
# "This is Diane", "I'm Sheila", "my name is Ana" — a name said about oneself.
_INTRO = re.compile(
    r"(?i:\b(?:my name is|my name's|this is|i am|i'm|call me|it's)\s+)"
    r"(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b"
)
# Diarization labels ("Speaker 1", "SPEAKER_00", "spk2", OpenAI's "Speaker A"): a voice, not yet a name.
_LABEL = re.compile(
    r"^(?:(?:speaker|spk|voice|unknown)(?:[\s_\-]*\d+|\s[A-Z])?|group|everyone|team|narrator)$", re.IGNORECASE
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
# Words that carry no topic in a title ("hello", "originally").
_TITLE_FILLER = frozenset(
    (
        _TIME_WORDS
        + "hello hi hey bye thanks thank sorry sure fine good great lot much many little bit kind "
        "sort way time day said says say tell told want wanted need needed make made take come came see saw "
        "look looked let lets went gonna wanna remember forget might must could would shall can ought rather "
        "even still quite course always never often ever across toward towards behind around near without within upon onto "
        "beside beyond along among"
    ).split()
)
_BRIDGES = frozenset({"the", "a", "an", "of", "my", "our", "your", "his", "her", "their"})
NOT_NAMED = "Not mentioned"
MAX_TITLE_WORDS = 8


def is_label(speaker: str | None) -> bool:
    """True for a diarization label or placeholder, which names no one."""
    return not speaker or bool(_LABEL.match(speaker.strip()))


def _is_name(word: str, not_names: frozenset[str] = frozenset()) -> bool:
    low = word.lower()
    return low not in STOPWORDS and low not in _NOT_NAMES and word not in not_names and not is_label(word)


def sentences(segments: Sequence[TranscriptSegment]) -> list[tuple[str, TranscriptSegment]]:
    out = []
    for seg in segments:
        for sentence in _SENTENCE_SPLIT.split(seg.text.strip()):
            if sentence.strip():
                out.append((sentence.strip(), seg))
    return out


def introductions(segments: Sequence[TranscriptSegment]) -> list[tuple[str, str | None]]:
    """(name, the speaker label it was said under) for each self-introduction, first time each name."""
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for seg in segments:
        places = frozenset(places_in(seg.text))
        for m in _INTRO.finditer(seg.text):
            name = m.group("name")
            if _is_name(name, places) and name not in seen:
                seen.add(name)
                out.append((name, seg.speaker))
    return out


def speaker_names(segments: Sequence[TranscriptSegment]) -> dict[str, str]:
    """Label → name, where a labelled voice introduced itself (one name per label, the first said)."""
    names: dict[str, str] = {}
    for name, label in introductions(segments):
        if label and is_label(label) and label not in names and name not in names.values():
            names[label] = name
    return names


def participants(segments: Sequence[TranscriptSegment], names: Mapping[str, str] | None = None) -> list[str]:
    """Who is heard: each distinct speaker by name where known (else its label), then names introduced
    on unlabelled speech. The diary counts the remaining labels as unnamed speakers."""
    names = speaker_names(segments) if names is None else names
    out: list[str] = []
    for seg in segments:
        if seg.speaker:
            who = names.get(seg.speaker, seg.speaker)
            if who not in out:
                out.append(who)
    for name, label in introductions(segments):
        # A second name introduced under a voice already named is someone else the diarizer merged into it
        # (bench/quality: Sheila, on the real call, came out under Diane's label): present all the same.
        if name not in out and (label is None or names.get(label) != name):
            out.append(name)
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
        if text.rstrip().endswith("?"):
            continue  # "Should we go?" asks; it does not commit
        owner: str | None = None
        marker = _MARKER.search(text)
        match = COMMITMENT.search(text)
        named = _NAMED_OWNER.search(text)
        if marker and _task(marker.group("rest")):
            pass
        elif match and _task(match.group("rest")) and not _conditional(text, match.start()):
            if match.group("me"):
                speaker = names.get(seg.speaker or "", seg.speaker)
                owner = speaker if speaker and not is_label(speaker) else None
        elif (
            named and _is_name(named.group("name"), frozenset(places_in(text))) and _task(named.group("rest"))
        ):
            owner = named.group("name")
        else:
            continue
        key = text.lower()
        if key not in seen:
            seen.add(key)
            found.append(ActionItem(text=text, owner=owner, at=seg.start))
    return found


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
        if total + len(phrase.split()) > max_words:
            continue
        chosen.append((order, phrase))
        used |= ws
        total += len(phrase.split())
        if len(chosen) == 3:
            break
    phrases = [p for _, p in sorted(chosen)]
    joined = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return joined[0].upper() + joined[1:]


def summarize_block(
    segments: Sequence[TranscriptSegment], *, visual_summary: str, scene_count: int
) -> BlockSummary:
    items = sentences(segments)
    if not items:
        return BlockSummary(
            title=f"No speech ({scene_count} scene{'s' if scene_count != 1 else ''})",
            activity="No speech in this part of the video.",
            location=NOT_NAMED,
            participants=[],
            visual_summary=visual_summary,
        )
    names = speaker_names(segments)
    people = participants(segments, names)
    keys = key_sentences(items)
    full_text = " ".join(text for text, _ in items)
    place_list = places_in(full_text, not_places=frozenset(people))
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
        location=f"Mentioned: {', '.join(place_list[:3])}" if place_list else NOT_NAMED,
        participants=people,
        per_speaker=per_speaker,
        visual_summary=visual_summary,
        key_points=[text for text, _ in keys],
        action_items=action_items(segments, names),
    )
