"""Forgetting a local file's video through the service: its results and checkpoint folders, vectors,
lexical rows and job go; the file itself stays; nothing of another video (the owner's or anyone's) is
touched; and a repeat says the video is gone without changing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifestream.core.errors import NotFoundError
from lifestream.jobs import JobRecord
from tests.service.conftest import A, B, Shelf, World


def _footprint(shelf: Shelf, job: JobRecord) -> dict:
    """Everything the stores hold of one video."""
    folder, state = shelf.results.folder(job.video_id), shelf.results.state(job.video_id)
    files = sorted(str(p) for d in (folder, state) if d.exists() for p in d.rglob("*") if p.is_file())
    found = shelf.library.jobs.find_by_video(job.video_id)
    return {
        "files": files,
        "vectors": shelf.vector_ids(job.video_id),
        "lexical": shelf.lexical_rows(job.owner, job.video_id),
        "job": found.status if found else None,
    }


def test_deleting_a_local_video_forgets_it_everywhere_and_nothing_else(world: World):
    shelf, library, gone = world.shelf, world.library, world.a_launch
    others = [world.a_garden, world.b_launch]
    before = {j.video_id: _footprint(shelf, j) for j in others}
    doomed = _footprint(shelf, gone)
    assert doomed["files"] and doomed["vectors"] and doomed["lexical"] == gone.chunk_count

    report = library.delete_video(A, gone.video_id)

    assert report.video_id == gone.video_id
    assert (report.objects, report.vectors, report.jobs) == (len(doomed["files"]), len(doomed["vectors"]), 1)
    assert _footprint(shelf, gone) == {"files": [], "vectors": [], "lexical": 0, "job": None}
    assert not shelf.results.folder(gone.video_id).exists()
    assert not shelf.results.state(gone.video_id).exists()
    shelf.vectors.reload()  # as saved on disk, not only in memory
    assert shelf.vector_ids(gone.video_id) == []
    # The file on this machine is the user's: never deleted.
    assert Path(gone.source).read_bytes().startswith(b"not really a video")
    # The other videos are whole, and the owner's search and listing no longer know the deleted one.
    assert {j.video_id: _footprint(shelf, j) for j in others} == before
    assert [v.video_id for v in library.list_videos(A).items] == [world.a_garden.video_id]
    assert world.a_launch.video_id not in {h.video_id for h in library.search(A, "rocket launch", top_k=20)}
    assert library.get_video(B, world.b_launch.video_id).markdown

    # Again: the video is gone (as any missing one), and nothing else moves.
    with pytest.raises(NotFoundError, match=gone.video_id):
        library.delete_video(A, gone.video_id)
    assert {j.video_id: _footprint(shelf, j) for j in others} == before


def test_every_version_of_the_file_is_forgotten(shelf: Shelf):
    older = shelf.add(A, "walk.mp4", [("Priya", "The first cut of the walk.")], version="v1")
    newer = shelf.add(A, "walk.mp4", [("Priya", "The second cut of the walk.")], version="v2")
    kept = shelf.add(A, "other.mp4", [("Priya", "Another walk entirely.")])
    assert older.key == newer.key and older.video_id != newer.video_id
    report = shelf.library.delete_video(A, newer.video_id)
    assert report.jobs == 2 and report.vectors == older.chunk_count + newer.chunk_count
    for job in (older, newer):
        assert _footprint(shelf, job) == {"files": [], "vectors": [], "lexical": 0, "job": None}
    assert _footprint(shelf, kept)["job"] == "completed" and shelf.vector_ids(kept.video_id)


def test_a_video_still_processing_can_be_deleted(shelf: Shelf):
    job = shelf.claim(A, "half.mp4")
    state = shelf.results.state(job.video_id)
    state.mkdir(parents=True)
    (state / "audio.json").write_text("{}")
    report = shelf.library.delete_video(A, job.video_id)
    assert (report.objects, report.vectors, report.jobs) == (1, 0, 1)
    assert not state.exists() and shelf.library.jobs.find_by_video(job.video_id) is None
