"""Which summarizer writes a video's block summaries: `settings.summarizer`, with "auto" decided once per
video (OpenAI with a key, else the local model when one is installed, else the extractive rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from lifestream.core.settings import Settings

Summarizer = Literal["openai", "local", "extractive"]


def choose_summarizer(settings: Settings) -> Summarizer:
    if settings.summarizer != "auto":
        return settings.summarizer
    if settings.has_openai:
        return "openai"
    from lifestream.core.local_llm import model_installed

    return "local" if model_installed(settings.llm_model) else "extractive"
