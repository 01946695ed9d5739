"""Offline summaries: key sentences by word salience, action items from commitment phrases.

Nothing here guesses beyond the transcript: the location is filled only when a place is named, the
participants only when speakers are labelled, and the visual summary is the scene timeline.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from lifestream.core.models import TranscriptSegment
from lifestream.core.text import STOPWORDS, words
from lifestream.understand.summarize.models import ActionItem, BlockSummary, SpeakerSummary

# A commitment: someone says they (or others) will do something.
COMMITMENT = re.compile(
    r"\b(I will|I'll|I am going to|I'm going to|we will|we'll|we are going to|we're going to|let's|let us|"
    r"we need to|we have to|I need to|I have to|you need to|you should|we should|remember to|"
    r"don't forget to|do not forget to|make sure to|todo|to-do|action item)\b",
    re.IGNORECASE,
)
_NAMED_OWNER = re.compile(r"\b([A-Z][a-z]+) (?:will|is going to|needs to|has to)\b")
_PLACE = re.compile(
    r"\b(?:at|in|to|from|inside|outside) (?:the|my|our|a) "
    r"(office|kitchen|garden|park|station|airport|school|classroom|meeting room|conference room|cafe|café|"
    r"restaurant|shop|store|supermarket|gym|beach|hospital|clinic|library|studio|lab|laboratory|car|bus|train|"
    r"street|house|home|living room|bedroom|garage|warehouse|factory|hotel|church|museum|stadium|market)\b",
    re.IGNORECASE,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
NOT_NAMED = "Not mentioned"


def sentences(segments: Sequence[TranscriptSegment]) -> list[tuple[str, TranscriptSegment]]:
    out = []
    for seg in segments:
        for sentence in _SENTENCE_SPLIT.split(seg.text.strip()):
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


def action_items(segments: Sequence[TranscriptSegment]) -> list[ActionItem]:
    found: list[ActionItem] = []
    seen: set[str] = set()
    for text, seg in sentences(segments):
        match = COMMITMENT.search(text)
        named = _NAMED_OWNER.search(text)
        if named and named.group(1).lower() in STOPWORDS:
            named = None  # "It will rain" is not a commitment
        if not match and not named:
            continue
        phrase = match.group(1).lower() if match else ""
        if phrase.startswith(("i ", "i'")):
            owner = seg.speaker or "Speaker"
        elif phrase.startswith(("we", "let")):
            owner = "Group"
        elif named and named.group(1).lower() not in STOPWORDS:
            owner = named.group(1)
        else:
            owner = None
        key = text.lower()
        if key not in seen:
            seen.add(key)
            found.append(ActionItem(text=text, owner=owner, at=seg.start))
    return found


def _title(sentence: str, max_words: int = 8) -> str:
    tokens = sentence.rstrip(".!?").split()
    short = " ".join(tokens[:max_words])
    return short + ("…" if len(tokens) > max_words else "")


def summarize_block(
    segments: Sequence[TranscriptSegment], *, visual_summary: str, scene_count: int
) -> BlockSummary:
    items = sentences(segments)
    speakers = sorted({s.speaker for s in segments if s.speaker})
    if not items:
        return BlockSummary(
            title=f"No speech ({scene_count} scene{'s' if scene_count != 1 else ''})",
            activity="No speech in this part of the video.",
            location=NOT_NAMED,
            participants=[],
            visual_summary=visual_summary,
        )
    keys = key_sentences(items)
    places = [m.group(0) for text, _ in items for m in [_PLACE.search(text)] if m]
    per_speaker = []
    for speaker in speakers:
        own = [(t, s) for t, s in items if s.speaker == speaker]
        per_speaker.append(
            SpeakerSummary(speaker=speaker, summary=" ".join(t for t, _ in key_sentences(own, 2)))
        )
    return BlockSummary(
        title=_title(keys[0][0]),
        activity=" ".join(text for text, _ in keys),
        location=f"Mentioned: {places[0]}" if places else NOT_NAMED,
        participants=speakers,
        per_speaker=per_speaker,
        visual_summary=visual_summary,
        key_points=[text for text, _ in keys],
        action_items=action_items(segments),
    )
