"""Paging and filters of the library list; isolation through the API on Pinecone (a namespace per user)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.core.constants import LOCAL_FILES_BUCKET
from lifestream.core.models import Chunk, ChunkType
from lifestream.core.settings import load_settings
from lifestream.memory.video_index import VideoIndex
from lifestream.memory.vectors.owned import for_owner
from lifestream.service import Library
from tests.api.conftest import AUDIENCE, ISSUER
from tests.memory.conftest import WordEmbedder, connect_pinecone


@pytest.fixture
def _instant_sdk_retries(monkeypatch):
    from pinecone._internal import http_client

    monkeypatch.setattr(http_client, "_retry_sleep", lambda seconds: None)


def _video(library, key: str, owner: str, day: int | None, *, done: bool = True, bucket: str = "b"):
    job = library.jobs.claim(
        bucket=bucket, key=key, version="v1", worker_id="w", stale_after=60, owner=owner
    ).job
    if done:
        recorded = dt.datetime(2026, 5, day, 12, tzinfo=dt.UTC) if day else None
        library.jobs.complete(
            job.id, worker_id="w", result_keys={}, duration=60.0, recorded_at=recorded, chunk_count=1
        )
    return job


def test_the_library_pages_and_filters(tmp_path):
    library = Library(load_settings(data_dir=tmp_path / "data"))
    client = TestClient(create_app(library.settings, library=library), base_url="http://127.0.0.1")
    for day in (1, 2, 3, 4, 5):
        _video(library, f"uploads/day{day}.mp4", "local", day)
    _video(library, "uploads/pending.mp4", "local", None, done=False)
    _video(library, "uploads/bob/" + "0" * 32 + "/x.mp4", "bob", 3)
    page = client.get("/api/videos", params={"limit": 4}).json()
    assert len(page["items"]) == 4 and page["next_offset"] == 4
    rest = client.get("/api/videos", params={"limit": 4, "offset": 4}).json()
    assert len(rest["items"]) == 2 and rest["next_offset"] is None
    titles = {v["title"] for v in page["items"] + rest["items"]}
    assert titles == {f"day{d}.mp4" for d in range(1, 6)} | {"pending.mp4"}
    ranged = client.get("/api/videos", params={"date_from": "2026-05-02", "date_to": "2026-05-04"}).json()
    assert sorted(v["title"] for v in ranged["items"]) == ["day2.mp4", "day3.mp4", "day4.mp4"]
    queued = client.get("/api/videos", params={"status": "processing"}).json()
    assert [v["title"] for v in queued["items"]] == ["pending.mp4"]
    first = page["items"][0]
    assert set(first) >= {"video_id", "title", "status", "duration", "recorded_at", "created_at"}


@pytest.mark.usefixtures("_instant_sdk_retries")
def test_isolation_on_pinecone_through_the_api(tmp_path, pinecone_fake, keys):
    import json

    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keys.jwks()))
    settings = load_settings(
        data_dir=tmp_path / "data",
        auth="jwt",
        auth_issuer=ISSUER,
        auth_audience=AUDIENCE,
        auth_jwks=str(jwks),
    )
    embedder = WordEmbedder()
    store = connect_pinecone(pinecone_fake)
    library = Library(settings, store=store, embedder=embedder)
    client = TestClient(create_app(settings, library=library), raise_server_exceptions=False, base_url="http://127.0.0.1")
    ids = {}
    for owner in ("alice", "bob"):
        # Files processed on this machine: no S3 in this test, only the vectors matter.
        job = _video(library, f"{owner}-walk", owner, 2, bucket=LOCAL_FILES_BUCKET)
        chunk = Chunk(
            id=Chunk.make_id(job.video_id, ChunkType.TRANSCRIPT, 0),
            text="we walked the dog by the river",
            video_id=job.video_id,
            chunk_type=ChunkType.TRANSCRIPT,
            start=0,
            end=5,
        )
        VideoIndex(for_owner(store, owner), embedder, owner=owner).index(job.video_id, [chunk])
        ids[owner] = job.video_id
    as_bob = {"Authorization": f"Bearer {keys.token('bob')}"}
    hits = client.get("/api/search", params={"q": "walked the dog"}, headers=as_bob).json()
    assert [h["video_id"] for h in hits] == [ids["bob"]]
    answer = client.post(
        "/api/ask", json={"question": "we walked the dog by the river?"}, headers=as_bob
    ).json()
    assert {c["video_id"] for c in answer["citations"]} == {ids["bob"]}
    assert client.delete(f"/api/videos/{ids['alice']}", headers=as_bob).status_code == 404
    as_alice = {"Authorization": f"Bearer {keys.token('alice')}"}
    deleted = client.delete(f"/api/videos/{ids['alice']}", headers=as_alice)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["vectors"] == 1
    # Bob's namespace is untouched; Alice's is empty.
    assert for_owner(store, "bob").count() == 1 and for_owner(store, "alice").count() == 0


def test_an_unreachable_bucket_is_a_503_and_the_video_stays_for_a_retry(tmp_path):
    from tests.support.postgres import free_port

    settings = load_settings(data_dir=tmp_path / "data", aws_endpoint_url=f"http://127.0.0.1:{free_port()}")
    library = Library(settings)
    client = TestClient(create_app(settings, library=library), raise_server_exceptions=False, base_url="http://127.0.0.1")
    job = _video(library, "uploads/walk.mp4", "local", 2)
    response = client.delete(f"/api/videos/{job.video_id}")
    assert response.status_code == 503 and response.json()["error"] == "unavailable"
    assert response.headers["Retry-After"] and "Traceback" not in response.text
    assert library.jobs.find_by_video(job.video_id) is not None  # nothing forgotten half-way
