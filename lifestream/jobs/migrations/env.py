"""Alembic environment: always online, on the connection (and transaction) that
`lifestream.jobs.migrate.run_migrations` passes in, which already holds the migration lock."""

from __future__ import annotations

from alembic import context

from lifestream.jobs.schema import Base, include_name

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the job-store migrations through lifestream.jobs.migrate.run_migrations()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things in place: batch mode recreates the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
