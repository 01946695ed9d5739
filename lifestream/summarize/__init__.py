"""Stage 7: a summary per block — OpenAI structured output, or offline extractive — plus source reliability."""

from lifestream.summarize.extractive import summarize_block as summarize_block_extractive
from lifestream.summarize.models import ActionItem, BlockSummary, SpeakerSummary
from lifestream.summarize.reliability import Evidence, reliability

__all__ = [
    "ActionItem",
    "BlockSummary",
    "Evidence",
    "SpeakerSummary",
    "reliability",
    "summarize_block_extractive",
]
