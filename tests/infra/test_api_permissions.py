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
import uuid
from types import SimpleNamespace

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
from tests.support.iam import act_as, local_policy, role_statements, user_with_policy

OWNER = "alice-sub-1"
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
    )
    return CloudShelf(cloud=cloud, settings=settings, tmp=tmp_path)


@pytest.fixture
def api_role(synthesized, shelf, monkeypatch):
    """From here on, new clients act as an IAM user holding the API function's policy from the template."""
    statements = role_statements(synthesized.template_json("dev", "Api"), "ApiFunction")
    policy = local_policy(statements, synthesized_env="dev", names=shelf.cloud.names)
    credentials = user_with_policy(shelf.cloud.resources.endpoint_url, policy, name="api")

    def become() -> None:
        act_as(monkeypatch, credentials)

    return become


def test_a_speaker_rename_rewrites_the_diary_in_the_bucket(shelf, api_role):
    # GIVEN a completed video of the owner's, put in place as the worker leaves it
    setup = shelf.library()
    job = shelf.add(setup, [("Speaker 1", "We launch on Friday."), ("Speaker 2", "I book the pad.")])
    setup.close()
    # WHEN the API, with its role's permissions, renames a speaker
    api_role()
    library = shelf.library()
    try:
        with enable_iam_authentication():
            diary = library.rename_speakers(OWNER, job.video_id, {"Speaker 1": "Anna"})
    finally:
        library.close()
    # THEN the diary in the bucket names her, and so does the index
    assert [s["speaker"] for s in diary.diary["blocks"][0]["transcript"]] == ["Anna", "Speaker 2"]
    stored = shelf.cloud.s3.get_object(Bucket=shelf.cloud.resources.bucket, Key=job.result_keys["json"])
    assert json.loads(stored["Body"].read())["blocks"][0]["transcript"][0]["speaker"] == "Anna"
    markdown = shelf.cloud.s3.get_object(Bucket=shelf.cloud.resources.bucket, Key=job.result_keys["markdown"])
    assert "Anna" in markdown["Body"].read().decode()


def test_a_rename_the_bucket_refuses_leaves_search_and_the_diary_agreeing(synthesized, shelf, monkeypatch):
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
    policy = local_policy(statements, synthesized_env="dev", names=shelf.cloud.names)
    act_as(monkeypatch, user_with_policy(shelf.cloud.resources.endpoint_url, policy, name="api-old"))
    library = shelf.library()
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
