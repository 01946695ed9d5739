from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from lifestream.core.errors import ConfigError
from lifestream.core.settings import load_settings
from lifestream.jobs import JobStore
from lifestream.jobs.migrate import head_revision
from lifestream.jobs.schema import Base, include_name


def test_migrate_is_idempotent(store_url):
    # GIVEN an empty database
    store = JobStore(store_url)
    # WHEN the migrations run twice
    first = store.migrate()
    second = store.migrate()
    # THEN both runs end at the newest revision and the tables exist once
    assert first == second == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert {"videos", "jobs", "alembic_version"} <= tables
    store.close()


def test_migrations_match_the_models(store):
    # A model change without a migration would make the deployed schema differ from the code.
    with store.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name}),
            Base.metadata,
        )
    assert diff == []


def test_concurrent_migrations_do_not_collide(store_url):
    # GIVEN several processes starting at once against an empty database (deploy trigger + workers)
    stores = [JobStore(store_url) for _ in range(4)]
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def run(store: JobStore) -> None:
        barrier.wait()
        try:
            results.append(store.migrate())
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # THEN every one of them succeeds and the schema is at head
    assert errors == []
    assert results == [head_revision()] * len(stores)
    for s in stores:
        s.close()


def test_unmigrated_store_says_how_to_fix_it(store_url):
    store = JobStore(store_url)
    with pytest.raises(ConfigError, match="lifestream db migrate"):
        store.list_jobs()
    store.close()


def test_from_settings_creates_and_migrates_the_local_sqlite_store(tmp_path):
    # GIVEN no database configured: the zero-setup default is a SQLite file under data_dir
    settings = load_settings(data_dir=tmp_path / "state")
    # WHEN the store is opened
    store = JobStore.from_settings(settings)
    # THEN the file exists and is usable at once
    assert (tmp_path / "state" / "jobs.db").exists()
    assert store.list_jobs() == []
    store.close()


def test_bad_database_urls_are_config_errors():
    with pytest.raises(ConfigError, match="LIFESTREAM_DATABASE_URL"):
        JobStore("mysql://user@host/db")
    with pytest.raises(ConfigError, match="LIFESTREAM_DATABASE_URL"):
        JobStore("not a url")


def test_downgrade_and_upgrade_again(store_url):
    # Rolling a release back must be able to undo its schema, and redo it.
    from alembic import command

    from lifestream.jobs.migrate import _config

    store = JobStore(store_url)
    store.migrate()
    with store.engine.begin() as conn:
        command.downgrade(_config(conn), "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    assert store.revision() is None
    assert store.migrate() == head_revision()
    assert store.list_jobs() == []
    store.close()
