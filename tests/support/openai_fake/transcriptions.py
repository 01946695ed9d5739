"""`POST /v1/audio/transcriptions` of the OpenAI fake.

It refuses transcriptions that are not multipart/form-data, lack file or model, or exceed 25 MB; and, per
model, what the reference (openai/types/audio/transcription_create_params.py) rules out:
`gpt-4o-transcribe`, `gpt-4o-mini-transcribe` and the other GPT transcribers answer `json` or `text` only
(the reference says `json`; the speech-to-text guide adds `text`), with no `timestamp_granularities`;
`timestamp_granularities` needs `verbose_json`, which only `whisper-1` has; `gpt-4o-transcribe-diarize`
answers `json`, `text` or `diarized_json`, takes no `timestamp_granularities` and no `prompt`, and needs
`chunking_strategy` above 30 s; `diarized_json` and known speakers are the diarize model's alone.

It really listens (audio.py): one segment per voiced stretch of the 16 kHz mono WAV it receives, so merged
timestamps can be compared with the truth; `diarized_json` labels them by speaker (speakers.py); `json` and
`text` carry the text alone (one phrase per voiced stretch), as the GPT transcribers' answers do, with no
time in them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.openai_fake.audio import voiced_spans
from tests.support.openai_fake.protocol import BadRequest, PlainText

MAX_AUDIO_BYTES = 25 * 1024 * 1024
WHISPER = "whisper-1"
DIARIZE = "gpt-4o-transcribe-diarize"
# Every transcription model the reference names (openai/types/audio/audio_model.py).
TRANSCRIPTION_MODELS = frozenset(
    {
        WHISPER,
        "gpt-transcribe",
        "gpt-4o-transcribe",
        "gpt-4o-mini-transcribe",
        "gpt-4o-mini-transcribe-2025-12-15",
        DIARIZE,
    }
)
RESPONSE_FORMATS = {
    WHISPER: ("json", "text", "srt", "verbose_json", "vtt"),
    DIARIZE: ("json", "text", "diarized_json"),
}
GPT_RESPONSE_FORMATS = ("json", "text")
DIARIZE_UNCHUNKED_SECONDS = 30.0

# (audio, voiced spans, form) -> one speaker label per span
LabelSpeakers = Callable[[bytes, list[tuple[float, float]], dict[str, Any]], list[str]]


def answer(form: dict[str, Any], label_speakers: LabelSpeakers) -> dict[str, Any]:
    """The JSON answer; the `text` format's plain answer is raised as PlainText."""
    if not isinstance(form.get("file"), tuple):
        raise BadRequest("'file' is required")
    if not form.get("model"):
        raise BadRequest("'model' is required")
    _, _, audio = form["file"]
    if len(audio) > MAX_AUDIO_BYTES:
        raise BadRequest(f"Maximum content size limit ({MAX_AUDIO_BYTES}) exceeded ({len(audio)} bytes)")
    spans = voiced_spans(audio)
    duration = len(audio) / 32000
    response_format = _check_shape(form, duration)
    if response_format in ("json", "text"):
        text = " ".join(f"utterance lasting {b - a:.1f} seconds" for a, b in spans)
        if response_format == "text":
            raise PlainText(text)
        payload: dict[str, Any] = {"text": text}
        if form["model"] != WHISPER:
            # The GPT transcribers bill by token and say so (openai/types/audio/transcription.py).
            audio_tokens = max(1, int(duration * 10))
            payload["usage"] = {
                "type": "tokens",
                "input_tokens": audio_tokens,
                "input_token_details": {"audio_tokens": audio_tokens, "text_tokens": 0},
                "output_tokens": max(1, len(text.split())),
                "total_tokens": audio_tokens + max(1, len(text.split())),
            }
        return payload
    if response_format in ("srt", "vtt"):
        raise BadRequest(f"the fake does not render {response_format}", param="response_format")
    if response_format == "diarized_json":
        labels = label_speakers(audio, spans, form)
        segments = [
            {
                "type": "transcript.text.segment",
                "id": f"seg_{i}",
                "start": a,
                "end": b,
                "speaker": label,
                "text": f"utterance {i}",
            }
            for i, ((a, b), label) in enumerate(zip(spans, labels, strict=True))
        ]
        return {
            "task": "transcribe",
            "duration": duration,
            "text": " ".join(s["text"] for s in segments),
            "segments": segments,
        }
    segments = [
        {
            "id": i,
            "seek": 0,
            "start": a,
            "end": b,
            "text": f" utterance lasting {b - a:.1f} seconds",
            "tokens": [1, 2],
            "temperature": 0.0,
            "avg_logprob": -0.2,
            "compression_ratio": 1.1,
            "no_speech_prob": 0.01,
        }
        for i, (a, b) in enumerate(spans)
    ]
    return {
        "task": "transcribe",
        "language": "english",
        "duration": duration,
        "text": "".join(s["text"] for s in segments),
        "segments": segments,
    }


def _check_shape(form: dict[str, Any], duration: float) -> str:
    """The request's response_format (default json), after refusing what the model does not take."""
    model = form["model"]
    if model not in TRANSCRIPTION_MODELS:
        raise BadRequest(
            f"The model `{model}` does not exist or you do not have access to it.",
            param="model",
            code="model_not_found",
        )
    response_format = form.get("response_format") or "json"
    allowed = RESPONSE_FORMATS.get(model, GPT_RESPONSE_FORMATS)
    if response_format not in allowed:
        raise BadRequest(
            f"response_format '{response_format}' is not compatible with model '{model}'. "
            f"Use {' or '.join(repr(f) for f in allowed)} instead.",
            param="response_format",
            code="unsupported_value",
        )
    if "timestamp_granularities[]" in form:
        if model != WHISPER:
            raise BadRequest(
                f"timestamp_granularities is not supported with model '{model}'.",
                param="timestamp_granularities",
                code="unsupported_parameter",
            )
        if response_format != "verbose_json":
            raise BadRequest(
                "timestamp_granularities requires response_format 'verbose_json'.",
                param="timestamp_granularities",
                code="unsupported_value",
            )
    if model != DIARIZE and any(k.startswith("known_speaker") for k in form):
        raise BadRequest(
            f"known speakers are not supported with model '{model}'.",
            param="known_speaker_names",
            code="unsupported_parameter",
        )
    if model == DIARIZE:
        if "prompt" in form:
            raise BadRequest(
                f"prompt is not supported with model '{model}'.", param="prompt", code="unsupported_parameter"
            )
        if duration > DIARIZE_UNCHUNKED_SECONDS and not form.get("chunking_strategy"):
            raise BadRequest(
                "chunking_strategy is required for diarization models when audio is longer than 30 seconds.",
                param="chunking_strategy",
                code="invalid_value",
            )
    return response_format
