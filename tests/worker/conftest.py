"""Fixtures for the worker tests: a fresh set of local-cloud resources on the session's moto server per test
(an env name of its own keeps bucket and queue names apart), settings pointing at them, and a real handler."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from lifestream import local_cloud
from lifestream.constants import LOCAL_ACCOUNT, ResourceNames
from lifestream.jobs import JobStore
from lifestream.local_worker import LocalWorker
from lifestream.sample_media import SampleVideo, make_sample_video
from lifestream.settings import Settings, load_settings
from lifestream.worker import get_runtime
from tests.support.media import MediaFactory


@dataclass
class Cloud:
    names: ResourceNames
    resources: local_cloud.LocalResources
    s3: object
    sqs: object

    def drain(self, queue_url: str | None = None, *, wait: int = 0) -> list[dict]:
        """Receive (and delete) every visible message."""
        url = queue_url or self.resources.queue_url
        out: list[dict] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get(
                "Messages", []
            )
            if not got:
                return out
            for m in got:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            out.extend(got)

    def bodies(self, queue_url: str | None = None) -> list[dict]:
        return [json.loads(m["Body"]) for m in self.drain(queue_url)]

    def count(self, queue_url: str) -> int:
        attrs = self.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture
def cloud_factory(moto_endpoint) -> Callable[..., Cloud]:
    def make(
        *, visibility_timeout: int = 30, max_receive_count: int = 3, drain_test_event: bool = True
    ) -> Cloud:
        names = ResourceNames(env=f"t{uuid.uuid4().hex[:10]}", account=LOCAL_ACCOUNT)
        resources = local_cloud.provision(
            moto_endpoint,
            names=names,
            visibility_timeout=visibility_timeout,
            max_receive_count=max_receive_count,
        )
        kw = {"endpoint_url": moto_endpoint, "region_name": "us-east-1"}
        cloud = Cloud(names, resources, boto3.client("s3", **kw), boto3.client("sqs", **kw))
        if drain_test_event:
            assert [b.get("Event") for b in cloud.bodies()] == ["s3:TestEvent"]
        return cloud

    return make


@pytest.fixture
def cloud(cloud_factory) -> Cloud:
    return cloud_factory()


@pytest.fixture
def settings_for(tmp_path) -> Callable[..., Settings]:
    def make(cloud: Cloud, **overrides) -> Settings:
        values = {
            "env": cloud.names.env,
            "data_dir": tmp_path / "data",
            "aws_endpoint_url": cloud.resources.endpoint_url,
            "bucket": cloud.resources.bucket,
            "queue_url": cloud.resources.queue_url,
            "dlq_url": cloud.resources.dlq_url,
            "transcriber": "subtitles",
            "summarizer": "extractive",
        }
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture(autouse=True)
def _fresh_worker_runtime():
    from lifestream.worker import reset

    reset()
    yield
    reset()


def repo_path(*parts: str) -> Path:
    return Path(__file__).resolve().parents[2].joinpath(*parts)


@pytest.fixture(scope="session")
def embedder():
    from lifestream.embeddings import make_embedder

    return make_embedder(load_settings())


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> SampleVideo:
    return make_sample_video(tmp_path_factory.mktemp("sample") / "my-day.mp4")


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> MediaFactory:
    return MediaFactory(tmp_path_factory.mktemp("media"))


@dataclass
class Env:
    cloud: object
    settings: Settings
    embedder: object
    lambda_tmp: Path

    @property
    def bucket(self) -> str:
        return self.cloud.resources.bucket

    def worker(self, *, function_timeout: float = 120.0, batch_size: int = 10, **overrides) -> LocalWorker:
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings
        return LocalWorker(
            settings,
            wait_seconds=0,
            batch_size=batch_size,
            function_timeout=function_timeout,
            runtime_parts={"embedder": self.embedder, "tmp_root": self.lambda_tmp},
        )

    def upload(self, path: Path, key: str, *, subtitles: Path | None = None) -> None:
        if subtitles is not None:
            self.cloud.s3.upload_file(str(subtitles), self.bucket, key.rsplit(".", 1)[0] + subtitles.suffix)
        self.cloud.s3.upload_file(str(path), self.bucket, key)

    def jobs(self) -> list:
        return get_runtime().jobs.list_jobs(limit=100)

    def only_job(self):
        (job,) = self.jobs()
        return job

    def vector_ids(self, video_id: str) -> list[str]:
        return sorted(get_runtime().store.list_ids(video_id))

    def keys(self, prefix: str) -> list[str]:
        pages = self.cloud.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for p in pages for o in p.get("Contents", []))


@pytest.fixture
def env_factory(cloud_factory, settings_for, postgres_url, embedder, tmp_path):
    JobStore(postgres_url).migrate()  # in AWS the deploy-time migration function does this

    def make(*, visibility_timeout: int = 30, max_receive_count: int = 3, **overrides) -> Env:
        cloud = cloud_factory(visibility_timeout=visibility_timeout, max_receive_count=max_receive_count)
        values = {"database_url": postgres_url, "faiss_dir": tmp_path / "faiss"}
        values.update(overrides)
        lambda_tmp = tmp_path / "lambda-tmp"
        lambda_tmp.mkdir(exist_ok=True)
        return Env(cloud, settings_for(cloud, **values), embedder, lambda_tmp)

    return make


@pytest.fixture
def env(env_factory) -> Env:
    return env_factory()
