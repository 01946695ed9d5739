from __future__ import annotations

import re

from lifestream.jobs import video_id_for

SAFE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{10}$")


def test_same_upload_maps_to_same_id():
    # GIVEN the same object delivered twice (S3 events are at-least-once)
    first = video_id_for("bucket", "uploads/walk.mp4", "v1")
    again = video_id_for("bucket", "uploads/walk.mp4", "v1")
    # THEN both deliveries name the same video
    assert first == again


def test_any_part_changes_the_id():
    base = video_id_for("bucket", "uploads/walk.mp4", "v1")
    assert video_id_for("bucket", "uploads/walk.mp4", "v2") != base
    assert video_id_for("other", "uploads/walk.mp4", "v1") != base
    assert video_id_for("bucket", "uploads/run.mp4", "v1") != base


def test_separator_cannot_be_forged():
    # "a" + "b/c" must not collide with "a/b" + "c"
    assert video_id_for("a", "b/c.mp4", "v") != video_id_for("a/b", "c.mp4", "v")


def test_id_is_a_readable_slug_of_the_file_stem():
    vid = video_id_for("local", "/home/me/Videos/Team Meeting (Nov 24).MOV", "abc")
    assert vid.startswith("team-meeting-nov-24-")
    assert SAFE.match(vid)


def test_unusual_names_still_give_safe_ids():
    for key in (
        "uploads/Café Ünïcode.mp4",
        "uploads/....mp4",
        "uploads/日本語.mp4",
        "uploads/" + "x" * 300 + ".mp4",
        "C:\\Users\\me\\clip.mp4",
    ):
        vid = video_id_for("b", key, "v")
        assert SAFE.match(vid), vid
        assert len(vid) <= 80  # fits videos.id
    assert video_id_for("b", "uploads/Café.mp4", "v").startswith("cafe-")
    assert video_id_for("b", "uploads/日本語.mp4", "v").startswith("video-")
    assert video_id_for("b", "C:\\Users\\me\\clip.mp4", "v").startswith("clip-")
