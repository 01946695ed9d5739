"""What each owner uses: `rate_buckets` (a token bucket per owner and kind of request, for per-user rate
limits) and `upload_tickets` (the uploads the API signed, for the upload quotas).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lifestream.jobs.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("owner", sa.String(128), primary_key=True),
        sa.Column("bucket", sa.String(32), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", sa.Float(), nullable=False),
    )
    op.create_table(
        "upload_tickets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("video", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_upload_tickets_owner_created_at", "upload_tickets", ["owner", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_upload_tickets_owner_created_at", table_name="upload_tickets")
    op.drop_table("upload_tickets")
    op.drop_table("rate_buckets")
