"""Videos remember where they came from, as a person knows it (a local file's path).

A local video is identified by its content, so its `key` is a fingerprint; `source` keeps the path
for `lifestream status` and `jobs`. S3 videos leave it empty: their key says it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("videos", sa.Column("source", sa.String(1024), nullable=True))


def downgrade() -> None:
    # Batch mode: SQLite cannot drop a column in place on every version we support.
    with op.batch_alter_table("videos") as batch:
        batch.drop_column("source")
