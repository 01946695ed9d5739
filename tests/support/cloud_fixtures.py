"""Fixtures for tests that need local-cloud resources: a fresh bucket, queue and DLQ on the session's moto
server per test (an env name of its own keeps bucket and queue names apart), and settings pointing at them.
Registered for the whole suite in tests/conftest.py, since the worker, local and CLI tests all use them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest

from lifestream.core.constants import LOCAL_ACCOUNT, ResourceNames
from lifestream.core.settings import Settings, load_settings
from lifestream.local import cloud as local_cloud


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
    # The worker runtime is a per-process singleton (as in a warm Lambda): each test starts from none.
    from lifestream.worker import reset

    reset()
    yield
    reset()
