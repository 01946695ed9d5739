"""Fixtures for the worker tests: a whole local environment per test (local-cloud resources from
tests/support/cloud_fixtures.py, a real PostgreSQL job store, FAISS) and a fresh worker runtime."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from lifestream.core.settings import Settings
from lifestream.jobs import JobStore
from lifestream.local.worker import LocalWorker
from lifestream.worker import get_runtime


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
