"""Jobs belong to a user: the 0003 migration gives every earlier job to the local user, and reads on
behalf of a user see only that user's jobs (another user's job reads like a missing one)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from lifestream.core.errors import JobNotFoundError
from lifestream.jobs import JobStore
from lifestream.jobs.migrate import _config


def test_existing_jobs_belong_to_the_local_user_after_the_migration(store_url):
    # GIVEN a database at revision 0002 (before owners) holding a job
    store = JobStore(store_url)
    with store.engine.begin() as conn:
        command.upgrade(_config(conn), "0002")
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO videos (id, bucket, key, version, created_at) "
                "VALUES ('old-1', 'b', 'uploads/old.mp4', 'v1', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO jobs (video_id, status, progress, attempts, created_at, updated_at) "
                "VALUES ('old-1', 'completed', 1.0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    # WHEN the store migrates to head
    store.migrate()
    # THEN the old job is the local user's, and the local user finds it
    job = store.lookup("old-1", owner="local")
    assert job.owner == "local"
    assert [j.video_id for j in store.list_jobs(owner="local")] == ["old-1"]
    assert store.list_jobs(owner="someone") == []
    store.close()


def test_reads_are_scoped_to_the_owner(store, claim_args):
    a = store.claim(**claim_args, worker_id="w", owner="alice").job
    b = store.claim(**{**claim_args, "key": "uploads/bob/x.mp4"}, worker_id="w", owner="bob").job
    assert (a.owner, b.owner) == ("alice", "bob")
    assert [j.id for j in store.list_jobs(owner="alice")] == [a.id]
    assert store.get(a.id, owner="alice").id == a.id
    # Another user's job is "not found", exactly like a job that does not exist.
    for ref in (a.id, a.video_id, a.video_id[:6]):
        with pytest.raises(JobNotFoundError):
            store.lookup(ref, owner="bob")
    with pytest.raises(JobNotFoundError):
        store.get(a.id, owner="bob")
    assert store.find_by_video(a.video_id, owner="bob") is None
    assert {j.id for j in store.list_jobs()} == {a.id, b.id}  # unscoped: the operator's view
