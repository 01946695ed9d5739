"""Jobs keep two accounts of a failure: `error` for the operator (the exception, with paths, keys and the
driver's or library's words) and `reason` for the video's owner (lifestream.core.errors.user_reason), which
is all the API shows.

Existing failed jobs get no reason: the API says only that processing failed (their `error` was written
for the operator and is not copied).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("reason")
