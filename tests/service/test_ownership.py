"""People see only what is theirs, called on the service directly: listings are the owner's, and another
owner's video or job reads exactly like one that does not exist (the same NotFoundError, the same words),
for every call that takes an id. Nothing tried by the other owner changes anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifestream.core.errors import NotFoundError, RequestError
from tests.service.conftest import A, B, World

MISSING = "no-such-video-0123456789"


def test_each_owner_lists_only_their_own_videos_and_jobs(world: World):
    library = world.library
    mine = {world.a_launch.video_id, world.a_garden.video_id}
    assert {v.video_id for v in library.list_videos(A).items} == mine
    assert [v.video_id for v in library.list_videos(B).items] == [world.b_launch.video_id]
    assert {j.video_id for j in library.list_jobs(A)} == mine
    assert [j.id for j in library.list_jobs(B)] == [world.b_launch.id]
    assert {j.owner for j in library.job_records(A)} == {A}
    assert library.list_videos("carol-sub-3").items == [] and library.list_jobs("carol-sub-3") == []
    # A job still running is listed for its owner only, and filtered by status.
    running = world.shelf.claim(B, "later.mp4")
    assert [v.video_id for v in library.list_videos(B, status="processing").items] == [running.video_id]
    assert library.list_videos(A, status="processing").items == []
    assert {v.video_id for v in library.list_videos(A, status="completed").items} == mine


def test_listing_pages_and_days_are_the_owners(world: World):
    library = world.library
    first = library.list_videos(A, limit=1)
    assert len(first.items) == 1 and first.next_offset == 1
    second = library.list_videos(A, limit=1, offset=first.next_offset)
    assert len(second.items) == 1 and second.next_offset is None
    assert {first.items[0].video_id, second.items[0].video_id} == {
        world.a_launch.video_id,
        world.a_garden.video_id,
    }
    # Recording days: A's launch (05-02) and not her garden walk (04-20), never B's launch of 05-02.
    may = library.list_videos(A, date_from="2026-05-01", date_to="2026-05-02").items
    assert [v.video_id for v in may] == [world.a_launch.video_id]
    day = library.day(B, "2026-05-02")
    assert [d.video.video_id for d in day.videos] == [world.b_launch.video_id]
    assert day.videos[0].diary["video_id"] == world.b_launch.video_id
    assert [d.video.video_id for d in library.day(A, "2026-04-20").videos] == [world.a_garden.video_id]


@pytest.mark.parametrize(
    "options, field",
    [
        ({"status": "done"}, "status"),
        ({"date_from": "2026-5-2"}, "date_from"),
        ({"date_to": "tomorrow"}, "date_to"),
        ({"date_from": "2026-05-03", "date_to": "2026-05-02"}, "date_from"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_listing_options_name_the_field(shelf, options, field):
    with pytest.raises(RequestError) as caught:
        shelf.library.list_videos(A, **options)
    assert caught.value.field == field


def test_an_owner_reads_their_own_video_diary_media_and_job(world: World):
    library, job = world.library, world.a_launch
    diary = library.get_video(A, job.video_id)
    assert diary.video.status == "completed" and diary.video.title == "standup.mp4"
    assert diary.diary["video_id"] == job.video_id and "Launch standup" in diary.markdown
    assert library.markdown(A, job.video_id) == diary.markdown
    assert library.lookup(A, job.video_id[:8]).id == job.id  # a unique prefix, as typed at the CLI
    assert library.get_job(A, job.id).video_id == job.video_id
    media = library.media(A, job.video_id)
    # A local file is streamed by the API from where it is, never presigned.
    assert media.video_url is None and media.local_path == job.source and Path(media.local_path).exists()
    assert list(media.local_keyframes) == ["frame_0001.jpg"]
    assert Path(media.local_keyframes["frame_0001.jpg"]).read_bytes() == b"\xff\xd8\xff\xd9"


CALLS = {
    "get_video": lambda lib, owner, ref: lib.get_video(owner, ref),
    "media": lambda lib, owner, ref: lib.media(owner, ref),
    "delete_video": lambda lib, owner, ref: lib.delete_video(owner, ref),
    "rename_speakers": lambda lib, owner, ref: lib.rename_speakers(owner, ref, {"Speaker 1": "Eve"}),
    "markdown": lambda lib, owner, ref: lib.markdown(owner, ref),
    "lookup": lambda lib, owner, ref: lib.lookup(owner, ref),
}


def _refusal(call, library, owner: str, ref: str) -> str:
    with pytest.raises(NotFoundError) as caught:
        call(library, owner, ref)
    return str(caught.value).replace(ref, "<ref>")


@pytest.mark.parametrize("name", sorted(CALLS))
def test_another_owners_video_reads_like_a_missing_one(world: World, name):
    library, theirs, call = world.library, world.a_launch, CALLS[name]
    foreign = _refusal(call, library, B, theirs.video_id)
    assert foreign == _refusal(call, library, B, MISSING)
    # Nothing of A's changed: her diary, files, vectors, lexical rows and job are as they were.
    shelf = world.shelf
    diary = library.get_video(A, theirs.video_id)
    assert diary.video.status == "completed" and "Speaker 1" in diary.markdown and "Eve" not in diary.markdown
    assert shelf.results.folder(theirs.video_id).is_dir() and shelf.results.state(theirs.video_id).is_dir()
    assert len(shelf.vector_ids(theirs.video_id)) == theirs.chunk_count
    assert shelf.lexical_rows(A, theirs.video_id) == theirs.chunk_count


def test_another_owners_job_number_and_id_prefix_read_like_missing_ones(world: World):
    library, theirs = world.library, world.a_launch
    missing_job = max(world.a_launch.id, world.a_garden.id, world.b_launch.id) + 100
    for call in (library.get_job, library.lookup):
        with pytest.raises(NotFoundError) as foreign:
            call(B, theirs.id)
        with pytest.raises(NotFoundError) as missing:
            call(B, missing_job)
        said = str(foreign.value).replace(str(theirs.id), "N")
        assert said == str(missing.value).replace(str(missing_job), "N")
    # A prefix that only A's video has is unknown to B (not "several matches", not A's video).
    prefix = theirs.video_id[:8]
    assert not world.b_launch.video_id.startswith(prefix)
    with pytest.raises(NotFoundError, match="no job or video"):
        library.lookup(B, prefix)
    with pytest.raises(NotFoundError):
        library.markdown(B, str(theirs.id))
    assert library.get_job(A, theirs.id).video_id == theirs.video_id


def test_a_video_not_yet_processed_has_no_markdown_but_is_listed(shelf):
    job = shelf.claim(A, "busy.mp4")
    diary = shelf.library.get_video(A, job.video_id)
    assert diary.video.status == "processing" and diary.diary is None and diary.markdown is None
    with pytest.raises(NotFoundError, match="no diary yet"):
        shelf.library.markdown(A, job.video_id)
