"""Renaming speakers (the diary and search follow the new name), and following a job by ETag polling."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.core.constants import LOCAL_FILES_BUCKET
from lifestream.core.models import TranscriptSegment
from lifestream.core.settings import load_settings
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.memory.vectors.owned import for_owner
from lifestream.service import Library
from lifestream.understand.chunking import build_chunks
from lifestream.understand.diary import Diary, DiaryBlock, render_markdown
from lifestream.understand.summarize.models import ActionItem, SpeakerSummary
from tests.memory.conftest import DIM, WordEmbedder

VIDEO = "standup-0123456789"


def _summary(video_id: str) -> Diary:
    block = DiaryBlock(
        index=0,
        start=0.0,
        end=20.0,
        title="Standup",
        activity="Speaker 1 plans the launch with Speaker 2.",
        location="Office",
        participants=["Speaker 1", "Speaker 2"],
        per_speaker=[SpeakerSummary(speaker="Speaker 1", summary="plans the launch")],
        visual_summary="a meeting room",
        source_reliability="High",
        action_items=[ActionItem(text="Send the launch plan", owner="Speaker 1", at=2.0)],
        transcript=[
            TranscriptSegment(
                start=0.0, end=5.0, text="We launch the rocket on Friday.", speaker="Speaker 1"
            ),
            TranscriptSegment(start=5.0, end=9.0, text="I will book the pad.", speaker="Speaker 2"),
        ],
    )
    return Diary(
        date="2026-05-02",
        video_id=video_id,
        recorded_at=dt.datetime(2026, 5, 2, 9, 30, tzinfo=dt.UTC),
        recorded_at_is_fallback=False,
        duration=20.0,
        transcriber="openai",
        summarizer="openai",
        vision="none",
        blocks=[block],
    )


@pytest.fixture
def setup(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data")
    embedder = WordEmbedder()
    store = FaissVectorStore(tmp_path / "faiss", dimension=DIM, embedder_name=embedder.name)
    library = Library(settings, store=store, embedder=embedder)
    job = library.jobs.claim(
        bucket=LOCAL_FILES_BUCKET, key="fp", version="fp", worker_id="w", stale_after=60, name=VIDEO
    ).job
    summary = _summary(job.video_id)
    out = tmp_path / "data" / "results" / job.video_id
    out.mkdir(parents=True)
    (out / "summary.json").write_text(summary.model_dump_json())
    (out / "summary.md").write_text(render_markdown(summary))
    VideoIndex(for_owner(store, "local"), embedder, owner="local").index(job.video_id, build_chunks(summary))
    return TestClient(create_app(settings, library=library), raise_server_exceptions=False, base_url="http://127.0.0.1"), library, job, out


def _complete(library, job, out):
    return library.jobs.complete(
        job.id,
        worker_id="w",
        result_keys={
            "json": str(out / "summary.json"),
            "markdown": str(out / "summary.md"),
            "keyframes": str(out / "keyframes"),
        },
        duration=20.0,
        recorded_at=dt.datetime(2026, 5, 2, 9, 30, tzinfo=dt.UTC),
        chunk_count=4,
    )


def test_renamed_speakers_show_in_the_diary_and_in_search(setup):
    client, library, job, out = setup
    _complete(library, job, out)
    vid = job.video_id
    response = client.patch(f"/api/videos/{vid}/speakers", json={"names": {"Speaker 1": "Anna"}})
    assert response.status_code == 200, response.text
    diary = response.json()
    assert "Anna" in diary["markdown"] and "Speaker 1" not in diary["markdown"]
    assert diary["diary"]["blocks"][0]["transcript"][0]["speaker"] == "Anna"
    assert diary["diary"]["blocks"][0]["action_items"][0]["owner"] == "Anna"
    # On disk too (what `lifestream show` prints), and search follows the new name.
    assert "Anna" in (out / "summary.md").read_text() and "Anna" in (out / "summary.json").read_text()
    assert client.get("/api/search", params={"q": "launch rocket", "speaker": "Speaker 1"}).json() == []
    hits = client.get("/api/search", params={"q": "launch rocket", "speaker": "Anna"}).json()
    assert hits and all("Anna" in h["speakers"] for h in hits)
    assert any(h["text"].startswith("Anna: We launch") for h in hits)
    # An unknown label is refused, naming the field; nothing changes.
    before = (out / "summary.json").read_text()
    bad = client.patch(f"/api/videos/{vid}/speakers", json={"names": {"Speaker 9": "Bo"}})
    assert bad.status_code == 422 and bad.json()["field"] == "names"
    assert (out / "summary.json").read_text() == before


def test_a_job_is_followed_by_etag_polling(setup):
    client, library, job, out = setup
    first = client.get(f"/api/jobs/{job.id}")
    assert first.status_code == 200 and first.json()["status"] == "processing"
    tag = first.headers["etag"]
    # Unchanged: 304 with no body.
    again = client.get(f"/api/jobs/{job.id}", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    # Progress made: a new body and a new tag.
    library.jobs.update_progress(job.id, worker_id="w", stage="transcribe", progress=0.5)
    moved = client.get(f"/api/jobs/{job.id}", headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.json()["stage"] == "transcribe"
    assert moved.headers["etag"] != tag
    listed = client.get("/api/jobs")
    assert [j["id"] for j in listed.json()] == [job.id]
    assert client.get("/api/jobs", headers={"If-None-Match": listed.headers["etag"]}).status_code == 304
    _complete(library, job, out)
    assert client.get("/api/jobs", headers={"If-None-Match": listed.headers["etag"]}).status_code == 200
    assert json.loads(client.get(f"/api/jobs/{job.id}").content)["status"] == "completed"
