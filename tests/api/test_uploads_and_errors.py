"""Uploads through presigned POSTs to the moto server, and bad input: every refusal is a 4xx JSON body that
names the field, with nothing written and no traceback."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from tests.support import post_policy


@pytest.fixture
def local(cloud, settings_for, tmp_path):
    settings = settings_for(cloud, max_video_bytes=10_000_000)
    return TestClient(create_app(settings), raise_server_exceptions=False, base_url="http://127.0.0.1"), cloud


def _ticket(client, **body):
    values = {"filename": "walk.mp4", "size": 1000, "content_type": "video/mp4", **body}
    return client.post("/api/uploads", json=values)


def test_a_presigned_post_uploads_under_the_users_prefix(local):
    client, cloud = local
    response = _ticket(client, filename="Walk in the park.mp4", size=11)
    assert response.status_code == 201, response.text
    ticket = response.json()
    key = ticket["key"]
    assert key.startswith("uploads/local/") and key.endswith("/Walk in the park.mp4")
    # The policy pins exactly this key, this size and a video type, and expires in minutes.
    policy = post_policy.decode(ticket["fields"])
    assert ["eq", "$key", key] in policy["conditions"]
    assert ["content-length-range", 11, 11] in policy["conditions"]
    assert ["starts-with", "$Content-Type", "video/"] in policy["conditions"]
    expires = dt.datetime.fromisoformat(policy["expiration"])
    assert dt.timedelta(minutes=1) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15)
    # A real multipart POST to the moto server stores the object with the declared type.
    sent = httpx.post(ticket["url"], data=ticket["fields"], files={"file": ("x", b"hello video")})
    assert sent.status_code == 204, sent.text
    head = cloud.s3.head_object(Bucket=cloud.resources.bucket, Key=key)
    assert (head["ContentLength"], head["ContentType"]) == (11, "video/mp4")


def test_the_signed_policy_refuses_another_size_key_or_type(local):
    # moto's server does not enforce POST policies (it stores any POST): S3's rules are checked on the
    # signed document instead (tests/support/post_policy.py).
    client, _ = local
    fields = _ticket(client, size=1000).json()["fields"]
    assert post_policy.refusal(fields, file_size=1000) is None
    assert "outside" in post_policy.refusal(fields, file_size=1001)
    assert "outside" in post_policy.refusal(fields, file_size=999)
    assert "key" in post_policy.refusal(
        {**fields, "key": "uploads/bob/" + "0" * 32 + "/x.mp4"}, file_size=1000
    )
    assert "content-type" in post_policy.refusal({**fields, "Content-Type": "text/html"}, file_size=1000)
    assert "fields without" in post_policy.refusal({**fields, "acl": "public-read"}, file_size=1000)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    assert post_policy.refusal(fields, file_size=1000, now=later) == "policy expired"


def test_subtitles_go_beside_their_video(local):
    client, _ = local
    video = _ticket(client).json()["key"]
    sub = _ticket(
        client, filename="anything.en.srt", size=100, content_type="application/x-subrip", beside=video
    )
    assert sub.status_code == 201, sub.text
    assert sub.json()["key"] == video.rsplit(".", 1)[0] + ".srt"
    policy = post_policy.decode(sub.json()["fields"])
    assert ["eq", "$Content-Type", "application/x-subrip"] in policy["conditions"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"size": 10_000_001}, 413, "size"),
        ({"size": 0}, 422, "size"),
        ({"size": -5}, 422, "size"),
        ({"content_type": "text/html"}, 422, "content_type"),
        ({"filename": "walk.exe"}, 422, "filename"),
        ({"filename": "../../etc/passwd.mp4"}, 422, "filename"),
        ({"filename": "a\x00.mp4"}, 422, "filename"),
        ({"filename": "x" * 300 + ".mp4"}, 422, "filename"),
        ({"filename": "é" * 150 + ".mp4"}, 422, "filename"),
        ({"filename": "evil\u202egpj.mp4"}, 422, "filename"),
        ({"filename": ""}, 422, "filename"),
        (
            {"filename": "x.srt", "content_type": "application/x-subrip", "beside": "uploads/walk.mp4"},
            404,
            None,
        ),
        ({"unexpected": 1}, 422, "unexpected"),
    ],
)
def test_bad_upload_requests_name_the_field_and_write_nothing(local, body, status, field):
    client, cloud = local
    response = _ticket(client, **body)
    assert response.status_code == status, response.text
    assert response.json()["field"] == field and "Traceback" not in response.text
    assert cloud.s3.list_objects_v2(Bucket=cloud.resources.bucket).get("KeyCount", 0) == 0


def test_a_unicode_name_is_kept_readable_in_a_safe_key(local):
    client, _ = local
    assert _ticket(client, filename="Café.mp4").json()["key"].endswith("/Cafe.mp4")
    assert _ticket(client, filename="день.mp4").json()["key"].endswith("/upload.mp4")


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "field"),
    [
        ("GET", "/api/videos/no-such-video", {}, 404, None),
        # %2F decodes to "/" before routing: no route matches, a JSON 404 (never a file outside).
        ("GET", "/api/videos/..%2F..%2Fetc", {}, 404, None),
        ("GET", "/api/videos/.hidden", {}, 422, "video_id"),
        ("GET", "/api/videos/A%00B", {}, 422, "video_id"),
        ("GET", "/api/videos/" + "a" * 200, {}, 422, "video_id"),
        ("GET", "/api/days/2026-02-30", {}, 422, "date"),
        ("GET", "/api/days/yesterday", {}, 422, "date"),
        ("GET", "/api/videos?date_from=2026-13-01", {}, 422, "date_from"),
        ("GET", "/api/videos?date_from=2026-05-02&date_to=2026-05-01", {}, 422, "date_from"),
        ("GET", "/api/videos?status=done", {}, 422, "status"),
        ("GET", "/api/videos?limit=0", {}, 422, "limit"),
        ("GET", "/api/jobs/abc", {}, 422, "job_id"),
        ("GET", "/api/jobs/0", {}, 422, "job_id"),
        ("GET", "/api/jobs/12345", {}, 404, None),
        ("GET", "/api/jobs?status=done", {}, 422, "status"),
        ("GET", "/api/search", {}, 422, "q"),
        ("GET", "/api/search?q=x&date_from=soon", {}, 422, "date_from"),
        ("GET", "/api/search?q=x&chunk_type=poem", {}, 422, "chunk_type"),
        ("GET", "/api/search?q=x&top_k=0", {}, 422, "top_k"),
        ("POST", "/api/ask", {"json": {"question": ""}}, 422, "question"),
        ("POST", "/api/ask", {"json": {"question": "a\x00b"}}, 422, "question"),
        (
            "POST",
            "/api/ask",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            None,
        ),
        ("PATCH", "/api/videos/no-such-video/speakers", {"json": {"names": {}}}, 422, "names"),
        ("DELETE", "/api/videos/no-such-video", {}, 404, None),
    ],
)
def test_bad_requests_are_json_naming_the_field(local, method, path, kwargs, status, field):
    client, _ = local
    response = client.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "field"} and "Traceback" not in response.text
    if field is not None:
        assert body["field"] == field


def test_openapi_documents_every_route(local):
    client, _ = local
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/uploads",
        "/api/videos",
        "/api/videos/{video_id}",
        "/api/videos/{video_id}/media",
        "/api/jobs",
        "/api/jobs/{job_id}",
        "/api/search",
        "/api/ask",
        "/api/days/{date}",
        "/api/videos/{video_id}/speakers",
    ):
        assert path in paths
    assert "ErrorBody" in client.get("/api/openapi.json").json()["components"]["schemas"]
