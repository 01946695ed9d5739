from __future__ import annotations

from lifestream.cli.pipeline_cmds import file_version, sidecar_subtitles


def test_sidecar_subtitles_beside_the_video(tmp_path):
    video = tmp_path / "clip [1].MP4"
    video.write_bytes(b"x")
    wanted = [tmp_path / "clip [1].SRT", tmp_path / "clip [1].en.vtt"]
    others = [
        tmp_path / "clip [1].txt",
        tmp_path / "clip 1.srt",
        tmp_path / "other.srt",
        tmp_path / "clip [1]",
    ]
    for path in wanted + others:
        path.write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    (tmp_path / "clip [1].d.srt").mkdir()  # a directory is not a subtitle file
    assert sidecar_subtitles(video) == sorted(wanted)


def test_file_version_follows_content(tmp_path):
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    a.write_bytes(b"same bytes" * 100_000)
    b.write_bytes(b"same bytes" * 100_000)
    assert file_version(a) == file_version(b)
    b.write_bytes(b"same bytes" * 100_000 + b"!")
    assert file_version(a) != file_version(b)
    assert len(file_version(a)) == 16
