"""Block summaries from an OpenAI chat model, as structured output parsed into pydantic."""

from __future__ import annotations

from collections.abc import Sequence

from lifestream.core.errors import TransientError
from lifestream.core.llm import call_openai
from lifestream.core.models import TranscriptSegment
from lifestream.core.timefmt import hms
from lifestream.understand.summarize.tasks import action_items as extractive_actions
from lifestream.understand.summarize.models import ActionItem, BlockSummary, BlockSummaryDraft, SpeakerSummary

SYSTEM_PROMPT = (
    "You write one entry of a personal video diary from evidence: a timestamped transcript and a description "
    "of the pictures. Use only that evidence. Do not invent names, places or events; use 'Unknown' when the "
    "evidence does not say. Action items are commitments or tasks someone stated, with the owner if stated."
)
MAX_TRANSCRIPT_CHARS = 24_000


def _transcript_text(segments: Sequence[TranscriptSegment]) -> str:
    lines = [f"[{hms(s.start)}] {s.speaker + ': ' if s.speaker else ''}{s.text}" for s in segments]
    text = "\n".join(lines)
    if len(text) > MAX_TRANSCRIPT_CHARS:
        # Keep the beginning and the end: decisions tend to be stated there.
        half = MAX_TRANSCRIPT_CHARS // 2
        text = text[:half] + "\n[…]\n" + text[-half:]
    return text


def summarize_block_openai(
    client,
    model: str,
    segments: Sequence[TranscriptSegment],
    *,
    block_start: float,
    block_end: float,
    visual_summary: str,
) -> BlockSummary:
    transcript = _transcript_text(segments) or "(no speech)"
    user = (
        f"Time: {hms(block_start)} - {hms(block_end)} of the video.\n\n"
        f"Transcript:\n{transcript}\n\nPictures: {visual_summary}"
    )
    completion = call_openai(
        "summary",
        lambda c: c.chat.completions.parse(
            model=model,
            messages=[{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
            response_format=BlockSummaryDraft,
            temperature=0.2,
        ),
        client=client,
    )
    message = completion.choices[0].message
    draft = message.parsed
    if draft is None:
        raise TransientError(f"the summary model returned no structured answer: {message.refusal or 'empty'}")
    times = {item.text.lower(): item.at for item in extractive_actions(segments)}
    return BlockSummary(
        title=draft.title.strip() or "Untitled",
        activity=draft.activity.strip(),
        location=draft.location.strip() or "Unknown",
        participants=[p.strip() for p in draft.participants if p.strip()],
        per_speaker=[SpeakerSummary(speaker=p.speaker, summary=p.summary) for p in draft.per_speaker],
        visual_summary=visual_summary,
        key_points=draft.key_points,
        action_items=[
            ActionItem(text=a.text, owner=a.owner, at=times.get(a.text.lower())) for a in draft.action_items
        ],
    )
