"""The lexical channel of search: `lexical_chunks` and its full-text index, owned by user.

SQLite: an FTS5 table with external content (the text is stored once, in `lexical_chunks`), kept in step
by triggers, ranked by bm25(). PostgreSQL: an expression GIN index over the text and the speakers' names,
ranked by ts_rank_cd; an expression index (not a stored tsvector column) keeps the table identical on both
engines, so the models-match-migrations check compares one shape.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SQLITE_FTS = (
    (
        "CREATE VIRTUAL TABLE lexical_fts USING fts5(text, speaker_text, content='lexical_chunks', "
        "content_rowid='pk', tokenize='porter unicode61')"
    ),
    (
        "CREATE TRIGGER lexical_chunks_ai AFTER INSERT ON lexical_chunks BEGIN "
        "INSERT INTO lexical_fts(rowid, text, speaker_text) "
        "VALUES (new.pk, new.text, new.speaker_text); END"
    ),
    (
        "CREATE TRIGGER lexical_chunks_ad AFTER DELETE ON lexical_chunks BEGIN "
        "INSERT INTO lexical_fts(lexical_fts, rowid, text, speaker_text) "
        "VALUES ('delete', old.pk, old.text, old.speaker_text); END"
    ),
    (
        "CREATE TRIGGER lexical_chunks_au AFTER UPDATE ON lexical_chunks BEGIN "
        "INSERT INTO lexical_fts(lexical_fts, rowid, text, speaker_text) "
        "VALUES ('delete', old.pk, old.text, old.speaker_text); "
        "INSERT INTO lexical_fts(rowid, text, speaker_text) VALUES (new.pk, new.text, new.speaker_text); END"
    ),
)


def upgrade() -> None:
    op.create_table(
        "lexical_chunks",
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("video_id", sa.String(80), nullable=False),
        sa.Column("chunk_id", sa.String(200), nullable=False),
        sa.Column("chunk_type", sa.String(32), nullable=False),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("recorded_date", sa.String(10), nullable=True),
        sa.Column("recorded_day", sa.Integer(), nullable=True),
        sa.Column("speakers", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_lexical_chunks"),
        sa.UniqueConstraint("owner", "chunk_id", name="uq_lexical_chunks_owner_chunk"),
    )
    op.create_index("ix_lexical_chunks_owner_video", "lexical_chunks", ["owner", "video_id"])
    op.create_index("ix_lexical_chunks_owner_day", "lexical_chunks", ["owner", "recorded_day"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    else:
        op.execute(
            "CREATE INDEX ix_lexical_chunks_tsv ON lexical_chunks "
            "USING gin (to_tsvector('english', text || ' ' || speaker_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("lexical_chunks_ai", "lexical_chunks_ad", "lexical_chunks_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS lexical_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_lexical_chunks_tsv")
    op.drop_index("ix_lexical_chunks_owner_day", table_name="lexical_chunks")
    op.drop_index("ix_lexical_chunks_owner_video", table_name="lexical_chunks")
    op.drop_table("lexical_chunks")
