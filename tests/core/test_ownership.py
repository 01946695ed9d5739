"""The key rule: who owns an object, and which file names may become part of a key."""

from __future__ import annotations

import pytest

from lifestream.core.constants import LOCAL_USER
from lifestream.core.ownership import (
    InvalidNameError,
    new_upload_folder,
    owner_of_key,
    safe_name,
)
from lifestream.storage.results import results_prefix

FOLDER = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("key", "owner"),
    [
        (f"uploads/alice/{FOLDER}/walk.mp4", "alice"),
        (
            f"uploads/7d1f2a3b-1111-2222-3333-444455556666/{FOLDER}/a.MOV",
            "7d1f2a3b-1111-2222-3333-444455556666",
        ),
        ("uploads/walk.mp4", LOCAL_USER),  # the layout from before sign-in
        ("uploads/holiday/walk.mp4", LOCAL_USER),  # a folder is not a user
        (f"uploads/alice/{FOLDER}/sub/walk.mp4", LOCAL_USER),
        (f"uploads/../{FOLDER}/walk.mp4", LOCAL_USER),
        (f"uploads/alice/{FOLDER.upper()}/walk.mp4", LOCAL_USER),
    ],
)
def test_owner_of_key(key, owner):
    assert owner_of_key(key) == owner


def test_a_new_upload_folder_is_owned_by_its_user():
    folder = new_upload_folder("alice")
    assert owner_of_key(folder + "x.mp4") == "alice"
    assert new_upload_folder("alice") != folder
    assert results_prefix("alice", "v-1") == "results/alice/v-1/"
    with pytest.raises(ValueError):
        results_prefix("../bob", "v-1")


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("walk.mp4", "walk.mp4"),
        # The suffix in lower case: the bucket's suffix filters are case-sensitive.
        ("Café au lait.MOV", "Cafe au lait.mov"),
        ("Clip.Mp4", "Clip.mp4"),
        ("день.MKV", "upload.mkv"),
        ("день.mp4", "upload.mp4"),
        ("a;rm -rf $HOME.mp4", "a_rm -rf _HOME.mp4"),
    ],
)
def test_safe_names(name, safe):
    assert safe_name(name) == safe


@pytest.mark.parametrize(
    "name",
    ["", "  ", "../x.mp4", "a/b.mp4", "a\\b.mp4", "a\x00.mp4", ".mp4", "..", "x" * 201 + ".mp4", "a\nb.mp4", "evil\u202egpj.mp4", "a\u200bb.mp4"],
)
def test_unsafe_names_are_refused(name):
    with pytest.raises(InvalidNameError):
        safe_name(name)
