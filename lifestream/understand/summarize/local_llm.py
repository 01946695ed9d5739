"""Block summaries from the local language model: one focused task per prompt, then grounding.

A 0.5B model asked for a whole summary at once names speakers "Hello?" and titles blocks with their first
words; asked one thing at a time (a title and a said location),
with one worked example, it does much better (bench/bench_llm.py). Every name, place and number it returns
must be traced in the transcript or on-screen text (`grounding`). Who, where and the action items come from
the extractive rules, which the model may narrow, never widen (on bench/quality it widened participants and
dropped real tasks), and a failed task falls back to the extractive field, so a bad answer costs a field,
not the block.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from lifestream.core.local_llm import LocalLLM, LocalLLMError
from lifestream.core.models import TranscriptSegment
from lifestream.core.places import NOT_NAMED
from lifestream.understand.summarize.extractive import fit_title, key_sentences, participants, speaker_names
from lifestream.understand.summarize.extractive import summarize_block as summarize_extractive
from lifestream.understand.summarize.grounding import (
    TASK_SCORE,
    Evidence,
    grounded_place,
    grounded_sentences,
    normalize,
    ungrounded_details,
)
from lifestream.understand.summarize.models import MAX_TITLE_WORDS, ActionItem, BlockSummary, SpeakerSummary
from lifestream.understand.summarize.tasks import COMMITMENT, sentences

log = logging.getLogger(__name__)

# ≈ 600 tokens. Reading the prompt is most of a block's cost (75 tokens/s on one core against 13 generated):
# 6,000 characters took ~20 s a block. A longer block is given its opening and its most central sentences.
MAX_TRANSCRIPT_CHARS = 2_400
# Every string the model writes is bounded, so the grammar ends the JSON inside max_tokens (issue 19).
# The heading prompt asks for no activity: generating is ~6x slower than reading a token (13 against 75
# tokens/s on one core) and the activity was most of the 73 tokens a heading took, while the rules' activity
# (the block's central sentences) is already what the 0.5B model restated (bench/RESULTS.md, issue 19).
TITLE_CHARS, ACTIVITY_CHARS, PLACE_CHARS, TASK_CHARS = 64, 120, 48, 200
# Text read on screen goes into the prompt only this far: OCR of a busy frame is long and mostly noise.
MAX_SCREEN_CHARS = 240
# A block with fewer words of speech than this is told by the extractive rules alone: there is nothing
# for a model to condense, and a call costs seconds.
MIN_WORDS_FOR_MODEL = 12


# --- what each task returns (the JSON schema the model is constrained to) ---------------------------------
class SpeakerName(BaseModel):
    label: str = Field(description="The speaker label exactly as in the transcript, e.g. 'Speaker 1'", max_length=24)
    name: str | None = Field(
        description="The name this speaker says is theirs; null if they do not say it", max_length=PLACE_CHARS
    )


class NamesDraft(BaseModel):
    speakers: list[SpeakerName] = Field(max_length=4)


class HeadingDraft(BaseModel):
    title: str = Field(
        description=f"At most {MAX_TITLE_WORDS} words, in your own words", max_length=TITLE_CHARS
    )
    location: str | None = Field(description="A place named in the transcript, else null", max_length=PLACE_CHARS)


class TaskDraft(BaseModel):
    task: str = Field(description="The commitment, as said", max_length=TASK_CHARS)
    speaker: str | None = Field(description="Label of the speaker who said it, or null", max_length=24)


class TaskTextsDraft(BaseModel):
    items: list[TaskDraft] = Field(max_length=4)


class SingleDraft(BaseModel):
    """Everything in one prompt: kept to measure the focused prompts against (bench/bench_llm.py)."""

    title: str = Field(max_length=TITLE_CHARS)
    activity: str = Field(max_length=ACTIVITY_CHARS)
    location: str | None = Field(max_length=PLACE_CHARS)
    speakers: list[SpeakerName] = Field(max_length=4)
    action_items: list[TaskDraft] = Field(max_length=4)


# --- prompts: one task each, each with a short example ------------------------------------------------
HEADING_SYSTEM = (
    "You write the heading of one diary entry from a transcript. "
    f"title: at most {MAX_TITLE_WORDS} words that say what the "
    "part is about, in your own words; never copy the first words of the transcript. location: a place that is named in the transcript (a city, a shop, a "
    "room), copied as said; null if no place is named. Use only the transcript."
)
HEADING_EXAMPLE = (
    (
        "Speaker 1: Good morning. Right, so the boiler is making that noise again.",
        "Speaker 2: I'll call the plumber in Leeds tomorrow. The kitchen tap drips too.",
    ),
    {
        "title": "Boiler noise and a dripping tap",
        "location": "Leeds",
    },
)
SINGLE_SYSTEM = (
    "You write one entry of a video diary from a transcript. "
    f"Return: title (at most {MAX_TITLE_WORDS} words), activity (1-2 "
    "sentences), location (a place named in the transcript, else null), speakers (each label with the name "
    "that speaker says is theirs, else null), action_items (commitments as said, with the speaker label). "
    "Use only the transcript."
)


def transcript_text(segments: Sequence[TranscriptSegment], limit: int = MAX_TRANSCRIPT_CHARS) -> str:
    """The block's speech as the model reads it: all of it when it fits `limit`, else the opening sentences
    (introductions) and then the block's most central ones (extractive.key_sentences), in the order said,
    with "[…]" where sentences were left out."""
    lines = [f"{s.speaker + ': ' if s.speaker else ''}{s.text.strip()}" for s in segments if s.text.strip()]
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    items = sentences(segments)
    opening = set(range(min(2, len(items))))

    def chosen(k: int) -> set[int]:
        picked = {id(item) for item in key_sentences(items, k)}
        return opening | {i for i, item in enumerate(items) if id(item) in picked}

    def size(keep: set[int]) -> int:
        return sum(len(items[i][0]) + 12 for i in keep)

    lo, hi = 0, len(items)  # the most central sentences that fit (top-k sets nest as k grows)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if size(chosen(mid)) <= limit else (lo, mid - 1)
    out, previous, last = [], -1, None
    for i in sorted(chosen(lo)):
        sentence, seg = items[i]
        if i != previous + 1:
            out.append("[…]")
            last = None
        if out and seg.speaker == last and out[-1] != "[…]":
            out[-1] += " " + sentence
        else:
            out.append(f"{seg.speaker + ': ' if seg.speaker else ''}{sentence}")
        previous, last = i, seg.speaker
    return "\n".join(out)[: limit + 200]


def screen_prompt(screen_text: Sequence[str], limit: int = MAX_SCREEN_CHARS) -> str:
    """What was read on screen, as the prompt shows it: each distinct text with a word in it, once, within
    `limit` characters (the grounding still sees all of it)."""
    kept: list[str] = []
    for text in dict.fromkeys(" ".join(t.split()) for t in screen_text):
        if not re.search(r"[^\W\d_]{3}", text):
            continue  # digits and stray letters: a clock, a counter, OCR noise
        if sum(len(k) + 2 for k in kept) + len(text) > limit:
            break
        kept.append(text)
    return "; ".join(kept)


def _messages(
    system: str, example: tuple[tuple[str, ...], dict], transcript: str, extra: str = ""
) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": "Transcript:\n" + "\n".join(example[0])},
        # Compact, as the bounded grammar makes the model write it.
        {"role": "assistant", "content": json.dumps(example[1], separators=(",", ":"))},
        {"role": "user", "content": f"Transcript:\n{transcript}{extra}"},
    ]


def _ask(llm: LocalLLM, messages, schema, max_tokens: int | None):
    try:
        return llm.chat(messages, schema, max_tokens=max_tokens).value
    except LocalLLMError as exc:
        log.warning("local LLM %s: %s (that part falls back to extractive)", schema.__name__, exc)
        return None


# --- grounding of each answer ---------------------------------------------------------------------------
def _is_prefix_title(title: str, segments: Sequence[TranscriptSegment]) -> bool:
    """The title starts as a sentence of the transcript starts ("Good morning, planting…"): a copy."""
    head = normalize(title).split()
    if len(head) < 2:
        return not head
    starts = [normalize(" ".join(s.text for s in segments[:3]))] + [
        normalize(t) for t, _ in sentences(segments)
    ]
    return any(start.split()[:2] == head[:2] for start in starts)


def ground_heading(
    draft: HeadingDraft | None,
    segments: Sequence[TranscriptSegment],
    evidence: Evidence,
    activity: str | None = None,
) -> tuple[str | None, str | None, str | None]:
    """(title, activity, location), each None where the model's version cannot be kept; the activity is the
    single prompt's (`activity`), the focused heading does not ask for one."""
    if draft is None:
        return None, None, None
    title = fit_title(draft.title.strip().strip("\"'").rstrip(".")) or None
    if title and (_is_prefix_title(title, segments) or ungrounded_details(title, evidence)):
        title = None
    activity = grounded_sentences(activity, evidence) or None if activity else None
    return title, activity, grounded_place(draft.location, evidence)


def with_owners(
    items: Sequence[ActionItem], segments: Sequence[TranscriptSegment], names: dict[str, str]
) -> list[ActionItem]:
    """The rule's tasks; a first-person one ("I'll send…") said by a voice named only in an earlier block of
    the video gets that name as its owner (the rule reads one block)."""
    out = []
    for item in items:
        owner = item.owner
        seg = _segment_of(item, segments)
        m = COMMITMENT.search(item.text)
        if owner is None and seg is not None and m is not None and m.group("me"):
            owner = names.get(seg.speaker or "")
        out.append(item.model_copy(update={"owner": owner}))
    return out


def _segment_of(item: ActionItem, segments: Sequence[TranscriptSegment]) -> TranscriptSegment | None:
    return next((s for s in segments if s.start == item.at and item.text in s.text), None)


def ground_tasks(
    draft: TaskTextsDraft | None,
    segments: Sequence[TranscriptSegment],
    names: dict[str, str],
    evidence: Evidence,
) -> list[ActionItem] | None:
    """Tasks traceable to a sentence of the transcript; owner only when its speaker is named."""
    if draft is None:
        return None
    said = sentences(segments)
    texts = [t for t, _ in said]
    out: list[ActionItem] = []
    seen: set[int] = set()
    for item in draft.items:
        if not item.task.strip():
            continue
        index, score = evidence.best_sentence(item.task, texts)
        if index < 0 or score < TASK_SCORE or index in seen or ungrounded_details(item.task, evidence):
            continue
        sentence, segment = said[index]
        # A 0.5B model lists most sentences as tasks; the commitment wording must be there too.
        if not COMMITMENT.search(sentence):
            continue
        seen.add(index)
        # Who said it comes from the transcript's own label, not from the model's guess of it.
        owner = names.get(segment.speaker or "")
        out.append(ActionItem(text=sentence, owner=owner, at=segment.start))
    return out


def summarize_block_local(
    llm: LocalLLM,
    segments: Sequence[TranscriptSegment],
    *,
    visual_summary: str,
    scene_count: int,
    screen_text: Sequence[str] = (),
    single_prompt: bool = False,
    raw: dict | None = None,
    known_names: dict[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> BlockSummary:
    """The block's summary. `names` (label → name), when given, are the voices named from the whole video's
    turns (names.py) and are final. Otherwise `known_names` carries names the rule found in earlier blocks
    of the video, so that someone who introduced themselves once stays named; it is updated with this
    block's. The model never names a voice: a name needs evidence in that voice's own turns (issue 19; the
    0.5B model put introduced names on the wrong voice). `raw`, if given, receives the model's answers
    before grounding (bench)."""
    base = summarize_extractive(
        segments, visual_summary=visual_summary, scene_count=scene_count, names=names
    )
    transcript = transcript_text(segments)
    if not transcript:
        return base  # no speech: nothing for a language model to read
    # Next to no speech: the rules' heading is all there is to say, and a call costs seconds.
    asking = len(transcript.split()) >= MIN_WORDS_FOR_MODEL
    labels = sorted({s.speaker for s in segments if s.speaker})
    ruled = dict(names) if names is not None else speaker_names(segments)
    evidence = Evidence([s.text for s in segments] + list(screen_text) + [visual_summary])
    shown = screen_prompt(screen_text)
    seen = f"\n\nOn screen: {shown}" if shown else ""
    single_activity = None
    if not asking:
        names_d = heading_d = tasks_d = None
    elif single_prompt:
        draft = _ask(
            llm,
            [
                {"role": "system", "content": SINGLE_SYSTEM},
                {"role": "user", "content": f"Transcript:\n{transcript}{seen}"},
            ],
            SingleDraft,
            None,
        )
        names_d = None  # its speakers are not taken: see the docstring
        heading_d = (
            HeadingDraft(title=draft.title, location=draft.location)
            if draft
            else None
        )
        tasks_d = TaskTextsDraft(items=draft.action_items) if draft else None
        single_activity = draft.activity if draft else None
    else:
        names_d = None  # never asked: see the docstring
        heading_d = _ask(llm, _messages(HEADING_SYSTEM, HEADING_EXAMPLE, transcript, seen), HeadingDraft, None)
        tasks_d = None
    if raw is not None:
        raw.update(names=names_d, heading=heading_d, tasks=tasks_d)
    block_names = {label: n for label, n in (known_names or {}).items() if label in labels}
    block_names.update({k: v for k, v in ruled.items() if k in labels})
    if known_names is not None:
        known_names.update(block_names)
    names = block_names
    title, activity, place = ground_heading(heading_d, segments, evidence, activity=single_activity)
    if single_prompt:
        tasks = ground_tasks(tasks_d, segments, names, evidence)
    else:
        tasks = with_owners(base.action_items, segments, names)
    return base.model_copy(
        update={
            "title": title or base.title,
            "activity": activity or base.activity,
            # The gazetteer's places, when it found any, are more often right than the model's.
            "location": base.location if base.location != NOT_NAMED else (place or base.location),
            "participants": participants(segments, names),
            "per_speaker": [
                SpeakerSummary(speaker=names.get(p.speaker, p.speaker), summary=p.summary)
                for p in base.per_speaker
            ],
            "action_items": base.action_items if tasks is None else tasks,
        }
    )
