"""Stage 4: subtitles, the automatic choice, local faster-whisper on real espeak speech, windows and resume."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lifestream.core.checkpoint import MemoryCheckpoint
from lifestream.core.errors import ConfigError, NoSubtitlesError, OutOfTime
from lifestream.core.models import TranscriptSegment
from lifestream.media.audio import extract_audio
from lifestream.understand.transcribe import choose_source, make_engine, read_subtitles, transcribe_audio
from lifestream.understand.transcribe.subtitles import SubtitleError, read_subtitle_file
from lifestream.understand.transcribe.whisper_local import assemble_packaged_model, resolve_model_dir
from lifestream.understand.transcribe.windows import Window, cut_points, plan_windows, shift
from tests.support.media import SUBTITLE_CUES


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


# --- subtitles -----------------------------------------------------------------------------------------
def test_embedded_subtitle_stream_becomes_segments(media):
    transcript = read_subtitles(media.subtitled_video(), [])

    assert transcript.source == "subtitles" and transcript.detail == "embedded subtitle stream"
    assert [(s.start, s.end, s.text) for s in transcript.segments] == list(SUBTITLE_CUES)


@pytest.mark.parametrize("writer", ["write_srt", "write_vtt"])
def test_sidecar_subtitles(media, tmp_path, writer):
    cues = [(1.0, 2.5, "Hello <b>there</b>"), (62.0, 64.25, "A minute later")]
    path = getattr(media, writer)(tmp_path / f"x.{writer[-3:]}", cues)

    segments = read_subtitle_file(path)

    assert [(s.start, s.end, s.text) for s in segments] == [
        (1.0, 2.5, "Hello there"),
        (62.0, 64.25, "A minute later"),
    ]


def test_vtt_voice_tags_become_speakers(tmp_path):
    vtt = tmp_path / "talk.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00.500 --> 00:02.500\n<v Ana>Hello there\n\n"
        "00:00:03.000 --> 00:00:05.000\n<v.loud Ben Okafor>Hi Ana\n\n00:00:06.000 --> 00:00:07.000\nNobody\n"
    )

    segments = read_subtitle_file(vtt)

    assert [(s.speaker, s.text) for s in segments] == [
        ("Ana", "Hello there"),
        ("Ben Okafor", "Hi Ana"),
        (None, "Nobody"),
    ]


def test_unreadable_sidecar_is_a_typed_input_error(tmp_path):
    bad = tmp_path / "x.srt"
    bad.write_bytes(b"\x00\x01 not subtitles")
    with pytest.raises(SubtitleError, match="x.srt"):
        read_subtitle_file(bad)


def test_unusable_sidecars_are_left_out_with_a_warning(media, tmp_path, caplog, monkeypatch):
    from lifestream.understand import transcribe

    good = media.write_srt(tmp_path / "good.srt")
    unreadable = tmp_path / "unreadable.srt"
    unreadable.write_bytes(b"\x00\x01 not subtitles")
    no_cues = tmp_path / "no_cues.vtt"
    no_cues.write_text("WEBVTT\n\n")
    huge = media.write_srt(tmp_path / "huge.srt")
    huge.write_text(huge.read_text() + "\n" * 4096)
    monkeypatch.setattr(transcribe, "MAX_SIDECAR_BYTES", good.stat().st_size)
    monkeypatch.setattr(transcribe, "read_subtitle_file", _only_good(transcribe.read_subtitle_file, huge))

    with caplog.at_level("WARNING", logger="lifestream.understand.transcribe"):
        usable = transcribe.usable_sidecars([unreadable, good, no_cues, huge])

    assert usable == [good]
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "unreadable.srt" in warned and "no_cues.vtt" in warned and "huge.srt" in warned


def _only_good(read, huge):
    # The size limit is checked before reading: a huge file must never be parsed.
    def guarded(path):
        assert path != huge, "an over-size sidecar was parsed"
        return read(path)

    return guarded


# --- automatic choice ------------------------------------------------------------------------------------
def test_choice_prefers_subtitles_then_local(media, offline_settings, tmp_path):
    settings = offline_settings()
    sidecar = media.write_srt(tmp_path / "s.srt")

    assert choose_source(settings, video=media.subtitled_video()) == "subtitles"
    assert choose_source(settings, video=media.talk_video(), subtitle_paths=[sidecar]) == "subtitles"
    assert choose_source(settings, video=media.talk_video()) == "local"


def test_choice_openai_then_none_without_a_local_model(media, offline_settings, openai_settings, tmp_path):
    no_local = {"whisper_model_dir": tmp_path / "nowhere"}

    assert choose_source(openai_settings(**no_local), video=media.talk_video()) == "openai"
    assert choose_source(offline_settings(**no_local), video=media.talk_video()) == "none"


def test_forcing_subtitles_on_a_video_without_any_fails_that_video(media, offline_settings):
    with pytest.raises(NoSubtitlesError, match="LIFESTREAM_TRANSCRIBER=subtitles"):
        choose_source(offline_settings(transcriber="subtitles"), video=media.talk_video())


def test_whisper_model_dir_without_model_is_a_config_error(offline_settings, tmp_path):
    with pytest.raises(ConfigError, match="LIFESTREAM_WHISPER_MODEL_DIR"):
        resolve_model_dir(offline_settings(whisper_model_dir=tmp_path))


def test_packaged_model_is_assembled_once(tmp_path):
    folder = assemble_packaged_model(tmp_path)
    stamp = (folder / "model.bin").stat().st_mtime_ns

    again = assemble_packaged_model(tmp_path)

    assert again == folder and (folder / "model.bin").stat().st_mtime_ns == stamp
    assert (folder / "model.bin").stat().st_size > 100_000_000
    assert {p.name for p in folder.iterdir()} == {
        "model.bin",
        "config.json",
        "tokenizer.json",
        "vocabulary.txt",
    }


# --- windows -------------------------------------------------------------------------------------------
def test_windows_cut_in_quiet_spots_and_own_disjoint_stretches(media, tmp_path):
    track = extract_audio(media.talk_video(), tmp_path / "a.wav")
    cuts = cut_points(track, window_seconds=5.0)
    windows = plan_windows(cuts, overlap=1.0, duration=track.duration)

    assert cuts[0] == 0 and cuts[-1] == track.duration and cuts == sorted(cuts)
    assert all(b - a <= 5.0 + 1e-6 for a, b in zip(cuts, cuts[1:]))
    assert [w.own_end for w in windows[:-1]] == [w.own_start for w in windows[1:]]
    assert windows[1].start == pytest.approx(windows[1].own_start - 1.0)


def test_shift_keeps_only_owned_segments_in_absolute_time():
    window = Window(index=1, start=9.0, end=21.0, own_start=10.0, own_end=20.0)
    found = [
        TranscriptSegment(
            start=0.0, end=2.5, text="cut-off copy"
        ),  # began before 10.0: the previous window's
        TranscriptSegment(start=1.5, end=4.0, text="mine"),
        TranscriptSegment(start=11.1, end=12.0, text="next window's"),  # starts at 20.1
    ]
    assert [(s.start, s.end, s.text) for s in shift(found, 9.0, window)] == [(10.5, 13.0, "mine")]


@pytest.mark.slow
def test_local_whisper_transcribes_real_speech(media, offline_settings, tmp_path):
    # GIVEN espeak-ng speech in a real AAC track
    track = extract_audio(media.talk_video(), tmp_path / "a.wav")
    engine = make_engine("local", offline_settings())

    transcript = transcribe_audio(track, engine, window_seconds=60, overlap=0)

    heard = _words(" ".join(s.text for s in transcript.segments))
    assert {"budget", "report", "friday", "login", "monday", "meeting"} <= heard
    assert transcript.source == "local" and transcript.language == "en"
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts) and all(s.end <= track.duration + 0.5 for s in transcript.segments)
    budget = next(s for s in transcript.segments if "budget" in s.text.lower())
    assert 2.5 < budget.start < 6.5  # the second line starts after the first (~3.4 s + pause)


@pytest.mark.slow
def test_transcription_resumes_from_the_saved_window(media, offline_settings, tmp_path):
    track = extract_audio(media.talk_video(), tmp_path / "a.wav")
    engine = make_engine("local", offline_settings())
    whole = transcribe_audio(track, engine, window_seconds=5, overlap=0)

    # WHEN time runs out after the first window, then a second call continues from the checkpoint
    checkpoint = MemoryCheckpoint()
    with pytest.raises(OutOfTime) as stop:
        transcribe_audio(
            track, engine, window_seconds=5, overlap=0, checkpoint=checkpoint, should_stop=lambda: True
        )
    saved = checkpoint.load("transcript")
    resumed = transcribe_audio(track, engine, window_seconds=5, overlap=0, checkpoint=checkpoint)

    assert stop.value.stage == "transcribe" and stop.value.offset == pytest.approx(saved["cuts"][1])
    assert saved["next"] == 1
    assert resumed.segments == whole.segments and len(whole.segments) >= 3


def test_silent_windows_are_skipped_without_calling_the_model(media, tmp_path):
    class Refuses:
        name, label = "probe", "never called"

        def transcribe(self, samples: np.ndarray, *, language):
            raise AssertionError("a silent window reached the model")

    track = extract_audio(media.silent_video(), tmp_path / "a.wav")
    assert transcribe_audio(track, Refuses(), window_seconds=2, overlap=0).segments == []
