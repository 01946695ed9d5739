"""Renaming speakers through the service: the diary's JSON and Markdown are rewritten through the job's
ResultStore and the video is re-indexed, so the diary, search filters, the lexical channel and the named
speaker boost all follow the new name; bad renames are refused naming the field, changing nothing; and
another owner's video with the same labels is untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lifestream.core.errors import NotFoundError, RequestError
from lifestream.service import parse_filters
from tests.service.conftest import A, B, World


def _files(job) -> tuple[str, str]:
    keys = job.result_keys
    return Path(keys["json"]).read_text(encoding="utf-8"), Path(keys["markdown"]).read_text(encoding="utf-8")


def test_a_rename_rewrites_the_diary_and_reindexes_the_video(world: World):
    library, job = world.library, world.a_launch
    vectors_before = world.shelf.vector_ids(job.video_id)
    # A query naming a label lifts that speaker's chunks (and the index remembers the owner's speakers).
    assert library.search_page(A, "what did Speaker 1 say about the rocket").speakers == ["Speaker 1"]

    diary = library.rename_speakers(A, job.video_id, {"Speaker 1": "Anna", "Speaker 2": "Marco"})

    block = diary.diary["blocks"][0]
    assert [s["speaker"] for s in block["transcript"]] == ["Anna", "Marco"]
    assert block["participants"] == ["Anna", "Marco"] and block["action_items"][0]["owner"] == "Marco"
    assert block["activity"] == "Anna talks with Marco."  # the diary's own words name them too
    assert block["transcript"][0]["text"] == "We launch the rocket on Friday."  # what was said is kept
    assert "Anna" in diary.markdown and "Speaker 1" not in diary.markdown
    # Written where the job's result keys point (what `lifestream show` and the API read next).
    raw, markdown = _files(job)
    assert json.loads(raw) == diary.diary and markdown == diary.markdown
    assert library.get_video(A, job.video_id).diary == diary.diary

    # The index follows: the same vector ids, replaced; filters, words and the speaker boost see the names.
    assert world.shelf.vector_ids(job.video_id) == vectors_before
    old = library.search_page(A, "rocket launch", filters=parse_filters(speaker="Speaker 1"))
    assert old.hits == []
    new = library.search_page(A, "rocket launch", filters=parse_filters(speaker="Anna"))
    assert new.hits and all("Anna" in h.speakers for h in new.hits)
    assert any(h.text == "Anna: We launch the rocket on Friday." for h in new.hits)
    lexical = library.search_page(A, "Anna", mode="lexical", top_k=10)
    assert lexical.hits and {h.video_id for h in lexical.hits} == {job.video_id}
    assert library.search_page(A, "what did Anna say about the rocket").speakers == ["Anna"]
    assert library.search_page(A, "what did Speaker 1 say about the rocket").speakers == []


def test_another_owners_labels_are_not_renamed(world: World):
    theirs = world.b_launch
    files_before = _files(theirs)
    world.library.rename_speakers(A, world.a_launch.video_id, {"Speaker 1": "Anna"})
    assert _files(theirs) == files_before
    hits = world.library.search_page(B, "rocket launch", filters=parse_filters(speaker="Speaker 1")).hits
    assert hits and {h.video_id for h in hits} == {theirs.video_id}
    # B's index knows no Anna: his query naming her boosts nothing and finds nothing of A's.
    page = world.library.search_page(B, "what did Anna say about the rocket")
    assert page.speakers == [] and {h.video_id for h in page.hits} <= {theirs.video_id}
    assert world.library.search_page(B, "Anna", mode="lexical").hits == []


@pytest.mark.parametrize(
    "names",
    [
        {"Speaker 9": "Bo"},
        {"Speaker 1": "Anna", "Priya": "Bo"},  # Priya speaks in another of A's videos, not this one
        {},
        {"Speaker 1": ""},
        {"Speaker 1": "   "},
        {"Speaker 1": "Anna\nSmith"},
        {"Speaker 1": "x" * 101},
        {" ": "Anna"},
    ],
    ids=["unknown", "other-video", "none", "empty", "blank", "newline", "long", "blank-label"],
)
def test_a_bad_rename_is_refused_naming_names_and_changes_nothing(world: World, names):
    library, job = world.library, world.a_launch
    before = _files(job)
    with pytest.raises(RequestError) as caught:
        library.rename_speakers(A, job.video_id, names)
    assert caught.value.field == "names"
    assert _files(job) == before
    hits = library.search_page(A, "rocket launch", filters=parse_filters(speaker="Speaker 1")).hits
    assert hits and all("Speaker 1" in h.speakers for h in hits)


def test_a_video_without_a_diary_cannot_be_renamed(world: World):
    busy = world.shelf.claim(A, "busy.mp4")
    with pytest.raises(RequestError) as caught:
        world.library.rename_speakers(A, busy.video_id, {"Speaker 1": "Anna"})
    assert caught.value.field == "video_id"
    # A completed video whose diary file is gone: missing, not a crash.
    Path(world.a_garden.result_keys["json"]).unlink()
    with pytest.raises(NotFoundError, match="missing"):
        world.library.rename_speakers(A, world.a_garden.video_id, {"Priya": "Pri"})
