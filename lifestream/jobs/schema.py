"""Tables of the job store. Changing them needs a new migration in `migrations/versions/`
(tests compare these models with the migrated database, so a forgotten migration fails CI)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from lifestream.core.constants import LOCAL_USER


class JobStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both engines: PostgreSQL stores timestamptz; SQLite has no time zones, so
    values are stored as naive UTC (its ISO text then sorts and compares correctly) and re-tagged on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the job store only accepts timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")

# Stable constraint names, so later migrations can alter them on both engines.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Video(Base):
    __tablename__ = "videos"
    __table_args__ = (UniqueConstraint("bucket", "key", "version", name="uq_videos_object"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(1024))
    # S3 version id, or the ETag when versioning is off; for local files key and version are both
    # the content fingerprint, so a copy of a file is the same video.
    version: Mapped[str] = mapped_column(String(1024))
    size: Mapped[int | None] = mapped_column(BigInteger)
    # Where it came from as a person knows it, when the key does not say (a local file's path).
    source: Mapped[str | None] = mapped_column(String(1024))
    duration: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chunk_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'processing', 'completed', 'failed')", name="status_valid"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_range"),
        Index("ix_jobs_status_updated_at", "status", "updated_at"),
        Index("ix_jobs_owner_updated_at", "owner", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # One job per video: the unique constraint is what makes a concurrent claim insert-once.
    video_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("videos.id", ondelete="CASCADE"), unique=True
    )
    # Who the video belongs to (lifestream.core.ownership); every read on behalf of a user filters by it.
    owner: Mapped[str] = mapped_column(String(128), default=LOCAL_USER, server_default=LOCAL_USER)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    stage: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Why the last attempt failed, for the operator: the exception, with paths, keys and library text.
    error: Mapped[str | None] = mapped_column(Text)
    # The same for the video's owner, in their words (lifestream.core.errors.user_reason): what the API shows.
    reason: Mapped[str | None] = mapped_column(Text)
    result_keys: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    claimed_by: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LexicalChunk(Base):
    """The lexical (full-text) channel of search, one row per indexed chunk, beside the jobs it came from.

    The full-text index itself is engine-specific and made by migration 0004 only: an FTS5 table
    `lexical_fts` (external content = this table, kept in step by triggers) on SQLite, an expression GIN
    index over `to_tsvector('english', text || ' ' || speaker_text)` on PostgreSQL. `pk` is the integer row id FTS5 needs."""

    __tablename__ = "lexical_chunks"
    __table_args__ = (
        UniqueConstraint("owner", "chunk_id", name="uq_lexical_chunks_owner_chunk"),
        Index("ix_lexical_chunks_owner_video", "owner", "video_id"),
        Index("ix_lexical_chunks_owner_day", "owner", "recorded_day"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(128))
    video_id: Mapped[str] = mapped_column(String(80))
    chunk_id: Mapped[str] = mapped_column(String(200))
    chunk_type: Mapped[str] = mapped_column(String(32))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    recorded_date: Mapped[str | None] = mapped_column(String(10))
    recorded_day: Mapped[int | None] = mapped_column(Integer)
    speakers: Mapped[list[str]] = mapped_column(JSONType, default=list)
    text: Mapped[str] = mapped_column(Text)
    # The speakers' names as words, indexed with the text: "what did Marco say" matches Marco's turns.
    speaker_text: Mapped[str] = mapped_column(Text, default="")



class RateBucket(Base):
    """A token bucket per owner and kind of request (`lifestream.jobs.usage`): `tokens` as of `updated`
    (seconds since the epoch, so both engines do the refill arithmetic alike)."""

    __tablename__ = "rate_buckets"

    owner: Mapped[str] = mapped_column(String(128), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)


class UploadTicket(Base):
    """An upload the API signed for an owner: what the upload quotas count (in flight, bytes a day)."""

    __tablename__ = "upload_tickets"
    __table_args__ = (Index("ix_upload_tickets_owner_created_at", "owner", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Not unique: subtitles signed again for the same video have the same key, and count again.
    key: Mapped[str] = mapped_column(String(1024))
    owner: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    # A video's ticket counts as in flight until its job ends; subtitles count only in the bytes.
    video: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic comparisons: the engine-specific full-text parts of migration 0004 (SQLite's FTS5 table
    and its shadow tables, PostgreSQL's expression GIN index) are raw SQL, not models, so they are not
    reported as things to drop."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith("lexical_fts")
    return not (type_ == "index" and name == "ix_lexical_chunks_tsv")
