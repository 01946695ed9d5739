"""`lifestream db migrate` and the CLI against a PostgreSQL job store."""

from __future__ import annotations

from lifestream.jobs import JobStore
from lifestream.jobs.migrate import head_revision


def test_db_migrate_on_postgres_is_idempotent(cli, postgres_url, monkeypatch):
    # GIVEN a job store on an empty PostgreSQL database (URL given in the plain postgresql:// form)
    monkeypatch.setenv(
        "LIFESTREAM_DATABASE_URL", postgres_url.replace("postgresql+psycopg://", "postgresql://")
    )
    # WHEN migrated twice
    first = cli("db", "migrate")
    second = cli("db", "migrate")
    # THEN the first creates the schema and the second reports it current
    assert first.exit_code == 0, first.output
    assert f"migrated: empty → {head_revision()}" in first.stdout
    assert "up to date" in second.stdout


def test_process_records_jobs_in_postgres(cli, cli_json, talk, postgres_url, monkeypatch):
    monkeypatch.setenv("LIFESTREAM_DATABASE_URL", postgres_url)
    assert cli("db", "migrate").exit_code == 0
    out = cli_json("process", "--no-index", talk.path)
    assert out[0]["status"] == "completed"
    store = JobStore(postgres_url)
    [job] = store.list_jobs()
    store.close()
    assert job.video_id == out[0]["video_id"] and job.status == "completed"
    assert job.chunk_count == out[0]["chunk_count"]


def test_unmigrated_postgres_store_is_not_migrated_implicitly(cli, postgres_url, monkeypatch):
    # An unmigrated PostgreSQL store is not migrated behind the user's back: the error says what to run.
    monkeypatch.setenv("LIFESTREAM_DATABASE_URL", postgres_url)
    result = cli("jobs")
    assert "lifestream db migrate" in str(result.exception)
