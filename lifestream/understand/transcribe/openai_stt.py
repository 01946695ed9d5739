"""Speech-to-text through OpenAI's transcription endpoint, one audio window per request.

Requests are limited to 25 MB: windows are sent as 16 kHz mono 16-bit WAV (32 kB/s), so a 600 s window
(~19 MB) stays well under the limit. `whisper-1` returns segments with `verbose_json`; the
`gpt-4o-transcribe-diarize` model returns speaker-labelled segments with `diarized_json`.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import numpy as np

from lifestream.core.llm import call_openai, openai_client
from lifestream.core.models import TranscriptSegment
from lifestream.core.settings import Settings
from lifestream.media.audio import SAMPLE_RATE, wav_bytes

MAX_REQUEST_BYTES = 25 * 1024 * 1024
DEFAULT_WINDOW_SECONDS = 600.0
DEFAULT_OVERLAP_SECONDS = 2.0


def max_window_seconds(overlap: float) -> float:
    """Longest window (plus overlap on both sides) whose WAV body fits a request with headroom."""
    return (MAX_REQUEST_BYTES * 0.95 - 1024) / (SAMPLE_RATE * 2) - 2 * overlap


def _field(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


class OpenAITranscriber:
    name = "openai"

    def __init__(self, settings: Settings, *, client=None) -> None:
        self.model = settings.openai_transcription_model
        self.client = client or openai_client(settings)
        self.diarize = "diarize" in self.model

    @property
    def label(self) -> str:
        return f"OpenAI {self.model}"

    @property
    def uses_speaker_references(self) -> bool:
        return self.diarize

    def transcribe(
        self,
        samples: np.ndarray,
        *,
        language: str | None,
        references: Sequence[tuple[str, np.ndarray]] = (),
    ) -> tuple[list[TranscriptSegment], str | None]:
        body = wav_bytes(samples)
        if len(body) > MAX_REQUEST_BYTES:
            raise ValueError(f"audio window of {len(body)} bytes exceeds the 25 MB request limit")
        params: dict[str, Any] = {"model": self.model, "file": ("window.wav", body, "audio/wav")}
        if self.diarize:
            params.update(response_format="diarized_json", chunking_strategy="auto")
            if references:
                params["known_speaker_names"] = [name for name, _ in references]
                params["known_speaker_references"] = [
                    "data:audio/wav;base64," + base64.b64encode(wav_bytes(clip)).decode("ascii")
                    for _, clip in references
                ]
        else:
            params.update(response_format="verbose_json", timestamp_granularities=["segment"])
        if language:
            params["language"] = language
        result = call_openai(
            "transcription", lambda c: c.audio.transcriptions.create(**params), client=self.client
        )
        segments = []
        for seg in _field(result, "segments", None) or []:
            text = (_field(seg, "text") or "").strip()
            if not text:
                continue
            speaker = _field(seg, "speaker")
            segments.append(
                TranscriptSegment(
                    start=float(_field(seg, "start", 0.0)),
                    end=float(_field(seg, "end", 0.0)),
                    text=text,
                    # The raw label; transcribe_audio maps it to a name that is stable across windows.
                    speaker=str(speaker) if speaker else None,
                )
            )
        if not segments and (_field(result, "text") or "").strip():
            # Models without segment timestamps: one segment for the window.
            duration = float(_field(result, "duration", None) or len(samples) / SAMPLE_RATE)
            segments.append(TranscriptSegment(start=0.0, end=duration, text=_field(result, "text").strip()))
        detected = _field(result, "language", None)
        # verbose_json names the language ("english"); the request parameter wants ISO-639-1.
        return segments, detected if isinstance(detected, str) and len(detected) == 2 else language
