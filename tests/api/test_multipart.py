"""Files over S3's 5 GB POST limit go up as a multipart upload: part URLs signed for the key, completed
through the API, which checks the parts against the declared size and removes a mismatch. (The limits are
scaled down here: a 1 MB "POST limit" and 5 MB parts, S3's smallest.)"""

from __future__ import annotations

import os

import httpx
import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.service import uploads as library_module

MB = 1024 * 1024


@pytest.fixture
def multipart(cloud, settings_for, monkeypatch):
    monkeypatch.setattr(library_module, "PRESIGNED_POST_LIMIT", MB)
    monkeypatch.setattr(library_module, "MULTIPART_PART_SIZE", 5 * MB)
    client = TestClient(
        create_app(settings_for(cloud, max_video_bytes=20 * MB)), raise_server_exceptions=False, base_url="http://127.0.0.1"
    )
    return client, cloud


def _put_parts(ticket: dict, data: bytes) -> list[dict]:
    parts = []
    for n, url in enumerate(ticket["part_urls"], start=1):
        chunk = data[(n - 1) * ticket["part_size"] : n * ticket["part_size"]]
        response = httpx.put(url, content=chunk, timeout=30)
        assert response.status_code == 200, response.text
        parts.append({"part_number": n, "etag": response.headers["etag"]})
    return parts


def test_a_large_file_goes_up_in_parts(multipart):
    client, cloud = multipart
    data = os.urandom(6 * MB + 123)
    ticket = client.post(
        "/api/uploads", json={"filename": "long walk.mp4", "size": len(data), "content_type": "video/mp4"}
    ).json()
    assert ticket["method"] == "multipart" and len(ticket["part_urls"]) == 2
    done = client.post(
        "/api/uploads/complete",
        json={"key": ticket["key"], "upload_id": ticket["upload_id"], "parts": _put_parts(ticket, data)},
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"key": ticket["key"], "size": len(data)}
    stored = cloud.s3.get_object(Bucket=cloud.resources.bucket, Key=ticket["key"])
    assert stored["Body"].read() == data and stored["ContentType"] == "video/mp4"


def test_parts_that_do_not_add_up_to_the_declared_size_leave_nothing(multipart):
    client, cloud = multipart
    data = os.urandom(6 * MB)
    ticket = client.post(
        "/api/uploads", json={"filename": "walk.mp4", "size": len(data), "content_type": "video/mp4"}
    ).json()
    parts = _put_parts(ticket, data + b"more than declared")
    done = client.post(
        "/api/uploads/complete", json={"key": ticket["key"], "upload_id": ticket["upload_id"], "parts": parts}
    )
    assert done.status_code == 422 and done.json()["field"] == "size"
    listed = cloud.s3.list_object_versions(Bucket=cloud.resources.bucket, Prefix=ticket["key"])
    assert listed.get("Versions", []) == [] and listed.get("DeleteMarkers", []) == []


def test_another_users_or_an_unknown_upload_cannot_be_completed(multipart):
    client, _ = multipart
    ticket = client.post(
        "/api/uploads", json={"filename": "walk.mp4", "size": 6 * MB, "content_type": "video/mp4"}
    ).json()
    part = [{"part_number": 1, "etag": '"x"'}]
    other = ticket["key"].replace("uploads/local/", "uploads/bob/")
    for key, upload_id in ((other, ticket["upload_id"]), (ticket["key"], "no-such-upload")):
        response = client.post(
            "/api/uploads/complete", json={"key": key, "upload_id": upload_id, "parts": part}
        )
        assert response.status_code == 404, response.text
