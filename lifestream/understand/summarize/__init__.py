"""The summarize stage's parts: a summary per block (OpenAI structured output, the local model, or the
offline extractive rules; `choice` picks one) plus source reliability."""

from lifestream.understand.summarize.extractive import summarize_block as summarize_block_extractive
from lifestream.understand.summarize.models import ActionItem, BlockSummary, SpeakerSummary
from lifestream.understand.summarize.reliability import Evidence, reliability

__all__ = [
    "ActionItem",
    "BlockSummary",
    "Evidence",
    "SpeakerSummary",
    "reliability",
    "summarize_block_extractive",
]
