"""Every job-store test runs against both engines: a SQLite file and a fresh database on a real
PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from lifestream.jobs import JobStore
from lifestream.jobs.schema import utcnow


class FakeClock:
    """The store's notion of now, moved by the test: claims age without sleeping."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.db'}"
    return request.getfixturevalue("postgres_url")


def _migrated_store(url: str, clock: FakeClock) -> Iterator[JobStore]:
    store = JobStore(url, clock=clock)
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def store(store_url, clock):
    yield from _migrated_store(store_url, clock)


@pytest.fixture
def pg_store(postgres_url, clock):
    """PostgreSQL only: for what SQLite has no counterpart of (server restarts and outages)."""
    yield from _migrated_store(postgres_url, clock)


@pytest.fixture
def claim_args():
    """Keyword arguments of a typical first delivery of one upload."""
    return {
        "bucket": "lifestream-test-videos",
        "key": "uploads/2026-11-24 team meeting.mp4",
        "version": "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd",
        "size": 12_345,
        "stale_after": 60.0,
    }
