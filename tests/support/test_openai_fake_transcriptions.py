"""The loopback OpenAI refuses, per transcription model, what the API reference rules out
(openai/types/audio/transcription_create_params.py), with HTTP 400 in OpenAI's error shape, and answers
each accepted format in its documented shape."""

from __future__ import annotations

import numpy as np
import openai
import pytest

from lifestream.media.audio import SAMPLE_RATE, wav_bytes
from tests.support.openai_fake import DEFAULT_API_KEY

# Two voiced seconds, one quiet.
SPEECH = np.concatenate(
    [np.sin(np.arange(SAMPLE_RATE * 2) * 0.05) * 0.3, np.zeros(SAMPLE_RATE, dtype=np.float32)]
).astype(np.float32)


@pytest.fixture
def client(openai_fake):
    return openai.OpenAI(api_key=DEFAULT_API_KEY, base_url=openai_fake.base_url, max_retries=0)


def _create(client, samples=SPEECH, **params):
    return client.audio.transcriptions.create(file=("w.wav", wav_bytes(samples), "audio/wav"), **params)


@pytest.mark.parametrize(
    ("params", "param", "code"),
    [
        (
            {"model": "gpt-4o-transcribe", "response_format": "verbose_json"},
            "response_format",
            "unsupported_value",
        ),
        (
            {"model": "gpt-4o-mini-transcribe", "response_format": "srt"},
            "response_format",
            "unsupported_value",
        ),
        (
            {"model": "gpt-4o-transcribe", "response_format": "diarized_json"},
            "response_format",
            "unsupported_value",
        ),
        (
            {"model": "gpt-4o-transcribe", "response_format": "json", "timestamp_granularities": ["segment"]},
            "timestamp_granularities",
            "unsupported_parameter",
        ),
        (
            {"model": "gpt-4o-mini-transcribe", "timestamp_granularities": ["word"]},
            "timestamp_granularities",
            "unsupported_parameter",
        ),
        # Timestamps need verbose_json, even on whisper-1.
        (
            {"model": "whisper-1", "response_format": "json", "timestamp_granularities": ["segment"]},
            "timestamp_granularities",
            "unsupported_value",
        ),
        ({"model": "whisper-1", "response_format": "diarized_json"}, "response_format", "unsupported_value"),
        (
            {
                "model": "gpt-4o-transcribe-diarize",
                "response_format": "diarized_json",
                "chunking_strategy": "auto",
                "timestamp_granularities": ["segment"],
            },
            "timestamp_granularities",
            "unsupported_parameter",
        ),
        (
            {"model": "gpt-4o-transcribe-diarize", "response_format": "verbose_json"},
            "response_format",
            "unsupported_value",
        ),
        (
            {"model": "gpt-4o-transcribe-diarize", "response_format": "diarized_json", "prompt": "Hello"},
            "prompt",
            "unsupported_parameter",
        ),
        ({"model": "gpt-5-transcribe-imaginary"}, "model", "model_not_found"),
    ],
)
def test_what_a_model_does_not_take_is_refused_in_openais_error_shape(
    client, openai_fake, params, param, code
):
    with pytest.raises(openai.BadRequestError) as caught:
        _create(client, **params)
    assert caught.value.status_code == 400
    error = caught.value.body
    assert error["type"] == "invalid_request_error"
    assert (error["param"], error["code"]) == (param, code)
    assert error["message"]
    assert openai_fake.calls[-1].status == 400


def test_diarizing_more_than_30_seconds_needs_a_chunking_strategy(client):
    long = np.tile(SPEECH, 11)  # 33 s
    with pytest.raises(openai.BadRequestError) as caught:
        _create(client, long, model="gpt-4o-transcribe-diarize", response_format="diarized_json")
    assert caught.value.body["param"] == "chunking_strategy"
    result = _create(
        client,
        long,
        model="gpt-4o-transcribe-diarize",
        response_format="diarized_json",
        chunking_strategy="auto",
    )
    assert len(result.segments) == 11


@pytest.mark.parametrize("model", ["gpt-4o-transcribe", "gpt-4o-mini-transcribe"])
def test_gpt_transcribers_answer_text_without_times(client, model):
    result = _create(client, model=model, response_format="json")
    assert result.text == "utterance lasting 2.0 seconds"
    assert not getattr(result, "segments", None) and result.usage.type == "tokens"
    assert _create(client, model=model, response_format="text") == "utterance lasting 2.0 seconds"


def test_whisper_answers_segments_with_verbose_json(client):
    result = _create(
        client, model="whisper-1", response_format="verbose_json", timestamp_granularities=["segment"]
    )
    ((start, end),) = [(s.start, s.end) for s in result.segments]
    assert start == pytest.approx(0.0, abs=0.05) and end == pytest.approx(2.0, abs=0.05)
    assert _create(client, model="whisper-1").text == "utterance lasting 2.0 seconds"
