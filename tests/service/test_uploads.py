"""Upload tickets, called on the service directly against the moto server: a video gets a fresh folder
under its owner's prefix, refusals name the field and write nothing, and no owner can presign into or
complete an upload in another owner's folder (NotFoundError, as for a key that does not exist)."""

from __future__ import annotations

import datetime as dt
import os
import re
from urllib.parse import unquote_plus

import httpx
import pytest

from lifestream.core.errors import NotFoundError, RequestError
from lifestream.core.ownership import owner_of_key
from lifestream.core.sidecars import MAX_SIDECAR_BYTES
from lifestream.service import Library
from lifestream.service import uploads as uploads_module
from lifestream.service.models import UploadedPart
from tests.api.conftest import post_form
from tests.service.conftest import NOW, A, B
from tests.support import post_policy

MB = 1024 * 1024
LIMIT = 10 * MB


@pytest.fixture
def bucket(cloud, settings_for):
    library = Library(settings_for(cloud, max_video_bytes=LIMIT), clock=lambda: NOW)
    yield library, cloud
    library.close()


def _objects(cloud) -> list[str]:
    listed = cloud.s3.list_object_versions(Bucket=cloud.resources.bucket)
    return [v["Key"] for v in listed.get("Versions", []) + listed.get("DeleteMarkers", [])]


def _video(library: Library, owner: str, **overrides):
    values = {"filename": "walk.mp4", "size": 11, "content_type": "video/mp4", **overrides}
    return library.presign_upload(owner, **values)


def test_a_video_ticket_is_a_fresh_folder_under_the_owners_prefix(bucket, tmp_path):
    library, cloud = bucket
    ticket = _video(library, A, filename="Walk in the park.MP4", content_type="Video/MP4")
    assert re.fullmatch(rf"uploads/{A}/[0-9a-f]{{32}}/Walk in the park\.mp4", ticket.key), ticket.key
    assert owner_of_key(ticket.key) == A
    assert (ticket.method, ticket.max_bytes, ticket.fields["key"]) == ("post", 11, ticket.key)
    assert ticket.expires_at == NOW + dt.timedelta(minutes=library.settings.upload_url_minutes)
    # Each ticket its own folder; each owner their own prefix.
    assert _video(library, A).key.rsplit("/", 2)[1] != ticket.key.rsplit("/", 2)[1]
    assert _video(library, B).key.startswith(f"uploads/{B}/")
    # The policy pins this key, exactly this size and a video type (the type as sent, lowercased).
    conditions = post_policy.decode(ticket.fields)["conditions"]
    assert ["eq", "$key", ticket.key] in conditions and ["content-length-range", 11, 11] in conditions
    assert ["starts-with", "$Content-Type", "video/"] in conditions
    assert ticket.fields["Content-Type"] == "video/mp4"
    # And S3 takes the file there.
    path = tmp_path / "walk.mp4"
    path.write_bytes(b"hello video")
    assert post_form(ticket.model_dump(), path).status_code == 204
    assert _objects(cloud) == [ticket.key]


@pytest.mark.parametrize("filename", ["Clip.Mp4", "clip.mOV", "Walk.Mkv"])
def test_a_mixed_case_suffix_is_queued_for_the_worker(bucket, tmp_path, filename):
    """S3's suffix filters are case-sensitive (.mp4 and .MP4 are registered): the key carries the suffix in
    lower case, so the upload raises its event. Through the local cloud, with the stacks' filters."""
    library, cloud = bucket
    ticket = _video(library, A, filename=filename)
    stem, suffix = filename.rsplit(".", 1)
    assert ticket.key.endswith(f"/{stem}.{suffix.lower()}")
    path = tmp_path / filename
    path.write_bytes(b"hello video")
    assert post_form(ticket.model_dump(), path).status_code == 204
    records = [r for body in cloud.bodies() for r in body.get("Records", [])]
    assert [unquote_plus(r["s3"]["object"]["key"]) for r in records] == [ticket.key]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"size": 0}, "size"),
        ({"size": -1}, "size"),
        ({"size": True}, "size"),
        ({"size": "11"}, "size"),
        ({"size": 1.5}, "size"),
        ({"size": LIMIT + 1}, "size"),
        ({"filename": "walk.txt"}, "filename"),
        ({"filename": ""}, "filename"),
        ({"filename": "../walk.mp4"}, "filename"),
        ({"filename": ".walk.mp4"}, "filename"),
        ({"content_type": "text/plain"}, "content_type"),
        ({"content_type": ""}, "content_type"),
    ],
)
def test_a_bad_video_ticket_is_refused_naming_the_field(bucket, overrides, field):
    library, cloud = bucket
    with pytest.raises(RequestError) as caught:
        _video(library, A, **overrides)
    assert caught.value.field == field
    assert _objects(cloud) == []


def test_the_size_limit_is_inclusive(bucket):
    library, _ = bucket
    assert _video(library, A, size=LIMIT).max_bytes == LIMIT


def _subtitles(library: Library, owner: str, beside: str, **overrides):
    values = {"filename": "talk.en.srt", "size": 100, "content_type": "application/x-subrip", **overrides}
    return library.presign_upload(owner, beside=beside, **values)


def test_subtitles_go_beside_the_owners_video_under_its_name(bucket):
    library, _ = bucket
    video = _video(library, A).key
    ticket = _subtitles(library, A, video)
    assert ticket.key == video.removesuffix(".mp4") + ".srt"
    assert ticket.max_bytes == 100
    assert ["eq", "$Content-Type", "application/x-subrip"] in post_policy.decode(ticket.fields)["conditions"]
    vtt = _subtitles(library, A, video, filename="talk.vtt", content_type="text/vtt")
    assert vtt.key == video.removesuffix(".mp4") + ".vtt"


def test_subtitles_beside_another_owners_video_read_like_a_missing_upload(bucket):
    library, cloud = bucket
    theirs = _video(library, A).key
    # A folder of B's own need not exist yet (subtitles go up before their video): B may presign there.
    assert _subtitles(library, B, f"uploads/{B}/{'0' * 32}/walk.mp4").key.startswith(f"uploads/{B}/")
    nobodys = f"uploads/carol-sub-3/{'0' * 32}/walk.mp4"
    messages = []
    for beside in (theirs, nobodys):
        with pytest.raises(NotFoundError) as caught:
            _subtitles(library, B, beside)
        messages.append(str(caught.value).replace(beside, "<key>"))
    assert messages[0] == messages[1]
    # Not even a key of the owner's prefix in another shape (not one the API hands out).
    for beside in (f"uploads/{B}/walk.mp4", "uploads/walk.mp4", f"results/{B}/x/walk.mp4"):
        with pytest.raises(NotFoundError):
            _subtitles(library, B, beside)
    assert _objects(cloud) == []


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"filename": "talk.txt"}, "filename"),
        ({"content_type": "video/mp4"}, "content_type"),
        ({"size": MAX_SIDECAR_BYTES + 1}, "size"),
        ({"size": 0}, "size"),
    ],
)
def test_bad_subtitles_are_refused_naming_the_field(bucket, overrides, field):
    library, _ = bucket
    with pytest.raises(RequestError) as caught:
        _subtitles(library, A, _video(library, A).key, **overrides)
    assert caught.value.field == field


def test_subtitles_beside_subtitles_are_refused(bucket):
    library, _ = bucket
    beside = _subtitles(library, A, _video(library, A).key).key
    with pytest.raises(RequestError) as caught:
        _subtitles(library, A, beside)
    assert caught.value.field == "beside"


@pytest.fixture
def multipart(bucket, monkeypatch):
    # S3's 5 GB POST limit and 512 MB parts, scaled down to a 1 MB limit and 5 MB parts (S3's smallest).
    monkeypatch.setattr(uploads_module, "PRESIGNED_POST_LIMIT", MB)
    monkeypatch.setattr(uploads_module, "MULTIPART_PART_SIZE", 5 * MB)
    return bucket


def _uploads(cloud) -> list[str]:
    listed = cloud.s3.list_multipart_uploads(Bucket=cloud.resources.bucket)
    return [u["UploadId"] for u in listed.get("Uploads", [])]


def test_a_large_video_is_a_multipart_upload_only_its_owner_completes(multipart):
    library, cloud = multipart
    data = os.urandom(6 * MB)
    ticket = _video(library, A, size=len(data))
    assert ticket.method == "multipart" and ticket.key.startswith(f"uploads/{A}/")
    assert (ticket.part_size, len(ticket.part_urls)) == (5 * MB, 2) and _uploads(cloud) == [ticket.upload_id]
    parts = []
    for n, url in enumerate(ticket.part_urls, start=1):
        sent = httpx.put(url, content=data[(n - 1) * ticket.part_size : n * ticket.part_size], timeout=30)
        assert sent.status_code == 200, sent.text
        parts.append(UploadedPart(part_number=n, etag=sent.headers["etag"]))
    # B cannot complete A's upload: her key reads as missing. (A key of his own with her upload id is
    # refused by S3 itself, NoSuchUpload; moto's server does not check the pair, so it is not tried here.)
    with pytest.raises(NotFoundError, match="no upload"):
        library.complete_upload(B, key=ticket.key, upload_id=ticket.upload_id, parts=parts)
    assert _uploads(cloud) == [ticket.upload_id] and _objects(cloud) == []
    # Parts out of order or missing are refused, naming them; the owner then completes it.
    with pytest.raises(RequestError) as caught:
        library.complete_upload(A, key=ticket.key, upload_id=ticket.upload_id, parts=parts[1:])
    assert caught.value.field == "parts"
    done = library.complete_upload(A, key=ticket.key, upload_id=ticket.upload_id, parts=parts)
    assert (done.key, done.size) == (ticket.key, len(data)) and _objects(cloud) == [ticket.key]
