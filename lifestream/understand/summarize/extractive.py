"""Offline summaries: a title from key phrases, key sentences by word salience, action items from
commitment phrases (tasks.py), names from the voices' own evidence (names.py), places from a gazetteer.

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
from lifestream.core.places import location_text
from lifestream.core.text import STOPWORDS, TIME_WORDS, words
from lifestream.understand.summarize.gazetteer import places_in, places_on_screen
from lifestream.understand.summarize.models import MAX_TITLE_WORDS, BlockSummary, SpeakerSummary
from lifestream.understand.summarize.names import introductions, is_label, participants, speaker_names
from lifestream.understand.summarize.tasks import action_items, sentences

__all__ = ["action_items", "introductions", "is_label", "participants", "sentences", "speaker_names"]

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
