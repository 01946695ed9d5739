"""Every job-store test runs against both engines: a SQLite file and a fresh database on a real
PostgreSQL server."""

from __future__ import annotations

import pytest

from lifestream.jobs import JobStore


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url):
    store = JobStore(store_url)
    store.migrate()
    yield store
    store.close()


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
