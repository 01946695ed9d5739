"""Stages 1-3 on real generated files: probe, keyframe scenes, audio extraction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import av
import pytest

from lifestream.core.errors import (
    CorruptVideoError,
    EmptyFileError,
    InputError,
    NoVideoStreamError,
    UnsupportedFileError,
)
from lifestream.media.audio import SAMPLE_RATE, extract_audio, read_window, rms
from lifestream.media.probe import parse_recording_time, probe
from lifestream.media.scenes import _histogram, detect_scenes, is_cut

UPLOADED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


# --- probe ---------------------------------------------------------------------------------------------
def test_probe_reads_picture_sound_and_recording_date(media):
    info = probe(media.talk_video(), uploaded_at=UPLOADED)

    assert info.width == 320 and info.height == 240 and info.orientation == "landscape"
    assert info.video_codec == "h264" and info.audio_codec == "aac" and info.has_audio
    assert 10 < info.duration < 30
    assert info.fps == pytest.approx(15, abs=0.5)
    assert info.recorded_at == datetime(2024, 3, 15, 9, 30, tzinfo=UTC)
    assert info.recorded_at_is_fallback is False and info.recorded_at_source == "creation_time"


def test_apple_creation_date_keeps_the_local_time_zone(media):
    info = probe(media.iphone_style_video())

    assert info.recorded_at == datetime(2024, 7, 1, 18, 5, 9, tzinfo=timezone(timedelta(hours=2)))
    assert info.recorded_at.utcoffset() == timedelta(hours=2)
    assert info.recorded_at_source == "com.apple.quicktime.creationdate"


def test_probe_falls_back_to_upload_time_and_says_so(media):
    # GIVEN a file without any creation_time tag
    info = probe(media.several_scenes_video(), uploaded_at=UPLOADED)

    assert info.recorded_at == UPLOADED
    assert info.recorded_at_is_fallback is True and info.recorded_at_source == "uploaded_at"


def test_probe_portrait_and_short_clip(media):
    portrait = probe(media.portrait_video())
    short = probe(media.short_clip())

    assert (portrait.width, portrait.height, portrait.orientation) == (720, 1280, "portrait")
    assert 0.3 < short.duration < 1.0


@pytest.mark.parametrize(
    ("maker", "error", "words"),
    [
        ("zero_bytes", EmptyFileError, "empty"),
        ("text_as_video", CorruptVideoError, "text file"),
        ("truncated_video", CorruptVideoError, "truncated"),
        ("audio_only", NoVideoStreamError, "no video stream"),
    ],
)
def test_probe_rejects_bad_input_with_typed_errors(media, maker, error, words):
    path = getattr(media, maker)()

    with pytest.raises(error) as caught:
        probe(path)

    assert isinstance(caught.value, InputError)  # permanent: the worker fails the job instead of retrying
    assert path.name in str(caught.value) and words in str(caught.value)


def test_probe_rejects_files_over_the_size_limit(media):
    with pytest.raises(UnsupportedFileError, match="limit"):
        probe(media.talk_video(), max_bytes=1000)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-15T09:30:00.000000Z", datetime(2024, 3, 15, 9, 30, tzinfo=UTC)),
        ("2024-07-01T18:05:09+0200", datetime(2024, 7, 1, 18, 5, 9, tzinfo=timezone(timedelta(hours=2)))),
        ("2024-07-01 18:05:09", datetime(2024, 7, 1, 18, 5, 9, tzinfo=UTC)),
        ("1904-01-01T00:00:00Z", None),  # an unset camera clock
        ("yesterday", None),
    ],
)
def test_recording_time_formats(raw, expected):
    assert parse_recording_time(raw) == expected


# --- scenes ------------------------------------------------------------------------------------------
def test_scene_changes_are_found_from_keyframes(media, tmp_path):
    # GIVEN four 2-second scenes of different colours
    scenes = detect_scenes(media.several_scenes_video(), tmp_path / "kf", duration=8.0)

    assert [round(s.start) for s in scenes] == [0, 2, 4, 6]
    assert [round(s.end) for s in scenes] == [2, 4, 6, 8]
    for scene in scenes:
        data = (tmp_path / "kf" / scene.keyframe).read_bytes()
        assert data[:2] == b"\xff\xd8"  # a JPEG
    assert len(list((tmp_path / "kf").iterdir())) == 4


def test_moving_picture_is_not_mistaken_for_scene_changes(media, tmp_path):
    # GIVEN a moving, detailed pattern whose hue turns at 2 s and 4 s
    scenes = detect_scenes(media.textured_scenes_video(), tmp_path / "kf", duration=6.0)

    assert [round(s.start) for s in scenes] == [0, 2, 4]


def test_camera_motion_is_not_a_cut_but_a_new_picture_is():
    import numpy as np

    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, size=(36, 72, 3)).astype(np.uint8)
    before = frame[:, :64]
    panned = frame[:, 8:72]  # the camera moved 8 px: same colours, different pixels
    other = rng.integers(0, 128, size=(36, 64, 3)).astype(np.uint8)  # a different, darker picture

    def sig(rgb):
        return _histogram(rgb), rgb.astype(np.float32)

    assert not is_cut(sig(before), sig(panned))
    assert is_cut(sig(before), sig(other))


def _still_picture_video(path, *, seconds: int, sign_at, fps: int = 10):
    """A still, detailed picture (a photo's worth of texture) with a dark sign whose pattern (its "text")
    is `sign_at(t)`'s seed; a keyframe every second, as phones and bench/quality's videos have."""
    import numpy as np

    rng = np.random.default_rng(7)
    photo = rng.integers(60, 200, size=(240, 320, 3)).astype(np.uint8)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.codec_context.gop_size = fps
        for i in range(seconds * fps):
            frame = photo.copy()
            seed, left = sign_at(i / fps)
            if seed is not None:
                letters = np.random.default_rng(seed).integers(0, 2, size=(6, 24)).astype(np.uint8) * 230
                frame[60:120, left : left + 120] = np.kron(letters, np.ones((10, 5), dtype=np.uint8))[..., None]
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def test_a_sign_that_changes_on_a_still_picture_starts_a_scene(tmp_path):
    # GIVEN a still shot whose sign reads one thing, then another from 2 s, then a third from 4 s: neither the
    # colours nor the picture as a whole change enough for a cut, but each sign must be read
    video = _still_picture_video(tmp_path / "signs.mp4", seconds=6, sign_at=lambda t: (int(t // 2), 100))

    scenes = detect_scenes(video, tmp_path / "kf", duration=6.0)

    assert [round(s.start) for s in scenes] == [0, 2, 4]
    assert len(list((tmp_path / "kf").iterdir())) == 3


def test_something_moving_across_a_still_picture_starts_no_scene(tmp_path):
    # GIVEN the same still shot with a dark shape crossing it, moving on between every two keyframes: motion,
    # not a sign changing, so one scene
    video = _still_picture_video(tmp_path / "moving.mp4", seconds=6, sign_at=lambda t: (1, int(t * 30)))

    scenes = detect_scenes(video, tmp_path / "kf", duration=6.0)

    assert [round(s.start) for s in scenes] == [0]


def test_display_rotation_is_applied_to_size_and_keyframes(media, tmp_path):
    # GIVEN landscape pixels (red bar on the left edge) shown rotated 90° counter-clockwise, like a phone video
    video = media.rotated_phone_video()

    info = probe(video)
    scenes = detect_scenes(video, tmp_path / "kf", duration=info.duration)

    assert (info.width, info.height, info.rotation, info.orientation) == (240, 320, 90, "portrait")
    with av.open(str(tmp_path / "kf" / scenes[0].keyframe)) as jpeg:
        picture = next(jpeg.decode(video=0)).to_ndarray(format="rgb24")
    assert picture.shape[:2] == (320, 240)
    # turned counter-clockwise, the left edge is now at the bottom
    bottom, top = picture[-10:].mean(axis=(0, 1)), picture[:10].mean(axis=(0, 1))
    assert bottom[0] > 200 and bottom[1] < 80 and top.min() > 200


def test_keyframe_jpeg_keeps_portrait_shape(media, tmp_path):
    scenes = detect_scenes(media.portrait_video(), tmp_path / "kf", duration=4.0)

    with av.open(str(tmp_path / "kf" / scenes[0].keyframe)) as jpeg:
        stream = jpeg.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
    assert height > width and width <= 480


# --- audio ---------------------------------------------------------------------------------------------
def test_audio_is_16k_mono_and_as_long_as_the_video(media, tmp_path):
    info = probe(media.talk_video())
    track = extract_audio(media.talk_video(), tmp_path / "a.wav")

    assert track is not None and track.sample_rate == SAMPLE_RATE
    assert track.duration == pytest.approx(info.duration, abs=0.3)
    speech = read_window(track, 0.0, 3.0)
    assert speech.shape == (3 * SAMPLE_RATE,) and rms(speech) > 0.01


def test_no_audio_stream_is_not_an_error(media, tmp_path):
    assert extract_audio(media.no_audio_video(), tmp_path / "a.wav") is None


def test_silent_track_decodes_to_silence(media, tmp_path):
    track = extract_audio(media.silent_video(), tmp_path / "a.wav")

    assert track is not None and rms(read_window(track, 0, track.duration)) < 1e-3
