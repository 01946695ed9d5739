"""The API function's real code paths under exactly the policy its role has in the synthesized template,
enforced by moto's IAM authentication (moto server, in this process): what the API does works, and a call
the template does not allow fails the test (tests/support/iam.py takes the policy from the template).

The videos are put in place with the suite's own (unchecked) credentials, as the worker leaves them:
the upload under uploads/<owner>/<uuid>/, the diary under results/<owner>/<video>/, a completed job, the
chunks indexed (FAISS and SQLite stay local: no AWS call).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from types import SimpleNamespace

import httpx
import pytest
from moto.core.authorization import enable_iam_authentication

from lifestream.core.settings import load_settings
from lifestream.memory.vectors.faiss_store import FaissVectorStore
from lifestream.service import Library
from lifestream.storage.results import S3Results, output_files
from lifestream.storage.s3_service import S3Service
from lifestream.understand.chunking import build_chunks
from lifestream.understand.diary import render_markdown
from tests.memory.conftest import DIM, WordEmbedder
from tests.service.conftest import make_diary
from lifestream.service import uploads as uploads_module
from lifestream.service.models import UploadedPart
from tests.api.conftest import post_form
from tests.support.iam import S3Calls, act_as, local_policy, role_statements, user_with_policy

OWNER = "alice-sub-1"
MB = 1024 * 1024
WORKER = "permissions-test"
NOW = dt.datetime(2026, 5, 3, 12, 0, tzinfo=dt.UTC)


class CloudShelf(SimpleNamespace):
    """The local cloud, the settings that point at it, and videos put there as the worker leaves them."""

    def library(self) -> Library:
        embedder = WordEmbedder()
        vectors = FaissVectorStore(self.tmp / "faiss", dimension=DIM, embedder_name=embedder.name)
        return Library(self.settings, store=vectors, embedder=embedder, clock=lambda: NOW)

    def add(self, library: Library, lines: list[tuple[str, str]]):
        bucket = self.cloud.resources.bucket
        key = f"uploads/{OWNER}/{uuid.uuid4().hex}/talk.mp4"
        self.cloud.s3.put_object(Bucket=bucket, Key=key, Body=b"video bytes")
        job = library.jobs.claim(
            bucket=bucket, key=key, version="v1", worker_id=WORKER, stale_after=600, owner=OWNER
        ).job
        diary = make_diary(job.video_id, lines)
        diary.blocks[0].keyframes = ["frame_0001.jpg"]  # the library's thumbnail
        json_path, markdown_path, keyframes = output_files(self.tmp / "out" / job.video_id)
        keyframes.mkdir(parents=True)
        json_path.write_text(diary.model_dump_json(indent=2), encoding="utf-8")
        markdown_path.write_text(render_markdown(diary), encoding="utf-8")
        frame = keyframes / "frame_0001.jpg"
        frame.write_bytes(b"\xff\xd8\xff\xd9")
        s3 = S3Service(bucket, region="us-east-1", endpoint_url=self.cloud.resources.endpoint_url)
        outputs = SimpleNamespace(json_path=json_path, markdown_path=markdown_path, keyframe_paths=[frame])
        chunks = build_chunks(diary)
        library.index(OWNER).index(job.video_id, chunks)
        return library.jobs.complete(
            job.id,
            worker_id=WORKER,
            result_keys=S3Results(s3).publish(OWNER, job.video_id, outputs),
            duration=diary.duration,
            recorded_at=diary.recorded_at,
            chunk_count=len(chunks),
        )


@pytest.fixture
def shelf(cloud, tmp_path) -> CloudShelf:
    settings = load_settings(
        env=cloud.names.env,
        data_dir=tmp_path / "data",
        aws_endpoint_url=cloud.resources.endpoint_url,
        bucket=cloud.resources.bucket,
        timezone="UTC",
        summarizer="extractive",
        transcriber="subtitles",
        max_video_bytes=8 * MB,
    )
    return CloudShelf(cloud=cloud, settings=settings, tmp=tmp_path)


class ActingApi(SimpleNamespace):
    """A Library acting as the API function, and the S3 calls it made."""

    def finish(self) -> None:
        """Close, then hold every recorded call to the policy as AWS authorizes it (tests/support/iam.py
        `required`): what moto lets through (DeleteObjects per key, HeadObject of a version, presigned
        requests) must be allowed too."""
        self.library.close()
        assert self.calls.calls, "no S3 call was made"
        assert self.calls.refused_by(self.policy) == []


@pytest.fixture
def become_api(synthesized, shelf, monkeypatch):
    """Call it to act as the API function from then on: new clients use an IAM user holding the role's
    policy from the synthesized template, and every S3 call is recorded. Run the calls inside
    `enable_iam_authentication()`."""

    def become(statements: list[dict] | None = None) -> ActingApi:
        statements = statements or role_statements(synthesized.template_json("dev", "Api"), "ApiFunction")
        policy = local_policy(statements, synthesized_env="dev", names=shelf.cloud.names)
        act_as(monkeypatch, user_with_policy(shelf.cloud.resources.endpoint_url, policy, name="api"))
        calls = S3Calls(monkeypatch)
        return ActingApi(library=shelf.library(), calls=calls, policy=policy)

    return become


def test_a_speaker_rename_rewrites_the_diary_in_the_bucket(shelf, become_api):
    # GIVEN a completed video of the owner's, put in place as the worker leaves it
    setup = shelf.library()
    job = shelf.add(setup, [("Speaker 1", "We launch on Friday."), ("Speaker 2", "I book the pad.")])
    setup.close()
    # WHEN the API, with its role's permissions, renames a speaker
    api = become_api()
    with enable_iam_authentication():
        diary = api.library.rename_speakers(OWNER, job.video_id, {"Speaker 1": "Anna"})
    api.finish()
    # THEN the diary in the bucket names her, and so does the index
    assert [s["speaker"] for s in diary.diary["blocks"][0]["transcript"]] == ["Anna", "Speaker 2"]
    stored = shelf.cloud.s3.get_object(Bucket=shelf.cloud.resources.bucket, Key=job.result_keys["json"])
    assert json.loads(stored["Body"].read())["blocks"][0]["transcript"][0]["speaker"] == "Anna"
    markdown = shelf.cloud.s3.get_object(Bucket=shelf.cloud.resources.bucket, Key=job.result_keys["markdown"])
    assert "Anna" in markdown["Body"].read().decode()


def test_a_rename_the_bucket_refuses_leaves_search_and_the_diary_agreeing(synthesized, shelf, become_api):
    """The same role without s3:PutObject on results/ (as the template had it before issue 17): the rename
    fails, and the index is put back, so search does not name a speaker the diary does not."""
    from lifestream.service import parse_filters

    setup = shelf.library()
    job = shelf.add(setup, [("Speaker 1", "We launch the rocket on Friday."), ("Speaker 2", "I book it.")])
    setup.close()
    statements = role_statements(synthesized.template_json("dev", "Api"), "ApiFunction")
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if "s3:PutObject" in actions and "results/" in json.dumps(statement["Resource"]):
            statement["Action"] = [a for a in actions if a != "s3:PutObject"]
    api = become_api(statements)
    library = api.library
    try:
        with enable_iam_authentication():
            with pytest.raises(Exception, match="AccessDenied"):
                library.rename_speakers(OWNER, job.video_id, {"Speaker 1": "Anna"})
            assert library.search_page(OWNER, "rocket", filters=parse_filters(speaker="Anna")).hits == []
            kept = library.search_page(OWNER, "rocket", filters=parse_filters(speaker="Speaker 1")).hits
            assert kept and {h.video_id for h in kept} == {job.video_id}
            assert library.get_video(OWNER, job.video_id).diary["blocks"][0]["participants"][0] == "Speaker 1"
    finally:
        library.close()


def test_upload_tickets_single_and_multipart_completed_and_aborted(shelf, become_api, monkeypatch, tmp_path):
    # S3's limits scaled down: a 1 MB "POST limit", 5 MB parts (S3's smallest), an 8 MB largest video.
    monkeypatch.setattr(uploads_module, "PRESIGNED_POST_LIMIT", MB)
    monkeypatch.setattr(uploads_module, "MULTIPART_PART_SIZE", 5 * MB)
    bucket = shelf.cloud.resources.bucket
    video = tmp_path / "walk.mp4"
    video.write_bytes(b"hello video")
    api = become_api()
    library = api.library
    # The browser's requests (the POST, the part PUTs) go outside moto's IAM authentication, which answers
    # them with a 500: what they may do is the signer's, and the recorded presigns are held to the policy.
    with enable_iam_authentication():
        single = library.presign_upload(
            OWNER, filename="walk.mp4", size=video.stat().st_size, content_type="video/mp4"
        )
    assert post_form(single.model_dump(), video).status_code == 204
    # A multipart upload: created, parts PUT through their presigned URLs, listed and completed.
    data = os.urandom(6 * MB)
    with enable_iam_authentication():
        ticket = library.presign_upload(OWNER, filename="long.mp4", size=len(data), content_type="video/mp4")
    assert ticket.method == "multipart" and len(ticket.part_urls) == 2
    parts = _put_parts(ticket, data)
    with enable_iam_authentication():
        done = library.complete_upload(OWNER, key=ticket.key, upload_id=ticket.upload_id, parts=parts)
    assert done.size == len(data)
    # One whose parts break the ticket (over the largest video) is aborted.
    with enable_iam_authentication():
        doomed = library.presign_upload(OWNER, filename="big.mp4", size=6 * MB, content_type="video/mp4")
    parts = _put_parts(doomed, os.urandom(10 * MB), sizes=[5 * MB, 5 * MB])
    with enable_iam_authentication(), pytest.raises(Exception, match="over the limit"):
        library.complete_upload(OWNER, key=doomed.key, upload_id=doomed.upload_id, parts=parts)
    api.finish()
    assert {"CreateMultipartUpload", "UploadPart", "ListParts", "CompleteMultipartUpload", "AbortMultipartUpload"} <= set(
        api.calls.operations()
    )
    stored = shelf.cloud.s3.get_object(Bucket=bucket, Key=ticket.key)["Body"].read()
    assert stored == data
    uploads = shelf.cloud.s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert doomed.key not in {u["Key"] for u in uploads}


def _put_parts(ticket, data: bytes, sizes: list[int] | None = None) -> list[UploadedPart]:
    parts, offset = [], 0
    for n, url in enumerate(ticket.part_urls, start=1):
        size = (sizes or [])[n - 1] if sizes else ticket.part_size
        chunk = data[offset : offset + size]
        offset += size
        response = httpx.put(url, content=chunk, timeout=30)
        assert response.status_code == 200, response.text
        parts.append(UploadedPart(part_number=n, etag=response.headers["etag"]))
    return parts


def test_diary_reads_playback_and_keyframe_links_and_delete(shelf, become_api):
    # GIVEN a completed video of the owner's
    setup = shelf.library()
    job = shelf.add(setup, [("Speaker 1", "We launch on Friday."), ("Speaker 2", "I book the pad.")])
    setup.close()
    bucket = shelf.cloud.resources.bucket
    api = become_api()
    with enable_iam_authentication():
        # Diary reads: the video, its Markdown, the day it was recorded
        assert api.library.get_video(OWNER, job.video_id).diary["video_id"] == job.video_id
        assert api.library.markdown(OWNER, job.video_id).startswith("# Daily Summary")
        assert [v.video.video_id for v in api.library.day(OWNER, "2026-05-02").videos] == [job.video_id]
        # Playback and keyframe links, presigned by the role, and the library list's diary title and
        # thumbnail ...
        links = api.library.media(OWNER, job.video_id)
        (listed_item,) = api.library.list_videos(OWNER).items
    # ... fetched by a browser (outside moto's IAM authentication, which answers presigned requests with a
    # 500; the recorded presigns are held to the policy)
    assert len(links.keyframes) == 1
    assert listed_item.diary_title == "Conversation" and listed_item.thumbnail
    for url in (links.video_url, *links.keyframes, listed_item.thumbnail):
        assert httpx.get(url, timeout=30).status_code == 200, url
    # Delete: every version of the upload, the results, the job. Its DeleteObjects calls go outside moto's
    # IAM authentication, which authorizes them against the bucket's ARN where AWS authorizes each key
    # (s3:DeleteObjectVersion on the object): the recorded calls are held to the policy per key instead.
    report = api.library.delete_video(OWNER, job.video_id)
    api.finish()
    assert report.jobs == 1 and report.objects >= 4
    listed = shelf.cloud.s3.list_object_versions(Bucket=bucket)
    assert listed.get("Versions", []) == [] and listed.get("DeleteMarkers", []) == []
    assert {"ListObjectVersions", "DeleteObjects", "GetObject"} <= set(api.calls.operations())
