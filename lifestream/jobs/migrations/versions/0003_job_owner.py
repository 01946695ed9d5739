"""Jobs belong to a user: the `owner` column (the sign-in `sub`, or "local").

Every job that existed before sign-in belongs to the one local user, so the column is added with that
server default: existing rows are filled in by the database in the same statement.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

LOCAL_USER = "local"  # lifestream.core.constants.LOCAL_USER, frozen here as migrations must be


def upgrade() -> None:
    op.add_column("jobs", sa.Column("owner", sa.String(128), nullable=False, server_default=LOCAL_USER))
    op.create_index("ix_jobs_owner_updated_at", "jobs", ["owner", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_owner_updated_at", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("owner")
