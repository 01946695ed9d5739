"""Two signed-in users through the HTTP API, on the real flow: presigned POST to the moto server → S3
notification → the worker → diaries, media, search and answers through the API. B cannot list, read,
play, search, ask over, delete or presign into anything of A's — the answer is 404, exactly as for an id
that does not exist. Then A forgets a video and no store holds anything of it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from lifestream.jobs import JobStore
from lifestream.jobs.schema import RateBucket, UploadTicket
from tests.api.conftest import Api

A, B = "alice-sub-1", "bob-sub-2"


@pytest.fixture
def world(api: Api, sample):
    a_key = api.upload(A, sample.path, subtitles=sample.subtitles)
    b_key = api.upload(B, sample.path, subtitles=sample.subtitles)
    stats = api.worker().run(until_idle=True)
    assert stats.failed == 0
    (a_video,) = api.client.get("/api/videos", headers=api.as_user(A)).json()["items"]
    (b_video,) = api.client.get("/api/videos", headers=api.as_user(B)).json()["items"]
    assert a_video["status"] == b_video["status"] == "completed"
    _limits_were_on(api)
    return api, a_key, a_video, b_key, b_video


def _limits_were_on(api: Api) -> None:
    """Isolation holds with the per-user limits in force, as deployed: the settings' defaults (no test
    switches them off), and the flow above really spent both users' request buckets and recorded their
    upload tickets, which the quotas count."""
    s = api.settings
    assert s.auth == "jwt" and api.client.app.state.limits.on
    limits = [s.rate_requests_per_minute, s.rate_asks_per_minute, s.quota_uploads_in_flight]
    assert min(*limits, s.quota_bytes_per_day, s.quota_jobs_processing) > 0, limits
    store = JobStore(s.database_url)
    try:
        with store.engine.connect() as conn:
            buckets = conn.execute(select(RateBucket.owner, RateBucket.tokens)).all()
            tickets = conn.execute(select(UploadTicket.owner, UploadTicket.video)).all()
    finally:
        store.close()
    assert {owner for owner, tokens in buckets if tokens < s.rate_requests_burst} == {A, B}
    assert sorted(tickets) == sorted([(A, True), (A, False), (B, True), (B, False)])


def _same_404(response: httpx.Response, what: str) -> None:
    assert response.status_code == 404, (what, response.status_code, response.text)
    body = response.json()
    assert body["error"] == "not_found" and "Traceback" not in response.text, what


def test_b_gets_404_for_everything_of_a(world, sample):
    api, a_key, a_video, b_key, b_video = world
    a_id, b_id = a_video["video_id"], b_video["video_id"]
    assert a_id != b_id and a_key.startswith(f"uploads/{A}/") and b_key.startswith(f"uploads/{B}/")
    as_a, as_b = api.as_user(A), api.as_user(B)
    c = api.client

    # A sees her diary and can play her video (the presigned GET serves the uploaded bytes).
    diary = c.get(f"/api/videos/{a_id}", headers=as_a).json()
    assert diary["markdown"].startswith("# Daily Summary") and diary["diary"]["video_id"] == a_id
    media = c.get(f"/api/videos/{a_id}/media", headers=as_a).json()
    assert httpx.get(media["video_url"]).content == sample.path.read_bytes()
    assert media["keyframes"] and all(httpx.get(u).status_code == 200 for u in media["keyframes"])

    # B: list shows only his own; every read, play, delete, rename of A's id is a 404 like a missing id.
    assert [v["video_id"] for v in c.get("/api/videos", headers=as_b).json()["items"]] == [b_id]
    for method, path in [
        ("GET", f"/api/videos/{a_id}"),
        ("GET", f"/api/videos/{a_id}/media"),
        ("GET", f"/api/videos/{a_id}/media/file"),
        ("DELETE", f"/api/videos/{a_id}"),
        ("GET", f"/api/jobs/{a_video['job_id']}"),
        ("GET", "/api/videos/no-such-video-0000000000"),
        ("GET", "/api/jobs/999999"),
    ]:
        _same_404(c.request(method, path, headers=as_b), f"{method} {path}")
    _same_404(
        c.patch(f"/api/videos/{a_id}/speakers", json={"names": {"Speaker 1": "Eve"}}, headers=as_b), "rename"
    )
    assert [j["video_id"] for j in c.get("/api/jobs", headers=as_b).json()] == [b_id]

    # B's search and answers never reach A's memory, even when he names her video.
    query = {"q": "buy compost and a watering can", "top_k": 20}
    hits = c.get("/api/search", params=query, headers=as_b).json()
    assert hits and {h["video_id"] for h in hits} == {b_id}
    assert c.get("/api/search", params={**query, "video_id": a_id}, headers=as_b).json() == []
    for mode in ("lexical", "dense"):  # each channel alone is his too (hybrid fuses both)
        alone = c.get("/api/search", params={**query, "mode": mode}, headers=as_b).json()
        assert alone and {h["video_id"] for h in alone} == {b_id}, mode
    answer = c.post("/api/ask", json={"question": "What do we need to buy?"}, headers=as_b).json()
    assert answer["citations"] and {x["video_id"] for x in answer["citations"]} == {b_id}
    assert all(x["quote"] for x in answer["citations"])
    # The day view is his alone.
    day = a_video["recorded_at"][:10]
    days = c.get(f"/api/days/{diary['diary']['date']}", headers=as_b).json()
    assert [v["video"]["video_id"] for v in days["videos"]] == [b_id], day

    # B cannot presign into A's folder (subtitles "beside" her video).
    ticket = c.post(
        "/api/uploads",
        json={"filename": "x.srt", "size": 10, "content_type": "application/x-subrip", "beside": a_key},
        headers=as_b,
    )
    _same_404(ticket, "presign beside A's video")

    # Nothing B did changed anything of A's.
    assert c.get(f"/api/videos/{a_id}", headers=as_a).json()["video"]["status"] == "completed"
    assert {h["video_id"] for h in c.get("/api/search", params=query, headers=as_a).json()} == {a_id}


def test_delete_forgets_a_video_in_every_store_and_is_idempotent(world):
    api, a_key, a_video, b_key, b_video = world
    a_id, as_a = a_video["video_id"], api.as_user(A)
    folder = a_key.rsplit("/", 1)[0] + "/"
    library = api.client.app.state.library
    assert api.keys_under(folder) and api.keys_under(f"results/{A}/{a_id}/")

    report = api.client.delete(f"/api/videos/{a_id}", headers=as_a)
    assert report.status_code == 200, report.text
    assert report.json()["vectors"] > 0 and report.json()["jobs"] == 1

    # Every store, listed directly (not through the API): nothing of the video is left.
    assert api.keys_under(folder) == []  # the upload, every version and delete marker, its subtitles
    assert api.keys_under(f"results/{A}/{a_id}/") == [] and api.keys_under(f"state/{a_id}/") == []
    assert api.keys_under(f"results/{a_id}/") == []
    assert list(library.store.list_ids(a_id)) == []  # unscoped: the whole FAISS index
    library.store.reload()
    assert list(library.store.list_ids(a_id)) == []  # and as saved on disk
    assert library.jobs.find_by_video(a_id) is None
    assert [j for j in library.jobs.list_jobs(limit=100) if j.owner == A] == []
    # A second delete changes nothing and says the video is gone; B's video is untouched.
    _same_404(api.client.delete(f"/api/videos/{a_id}", headers=as_a), "second delete")
    b = api.client.get(f"/api/videos/{b_video['video_id']}", headers=api.as_user(B)).json()
    assert b["video"]["status"] == "completed" and api.keys_under(b_key)
