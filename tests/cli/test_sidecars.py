from __future__ import annotations

from lifestream.core.sidecars import sidecar_subtitles
from lifestream.local.files import file_version


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


def test_a_longer_video_name_keeps_its_own_subtitles(tmp_path):
    # "talk.old.srt" belongs to "talk.old.mp4" when both videos are in the folder, not to "talk.mp4"
    for name in ("talk.mp4", "talk.old.mp4", "talk.srt", "talk.old.srt", "talk.en.vtt"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in sidecar_subtitles(tmp_path / "talk.mp4")] == ["talk.en.vtt", "talk.srt"]
    assert [p.name for p in sidecar_subtitles(tmp_path / "talk.old.mp4")] == ["talk.old.srt"]


def test_one_sidecar_rule_for_disk_upload_and_s3():
    # The rule itself works on names: what a folder listing or an S3 prefix listing gives.
    from lifestream.core.sidecars import subtitle_files

    names = ["a.mp4", "a.SRT", "a.en.vtt", "a.txt", "ab.srt", "a.b.mp4", "a.b.srt"]
    assert subtitle_files("a.mp4", names) == ["a.SRT", "a.en.vtt"]
    assert subtitle_files("a.b.mp4", names) == ["a.b.srt"]


def test_file_version_follows_content(tmp_path):
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    a.write_bytes(b"same bytes" * 100_000)
    b.write_bytes(b"same bytes" * 100_000)
    assert file_version(a) == file_version(b)
    b.write_bytes(b"same bytes" * 100_000 + b"!")
    assert file_version(a) != file_version(b)
    assert len(file_version(a)) == 16


def test_file_version_samples_big_files_and_sees_edits(tmp_path):
    import os

    # GIVEN a 40 MB file (bigger than the part read whole)
    size = 40 << 20
    a = tmp_path / "big.mp4"
    a.write_bytes(os.urandom(size))
    before = file_version(a)
    # WHEN one byte changes at the start, in the middle of a sampled block, or at the end, the same size
    for offset in (10, size // 2 + 100, size - 5):
        with a.open("r+b") as fh:
            fh.seek(offset)
            old = fh.read(1)
            fh.seek(offset)
            fh.write(bytes([old[0] ^ 0xFF]))
        # THEN the fingerprint changes; putting the byte back restores it
        assert file_version(a) != before, offset
        with a.open("r+b") as fh:
            fh.seek(offset)
            fh.write(old)
        assert file_version(a) == before
