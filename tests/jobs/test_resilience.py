"""The job store against a PostgreSQL server that restarts or goes away, as RDS does on failover."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from lifestream.core.errors import ConfigError, TransientError
from lifestream.jobs import JobStore
from lifestream.jobs.engine import translate_errors
from lifestream.jobs.schema import Video, utcnow


def test_store_reconnects_after_a_server_restart(pg_store, postgres_server, claim_args):
    # GIVEN a store whose pooled connections were used before the server restarted
    claim = pg_store.claim(worker_id="w1", **claim_args)
    postgres_server.restart()
    # WHEN it is used again
    job = pg_store.update_progress(claim.job.id, worker_id="w1", stage="probe", progress=0.1)
    # THEN the dead connections were replaced transparently (pool_pre_ping)
    assert job.stage == "probe"


def test_server_down_is_a_transient_error_then_recovers(pg_store, postgres_server, claim_args):
    claim = pg_store.claim(worker_id="w1", **claim_args)
    postgres_server.stop()
    try:
        # WHEN the database is unreachable
        with pytest.raises(TransientError, match="job store unavailable") as info:
            pg_store.update_progress(claim.job.id, worker_id="w1", stage="probe", progress=0.1)
        # THEN the error is LifeStream's retryable one, and it names no password
        assert "@127.0.0.1" in str(info.value)
        with pytest.raises(TransientError):
            pg_store.claim(worker_id="w2", **claim_args)
    finally:
        postgres_server.start()
    # AND once the server is back the same store works again
    assert pg_store.update_progress(claim.job.id, worker_id="w1", stage="probe", progress=0.2).progress == 0.2


def test_wrong_database_is_a_config_error_without_the_password(postgres_server):
    # Retrying cannot fix a wrong URL: the message points at the setting instead.
    store = JobStore(f"postgresql://app:s3cret-pw@127.0.0.1:{postgres_server.port}/no_such_db")
    with pytest.raises(ConfigError, match="LIFESTREAM_DATABASE_URL") as info:
        store.list_jobs()
    assert "no_such_db" in str(info.value)
    assert "s3cret-pw" not in str(info.value)
    assert "***" in str(info.value)


def test_integrity_errors_are_not_masked(store):
    # A logic bug (duplicate primary key) must surface as itself, never as a retryable error.
    row = {"id": "dup-0000000000", "bucket": "b", "key": "k", "version": "v", "created_at": utcnow()}
    with store.engine.begin() as conn:
        conn.execute(insert(Video).values(**row))
    with pytest.raises(IntegrityError), translate_errors(store.engine), store.engine.begin() as conn:
        conn.execute(insert(Video).values(**row))


def test_sqlite_lock_held_too_long_is_a_transient_error(tmp_path, monkeypatch, claim_args):
    import sqlite3

    import lifestream.jobs.engine as engine_module

    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.2)
    db = tmp_path / "jobs.db"
    store = JobStore(f"sqlite:///{db}")
    store.migrate()
    # GIVEN another process holding the write lock (e.g. a stuck local worker)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        # WHEN this store needs to write
        with pytest.raises(TransientError, match="database is locked"):
            store.claim(worker_id="w1", **claim_args)
    finally:
        other.execute("ROLLBACK")
        other.close()
    # THEN it works as soon as the lock is gone
    assert store.claim(worker_id="w1", **claim_args).outcome == "claimed"
    store.close()
