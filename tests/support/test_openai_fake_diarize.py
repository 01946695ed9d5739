"""Diarization through the loopback OpenAI: known speakers keep their names, other voices get letters
(as gpt-4o-transcribe-diarize documents), and what lifestream makes of those labels across windows.

The media speak with two espeak-ng voices told apart by pitch (the fake's `voices = "pitch"` mode):
the default English voice (~100 Hz, "X") and its "+f3" variant (~210 Hz, "Y")."""

from __future__ import annotations

import base64
import wave

import numpy as np
import openai
import pytest

from lifestream.core.settings import load_settings
from lifestream.media.audio import SAMPLE_RATE, AudioTrack, read_window, wav_bytes
from lifestream.understand.transcribe import transcribe_audio
from lifestream.understand.transcribe.openai_stt import OpenAITranscriber
from tests.support.media import spoken_samples
from tests.support.openai_fake import DEFAULT_API_KEY, voiced_spans

DIARIZE = "gpt-4o-transcribe-diarize"
VOICES = {"X": "en", "Y": "en+f3"}
LINES = (
    "Good morning everyone, this is the weekly planning meeting.",
    "I will send the budget report to Maria by Friday.",
    "We need to fix the login bug before the release.",
    "Let's meet again on Monday to review the new design.",
)


@pytest.fixture(scope="module")
def conversation(tmp_path_factory):
    """X, X | Y, X with a second of silence after each line; returns (track, [(start, end, voice)])."""
    directory = tmp_path_factory.mktemp("voices")
    script = [("X", LINES[0]), ("X", LINES[1]), ("Y", LINES[2]), ("X", LINES[3])]
    parts, truth, t = [], [], 0.0
    for voice, line in script:
        samples = spoken_samples(line, VOICES[voice], directory)
        truth.append((t, t + len(samples) / SAMPLE_RATE, voice))
        parts += [samples, np.zeros(SAMPLE_RATE, dtype=np.float32)]
        t += len(samples) / SAMPLE_RATE + 1.0
    path = directory / "conversation.wav"
    path.write_bytes(wav_bytes(np.concatenate(parts)))
    with wave.open(str(path)) as w:
        duration = w.getnframes() / w.getframerate()
    return AudioTrack(path=path, duration=duration), truth


@pytest.fixture
def fake(openai_fake):
    openai_fake.voices = "pitch"
    return openai_fake


@pytest.fixture
def engine(fake, tmp_path):
    settings = load_settings(
        data_dir=tmp_path / "data",
        openai_api_key=DEFAULT_API_KEY,
        openai_base_url=fake.base_url,
        transcriber="openai",
        openai_transcription_model=DIARIZE,
    )
    return OpenAITranscriber(settings)


def _voice_at(truth, start: float, end: float) -> str:
    middle = (start + end) / 2
    return next(voice for a, b, voice in truth if a - 0.2 <= middle <= b + 0.2)


def test_a_known_voice_keeps_its_name_and_a_stranger_gets_a_letter(engine, conversation):
    # GIVEN a reference clip of X (its first line) and audio where Y and then X speak
    track, truth = conversation
    (x_start, x_end, _), _, (y_start, *_), _ = truth
    reference = read_window(track, x_start, min(x_end, x_start + 10.0))
    samples = read_window(track, y_start - 0.5, track.duration)

    # WHEN the diarizing model is told X's name
    segments, _ = engine.transcribe(samples, language=None, references=[("Ana", reference)])

    # THEN X's stretches come back as "Ana" and Y's under the generic first letter
    assert segments
    for seg in segments:
        voice = _voice_at(truth, seg.start + y_start - 0.5, seg.end + y_start - 0.5)
        assert seg.speaker == ("Ana" if voice == "X" else "A"), (seg, voice)
    assert {s.speaker for s in segments} == {"Ana", "A"}


def test_without_references_voices_are_lettered_by_first_appearance(engine, conversation):
    track, truth = conversation
    segments, _ = engine.transcribe(read_window(track, 0, track.duration), language=None)
    expected = {"X": "A", "Y": "B"}  # X speaks first
    assert [s.speaker for s in segments] == [expected[_voice_at(truth, s.start, s.end)] for s in segments]


def test_a_new_voice_in_a_later_window_becomes_a_new_speaker(fake, engine, conversation):
    # GIVEN X alone in the first 8 s window, then Y and X again
    track, truth = conversation

    # WHEN lifestream transcribes it window by window
    transcript = transcribe_audio(track, engine, window_seconds=8, overlap=1.0)

    # THEN the second request named X (the only voice with a reference yet) and got a letter for Y
    first, second, *_ = fake.transcriptions
    assert "known_speaker_names[]" not in first
    assert second["known_speaker_names[]"] == "Speaker 1"
    # AND each voice keeps one stable name across windows: the letter became "Speaker 2", not X's name
    names = {}
    for seg in transcript.segments:
        names.setdefault(_voice_at(truth, seg.start, seg.end), set()).add(seg.speaker)
    assert names == {"X": {"Speaker 1"}, "Y": {"Speaker 2"}}


def test_alternating_voices_with_one_known_name(openai_fake, tmp_path):
    # The default mode (one-voice media): voices take turns by stretch; reference 0 is voice 0.
    tone = np.concatenate(
        [np.sin(np.arange(SAMPLE_RATE * 2) * 0.05) * 0.3, np.zeros(SAMPLE_RATE, dtype=np.float32)] * 4
    ).astype(np.float32)
    client = openai.OpenAI(api_key=DEFAULT_API_KEY, base_url=openai_fake.base_url, max_retries=0)
    reference = "data:audio/wav;base64," + base64.b64encode(wav_bytes(tone[: SAMPLE_RATE * 2])).decode()
    result = client.audio.transcriptions.create(
        model=DIARIZE,
        file=("w.wav", wav_bytes(tone), "audio/wav"),
        response_format="diarized_json",
        chunking_strategy="auto",
        known_speaker_names=["Ana"],
        known_speaker_references=[reference],
    )
    assert len(voiced_spans(wav_bytes(tone))) == 4
    assert [s.speaker for s in result.segments] == ["Ana", "A", "Ana", "A"]


@pytest.mark.parametrize(
    ("names", "seconds", "message"),
    [
        (["a", "b", "c", "d", "e"], [3] * 5, "At most 4"),
        (["a", "b"], [3], "entries"),
        (["a"], [1.0], "between 2 and 10"),
        (["a"], [11.0], "between 2 and 10"),
    ],
)
def test_known_speakers_outside_the_documented_limits_are_refused(openai_fake, names, seconds, message):
    client = openai.OpenAI(api_key=DEFAULT_API_KEY, base_url=openai_fake.base_url, max_retries=0)
    refs = [
        "data:audio/wav;base64,"
        + base64.b64encode(wav_bytes(np.full(int(SAMPLE_RATE * s), 0.1, dtype=np.float32))).decode()
        for s in seconds
    ]
    with pytest.raises(openai.BadRequestError, match=message):
        client.audio.transcriptions.create(
            model=DIARIZE,
            file=("w.wav", wav_bytes(np.full(SAMPLE_RATE, 0.1, dtype=np.float32)), "audio/wav"),
            response_format="diarized_json",
            chunking_strategy="auto",
            known_speaker_names=names,
            known_speaker_references=refs,
        )


@pytest.fixture(scope="module")
def short_turns(tmp_path_factory):
    """X speaks at length; Y only in short turns (each under the 2 s a reference needs), in both windows."""
    directory = tmp_path_factory.mktemp("short_turns")
    script = [
        ("X", LINES[0]),
        ("Y", "Yes, I agree."),
        ("Y", "Sure, fine."),
        ("Y", "Okay, good."),
        ("X", LINES[1]),
        ("Y", "Yes, I agree."),
    ]
    parts, truth, t = [], [], 0.0
    for voice, line in script:
        samples = spoken_samples(line, VOICES[voice], directory)
        truth.append((t, t + len(samples) / SAMPLE_RATE, voice))
        parts += [samples, np.zeros(SAMPLE_RATE, dtype=np.float32)]
        t += len(samples) / SAMPLE_RATE + 1.0
    path = directory / "short_turns.wav"
    path.write_bytes(wav_bytes(np.concatenate(parts)))
    return AudioTrack(path=path, duration=t), truth


def test_a_voice_heard_only_in_short_turns_keeps_one_name_across_windows(fake, engine, short_turns):
    track, truth = short_turns
    assert all(b - a < 2.0 for a, b, voice in truth if voice == "Y")

    transcript = transcribe_audio(track, engine, window_seconds=8, overlap=1.0)

    assert len(fake.transcriptions) >= 2
    names = {}
    for seg in transcript.segments:
        names.setdefault(_voice_at(truth, seg.start, seg.end), set()).add(seg.speaker)
    assert names["X"] == {"Speaker 1"}
    assert len(names["Y"]) == 1, names
