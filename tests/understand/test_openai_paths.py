"""OpenAI paths through the real `openai` client against a loopback fake (see tests/support/openai_fake/
for why not respx): request shapes, chunking and merging of long audio, speaker labels, retries, structured
output for vision, summaries and answers."""

from __future__ import annotations

import base64
import itertools
import json

import numpy as np
import pytest

from lifestream.core.errors import TransientError
from lifestream.core.llm import openai_client
from lifestream.core.models import SearchResult
from lifestream.media.audio import extract_audio
from lifestream.media.scenes import detect_scenes
from lifestream.memory.answers import NOT_FOUND, openai_answer
from lifestream.understand.summarize.openai_summarizer import summarize_block_openai
from lifestream.understand.transcribe import transcribe_audio
from lifestream.understand.transcribe.openai_stt import (
    MAX_REQUEST_BYTES,
    PIECE_SECONDS,
    OpenAITranscriber,
    max_window_seconds,
    voiced_pieces,
)
from lifestream.understand.transcribe.windows import cut_points, plan_windows
from lifestream.understand.vision import describe_keyframes
from tests.support.openai_fake import voiced_spans


@pytest.fixture
def fake(openai_fake):
    return openai_fake


@pytest.fixture
def openai_settings(openai_settings, fake):
    def make(**overrides):
        return openai_settings(openai_base_url=fake.base_url, **overrides)

    return make


def _join(spans, gap=0.35):
    out = []
    for a, b in spans:
        if out and a - out[-1][1] <= gap:
            out[-1][1] = b
        else:
            out.append([a, b])
    return out


# --- speech-to-text ------------------------------------------------------------------------------------
def test_windowed_transcription_merges_to_absolute_non_duplicated_segments(
    fake, media, openai_settings, tmp_path
):
    # GIVEN real speech and the truth about where it is voiced
    track = extract_audio(media.talk_video(), tmp_path / "a.wav")
    truth = _join(voiced_spans(track.path.read_bytes()))
    engine = OpenAITranscriber(openai_settings(transcriber="openai"))

    # WHEN it is sent in 8 s windows with 1 s of overlap on each side
    transcript = transcribe_audio(track, engine, window_seconds=8, overlap=1.0)

    # THEN one request per window, each in the documented shape
    assert len(fake.transcriptions) == len(plan_windows(cut_points(track, 8), 1.0, track.duration)) >= 2
    for form in fake.transcriptions:
        name, content_type, body = form["file"]
        assert form["model"] == "whisper-1" and form["response_format"] == "verbose_json"
        assert form["timestamp_granularities[]"] == "segment"
        assert name.endswith(".wav") and content_type == "audio/wav" and len(body) < MAX_REQUEST_BYTES
    # AND the merged segments are absolute, in order, never overlapping, and cover the voiced stretches
    segs = transcript.segments
    assert all(a.end <= b.start + 1e-6 for a, b in zip(segs, segs[1:]))
    merged = _join([(s.start, s.end) for s in segs])
    assert len(merged) == len(truth)
    for (a, b), (ta, tb) in zip(merged, truth):
        assert a == pytest.approx(ta, abs=0.1) and b == pytest.approx(tb, abs=0.1)


@pytest.mark.parametrize("model", ["gpt-4o-transcribe", "gpt-4o-mini-transcribe"])
def test_text_only_models_get_json_requests_and_are_timed_by_piece(
    fake, media, openai_settings, tmp_path, model
):
    # GIVEN real speech, the truth about where it is voiced, and a model that answers text without times
    track = extract_audio(media.talk_video(), tmp_path / "a.wav")
    truth = _join(voiced_spans(track.path.read_bytes()))
    engine = OpenAITranscriber(openai_settings(transcriber="openai", openai_transcription_model=model))

    # WHEN one long window is transcribed
    transcript = transcribe_audio(track, engine, window_seconds=600, overlap=2.0)

    # THEN every request has the shape the model takes (json, no timestamp_granularities), and the
    # service accepted each one
    forms = fake.transcriptions
    assert forms and all(call.status == 200 for call in fake.calls_to("/audio/transcriptions", ok_only=False))
    for form in forms:
        assert form["model"] == model and form["response_format"] == "json"
        assert not any(key.startswith("timestamp_granularities") for key in form)
    # AND the window went in pieces at quiet moments, the later ones continuing the earlier text
    assert len(forms) >= 2 and "prompt" not in forms[0]
    assert all(form["prompt"] for form in forms[1:])
    # AND each segment is timed by its piece: short, inside the audio, and over speech, never silence
    segs = transcript.segments
    assert len(segs) == len(forms)
    assert all(a.end <= b.start + 1e-6 for a, b in itertools.pairwise(segs))
    for seg in segs:
        assert 0 <= seg.start < seg.end <= track.duration + 1e-6
        assert seg.end - seg.start <= PIECE_SECONDS + 1e-6
        assert any(a < seg.end and seg.start < b for a, b in truth)
        assert seg.text.startswith("utterance lasting")
    # AND together they cover every voiced stretch from its start to its end
    for a, b in truth:
        assert any(s.start <= a + 0.1 and b - 0.1 <= s.end for s in segs) or (
            min(abs(s.start - a) for s in segs) <= 0.1 and min(abs(s.end - b) for s in segs) <= 0.1
        ), (a, b)


def test_pieces_are_cut_in_pauses_and_leave_silence_out():
    rate = 16000
    tone = (np.sin(np.arange(rate * 9) * 0.05) * 0.3).astype(np.float32)
    pause, silence = np.zeros(rate // 2, dtype=np.float32), np.zeros(rate * 20, dtype=np.float32)
    samples = np.concatenate([silence[: rate * 2], tone, pause, tone, silence, tone])
    pieces = voiced_pieces(samples, rate)
    # 2 s of silence, 9 s speech, 0.5 s pause, 9 s speech, 20 s silence, 9 s speech
    assert [(round(a, 1), round(b, 1)) for a, b in pieces] == [(2.0, 11.0), (11.5, 20.5), (40.5, 49.5)]
    assert voiced_pieces(np.zeros(rate * 5, dtype=np.float32), rate) == []
    # A quiet recording is still speech: the threshold follows the window's own level.
    quiet = [(round(a, 1), round(b, 1)) for a, b in voiced_pieces(samples * 0.01, rate)]
    assert quiet == [(2.0, 11.0), (11.5, 20.5), (40.5, 49.5)]


def test_windows_stay_under_the_25_mb_request_limit():
    assert 600 + 2 * 2 <= max_window_seconds(2.0) < 820  # 32 kB/s WAV: ~13.6 minutes at most


def test_diarized_model_returns_speaker_labels(fake, media, openai_settings, tmp_path):
    track = extract_audio(media.talk_video(), tmp_path / "a.wav")
    settings = openai_settings(transcriber="openai", openai_transcription_model="gpt-4o-transcribe-diarize")

    transcript = transcribe_audio(track, OpenAITranscriber(settings), window_seconds=600, overlap=2)

    form = fake.transcriptions[0]
    assert form["response_format"] == "diarized_json" and form["chunking_strategy"] == "auto"
    assert "timestamp_granularities[]" not in form  # not available for the diarize model
    assert {s.speaker for s in transcript.segments} == {"Speaker 1", "Speaker 2"}


def test_speaker_names_stay_stable_across_windows(fake, media, openai_settings, tmp_path):
    # GIVEN a diarizing model that labels voices per request ("A", "B")
    track = extract_audio(media.talk_video(), tmp_path / "a.wav")
    settings = openai_settings(transcriber="openai", openai_transcription_model="gpt-4o-transcribe-diarize")

    # WHEN the audio goes in several windows
    transcript = transcribe_audio(track, OpenAITranscriber(settings), window_seconds=8, overlap=1)

    # THEN the first window's voices become references (2-10 s WAV data URLs) for the second request
    first, *later = fake.transcriptions
    assert "known_speaker_names[]" not in first and len(later) >= 1
    for form in later:
        assert form["known_speaker_names[]"] == ["Speaker 1", "Speaker 2"]
        for url in form["known_speaker_references[]"]:
            assert url.startswith("data:audio/wav;base64,")
            clip = base64.b64decode(url.split(",", 1)[1])
            assert 2.0 <= (len(clip) - 44) / 32000 <= 10.0
    # AND the names the model gives back for known voices are kept: no "Speaker 3" appears
    assert {s.speaker for s in transcript.segments} == {"Speaker 1", "Speaker 2"}
    assert len({s.speaker for s in transcript.segments if s.start > 8}) >= 1


def test_transient_server_errors_are_retried(fake, openai_settings):
    fake.fail_next(1, status=500, retry_after_ms=5)  # a short retry-after keeps the SDK's backoff brief
    engine = OpenAITranscriber(openai_settings(transcriber="openai"))

    segments, _ = engine.transcribe(__import__("numpy").ones(16000, dtype="float32") * 0.1, language=None)

    assert len(fake.transcriptions) == 2  # one failure, one retry
    assert len(segments) == 1


def test_persistent_throttling_becomes_a_transient_error(fake, openai_settings):
    import numpy as np

    fake.fail_next(10, status=429, retry_after_ms=5)
    engine = OpenAITranscriber(
        openai_settings(transcriber="openai"), client=openai_client(openai_settings(), max_retries=2)
    )

    with pytest.raises(TransientError, match="transcription"):
        engine.transcribe(np.ones(16000, dtype=np.float32) * 0.1, language=None)
    assert len(fake.transcriptions) == 3  # the first try and two retries


# --- vision, summaries, answers --------------------------------------------------------------------------
def test_vision_sends_keyframes_as_data_urls_and_parses_structured_output(
    fake, media, openai_settings, tmp_path
):
    scenes = detect_scenes(media.several_scenes_video(), tmp_path / "kf", duration=8.0)
    fake.chat_answers["VisualDraft"] = lambda body: {
        "summary": "Four plain coloured screens, one after another.",
        "visible_text": ["EXIT"],
        "setting": None,
    }

    text = describe_keyframes(openai_client(openai_settings()), "gpt-4o-mini", scenes, tmp_path / "kf")

    body = fake.chats[0]
    assert body["model"] == "gpt-4o-mini"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    images = [part for part in body["messages"][0]["content"] if part["type"] == "image_url"]
    assert len(images) == 4
    for part in images:
        url = part["image_url"]["url"]
        assert url.startswith("data:image/jpeg;base64,")
        assert base64.b64decode(url.split(",", 1)[1])[:2] == b"\xff\xd8"
    assert text == "Four plain coloured screens, one after another. Visible text: EXIT."


def test_summary_is_parsed_from_structured_output(fake, openai_settings):
    from lifestream.core.models import TranscriptSegment

    fake.chat_answers["BlockSummaryDraft"] = lambda body: {
        "title": "Weekly planning",
        "activity": "The team planned the release.",
        "location": "Unknown",
        "participants": ["Speaker A"],
        "per_speaker": [{"speaker": "Speaker A", "summary": "Promised the budget report."}],
        "key_points": ["Budget report due Friday"],
        "action_items": [{"text": "Send the budget report to Maria", "owner": "Speaker A"}],
    }
    segs = [
        TranscriptSegment(
            start=4.0, end=7.0, text="I will send the budget report to Maria.", speaker="Speaker A"
        )
    ]

    summary = summarize_block_openai(
        openai_client(openai_settings()),
        "gpt-4o-mini",
        segs,
        block_start=0,
        block_end=16,
        visual_summary="A blue wall.",
    )

    sent = fake.chats[0]
    assert sent["messages"][0]["role"] == "system"
    assert "[00:00:04] Speaker A: I will send the budget report to Maria." in sent["messages"][1]["content"]
    schema = sent["response_format"]["json_schema"]["schema"]
    assert set(schema["required"]) >= {"title", "activity", "location", "participants", "action_items"}
    assert summary.title == "Weekly planning" and summary.visual_summary == "A blue wall."
    assert summary.action_items[0].owner == "Speaker A" and summary.per_speaker[0].speaker == "Speaker A"


def _results():
    return [
        SearchResult(
            id="v1#transcript#0000",
            video_id="v1",
            start=4.2,
            end=7.9,
            score=0.71,
            text="I will send the budget report to Maria by Friday.",
            chunk_type="transcript",
        ),
        SearchResult(
            id="v2#summary#0000",
            video_id="v2",
            start=0,
            end=300,
            score=0.44,
            text="Garden tour. Tomatoes planted in April.",
            chunk_type="summary",
        ),
    ]


def test_answer_cites_every_sentence_and_drops_uncited_ones(fake, openai_settings):
    fake.chat_answers["AnswerDraft"] = lambda body: {
        "found": True,
        "sentences": [
            {"text": "You promised Maria the budget report by Friday.", "sources": [1]},
            {"text": "An unsupported claim.", "sources": [7]},
        ],
    }

    answer = openai_answer("When is the budget report due?", _results(), openai_settings())

    sources = fake.chats[0]["messages"][1]["content"]
    assert "[1] [v1, 00:00:04–00:00:08]" in sources and "[2] [v2, 00:00:00–00:05:00]" in sources
    assert answer.grounded is True
    assert answer.text == "You promised Maria the budget report by Friday. [v1, 00:00:04–00:00:08]"
    assert [c.label for c in answer.citations] == ["[v1, 00:00:04–00:00:08]"]


def test_answer_says_not_in_your_videos_when_the_model_finds_nothing(fake, openai_settings):
    fake.chat_answers["AnswerDraft"] = lambda body: {"found": False, "sentences": []}

    answer = openai_answer("What is the capital of Peru?", _results(), openai_settings())

    assert answer.text == NOT_FOUND and answer.citations == [] and answer.grounded is False
    assert json.loads(json.dumps(answer.model_dump()))["grounded"] is False
