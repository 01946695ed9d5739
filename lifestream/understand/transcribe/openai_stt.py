"""Speech-to-text through OpenAI's transcription endpoint, in windows of 16 kHz mono WAV (a 600 s window is
~19 MB, under the 25 MB request limit).

Each model takes its own request shape (openai/types/audio/transcription_create_params.py): `whisper-1`
answers timed segments (`verbose_json`), `gpt-4o-transcribe-diarize` timed, speaker-labelled ones
(`diarized_json`, `chunking_strategy="auto"`), and the other GPT transcribers only untimed text. For those
the window is cut at its pauses into pieces of at most `PIECE_SECONDS`, each voiced piece becomes one
segment over its voiced stretch, and the previous piece's text goes along as `prompt` so no words are lost
at a cut.
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
WHISPER_MODEL = "whisper-1"
# Text-only answers are timed by the piece they came from: short enough that a cited moment stays within
# the ~25 s an answer quotes, long enough for the model to have a sentence of context.
PIECE_SECONDS = 15.0
FRAME_SECONDS = 0.1
# A 100 ms frame is taken as speech when its RMS (samples in [-1, 1]) is at least this share of the
# window's loud frames (95th percentile), and never below the pipeline's silence floor: relative, so a
# quietly recorded talk is not skipped as silence; stretches of only quieter frames are not sent, and a
# piece's segment is trimmed to its first and last speech frame.
PIECE_SPEECH_SHARE = 0.05
PIECE_SILENCE_FLOOR = 1e-3
# The end of the previous piece's text, sent as `prompt`: the model continues it rather than restarting.
PROMPT_CHARS = 200


def request_shape(model: str) -> str:
    """ "verbose" (whisper-1), "diarized" (the -diarize model) or "text" (text-only answers: json/text)."""
    if model == WHISPER_MODEL:
        return "verbose"
    if "diarize" in model:
        return "diarized"
    return "text"


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
        self.shape = request_shape(self.model)
        self.diarize = self.shape == "diarized"

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
        if self.shape == "text":
            return self._transcribe_pieces(samples, language=language), language
        params = self._params(samples, language=language)
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

    def _params(self, samples: np.ndarray, *, language: str | None) -> dict[str, Any]:
        body = wav_bytes(samples)
        if len(body) > MAX_REQUEST_BYTES:
            raise ValueError(f"audio window of {len(body)} bytes exceeds the 25 MB request limit")
        params: dict[str, Any] = {"model": self.model, "file": ("window.wav", body, "audio/wav")}
        if language:
            params["language"] = language
        return params

    def _transcribe_pieces(self, samples: np.ndarray, *, language: str | None) -> list[TranscriptSegment]:
        """Text-only models: one request per voiced piece, each answer timed by its piece (module doc)."""
        segments: list[TranscriptSegment] = []
        previous = ""
        for start, end in voiced_pieces(samples, SAMPLE_RATE):
            params = self._params(
                samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)], language=language
            )
            params["response_format"] = "json"
            if previous:
                params["prompt"] = previous[-PROMPT_CHARS:]
            result = call_openai(
                "transcription", lambda c, p=params: c.audio.transcriptions.create(**p), client=self.client
            )
            text = (_field(result, "text") or "").strip()
            if text:
                segments.append(TranscriptSegment(start=round(start, 3), end=round(end, 3), text=text))
                previous = text
        return segments


def _frame_rms(samples: np.ndarray, size: int) -> np.ndarray:
    usable = samples[: len(samples) // size * size]
    if usable.size == 0:
        return np.zeros(0)
    return np.sqrt(np.square(usable.reshape(-1, size)).mean(axis=1))


def voiced_pieces(samples: np.ndarray, rate: int) -> list[tuple[float, float]]:
    """(start, end) seconds of the pieces a text-only model is sent. Each starts at the first voiced
    100 ms frame after the previous piece (silence is never sent nor counted) and ends, at most
    `PIECE_SECONDS` later, at the quietest frame of its second half (so it is cut in a pause, not in a
    word); then it is trimmed to its last voiced frame."""
    frame = max(1, int(FRAME_SECONDS * rate))
    energy = _frame_rms(samples, frame)
    frames = len(energy)
    if not frames:
        return []
    threshold = max(PIECE_SILENCE_FLOOR, PIECE_SPEECH_SHARE * float(np.percentile(energy, 95)))
    voiced = energy >= threshold
    per_piece = int(PIECE_SECONDS / FRAME_SECONDS)
    pieces = []
    pos = 0
    while True:
        ahead = np.flatnonzero(voiced[pos:])
        if not ahead.size:
            break
        first = pos + int(ahead[0])
        limit = first + per_piece
        if limit >= frames:
            cut = frames
        else:
            lo = first + per_piece // 2
            cut = lo + int(np.argmin(energy[lo:limit]))
        last = first + int(np.flatnonzero(voiced[first:cut])[-1]) + 1
        # Speech running into the end keeps the last partial frame too.
        end = len(samples) if last == frames else last * frame
        pieces.append((first * frame / rate, end / rate))
        pos = cut
    return pieces
