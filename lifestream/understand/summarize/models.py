"""What a block summary holds. The `*Draft` models are the exact shapes asked of the chat model
(structured output: every field required, no free-form dicts); they are then merged with what LifeStream
measures itself (times, evidence, reliability)."""

from __future__ import annotations

from pydantic import BaseModel, Field

# A block's title, however it is written (the rules, the local model, OpenAI), counts at most this many words,
# the joining "and" included: the diary and the day's list show it on one line.
MAX_TITLE_WORDS = 8


class ActionItem(BaseModel):
    text: str
    owner: str | None = None
    at: float | None = None  # seconds from the video start, when tied to a moment


class SpeakerSummary(BaseModel):
    speaker: str
    summary: str


class BlockSummary(BaseModel):
    title: str
    activity: str
    location: str
    participants: list[str] = Field(default_factory=list)
    per_speaker: list[SpeakerSummary] = Field(default_factory=list)
    visual_summary: str
    key_points: list[str] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)


# --- structured-output shapes for OpenAI ----------------------------------------------------------------
class ActionItemDraft(BaseModel):
    text: str = Field(description="The commitment or task, as said")
    owner: str | None = Field(description="Who will do it, if said; null otherwise")


class SpeakerSummaryDraft(BaseModel):
    speaker: str
    summary: str


class BlockSummaryDraft(BaseModel):
    title: str = Field(description=f"At most {MAX_TITLE_WORDS} words")
    activity: str = Field(description="What happened, 1-2 sentences, only from the evidence")
    location: str = Field(description="Where, only if said or visible; otherwise 'Unknown'")
    participants: list[str] = Field(description="People present or speaking, by name or label")
    per_speaker: list[SpeakerSummaryDraft]
    key_points: list[str]
    action_items: list[ActionItemDraft]


class VisualDraft(BaseModel):
    summary: str = Field(description="What the images show, 1-3 sentences; only what is visible")
    visible_text: list[str] = Field(description="Readable text in the images (signs, slides, screens)")
    setting: str | None = Field(description="The kind of place, if evident from the images; null otherwise")
