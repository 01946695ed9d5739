"""The names and filters shared by the stacks and the local cloud."""

from __future__ import annotations

import pytest

from lifestream.core.constants import NOTIFICATION_SUFFIXES, VIDEO_SUFFIXES, ResourceNames, is_video_key


def test_notification_suffixes_cover_both_cases_because_s3_filters_are_case_sensitive():
    for suffix in VIDEO_SUFFIXES:
        assert suffix in NOTIFICATION_SUFFIXES
        assert suffix.upper() in NOTIFICATION_SUFFIXES
    assert len(set(NOTIFICATION_SUFFIXES)) == 2 * len(VIDEO_SUFFIXES)


@pytest.mark.parametrize(
    ("key", "accepted"),
    [
        ("uploads/walk.mp4", True),
        ("uploads/Meeting Notes.MOV", True),
        ("uploads/nested/día 1.mkv", True),
        ("uploads/clip.Avi", True),
        ("results/walk.mp4", False),
        ("uploads/notes.txt", False),
        ("uploads/video.mp4.part", False),
    ],
)
def test_is_video_key(key, accepted):
    assert is_video_key(key) is accepted


def test_resource_names_carry_the_environment():
    names = ResourceNames(env="prod", account="111122223333")

    assert names.bucket == "lifestream-prod-videos-111122223333"
    assert names.queue == "lifestream-prod-processing"
    assert names.dlq == "lifestream-prod-processing-dlq"
