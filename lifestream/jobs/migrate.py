"""Apply the job-store schema migrations (Alembic, driven from code).

Safe to run any number of times and from several processes at once: on PostgreSQL a transaction-level
advisory lock serialises concurrent runs (several deploys, a worker and the deploy trigger); on SQLite
the BEGIN IMMEDIATE of our engine does the same. Migrations run inside that one transaction, so a
failed migration leaves the schema as it was (PostgreSQL has transactional DDL).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Arbitrary constant shared by every LifeStream process ("LSMIGR" in hex-ish).
_ADVISORY_LOCK_ID = 0x4C534D49475201


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def run_migrations(engine: Engine, revision: str = "head") -> str:
    """Upgrade to `revision`; returns the revision the database is at afterwards."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
        command.upgrade(_config(connection), revision)
        current = current_revision(connection)
    assert current is not None
    return current
