"""The deploy-time migration Lambda, imported from its file as the Lambda runtime does."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifestream.core.errors import TransientError
from lifestream.jobs import JobStore
from lifestream.jobs.migrate import head_revision
from lifestream.local.worker import LocalLambdaContext, load_handler
from tests.support.postgres import free_port

MIGRATE_PY = Path(__file__).resolve().parents[2] / "lambda_src" / "migrate.py"


@pytest.fixture
def handler():
    return load_handler(MIGRATE_PY)


@pytest.fixture
def context():
    return LocalLambdaContext(function_name="lifestream-test-migrate", timeout_seconds=300)


def test_first_deploy_migrates_then_later_deploys_change_nothing(handler, context, postgres_url, monkeypatch):
    # GIVEN a freshly created RDS database
    monkeypatch.setenv("LIFESTREAM_DATABASE_URL", postgres_url)
    # WHEN the trigger runs on the first deploy and again on a later one
    first = handler({}, context)
    second = handler({}, context)
    # THEN the first applies the schema and the second finds nothing to do
    assert first == {"status": "migrated", "from_revision": None, "revision": head_revision()}
    assert second == {"status": "unchanged", "from_revision": head_revision(), "revision": head_revision()}
    store = JobStore(postgres_url)
    assert store.list_jobs() == []
    store.close()


def test_unreachable_database_fails_the_deployment(handler, context, monkeypatch):
    module = __import__("sys").modules[handler.__module__]
    monkeypatch.setattr(module, "RETRY_DELAYS_SECONDS", (0.01,))
    monkeypatch.setenv("LIFESTREAM_DATABASE_URL", f"postgresql://app@127.0.0.1:{free_port()}/lifestream")
    with pytest.raises(TransientError, match="job store unavailable"):
        handler({}, context)
