"""What each owner uses, kept in the job database so every API function and worker sees the same counts:
a token bucket per owner and kind of request (rate limits), and the uploads the API signed (quotas).

Design note: taking a token is one conditional UPDATE whose SET and WHERE compute the refill from the
stored time, so concurrent requests of one owner cannot both spend the last token (PostgreSQL re-checks
the WHERE after waiting for the row lock; SQLite serialises writers). Times are seconds since the epoch
as floats: both engines do the arithmetic alike. An upload quota counts rows of three tables, which no
single conditional statement guards: its check and its record share one transaction that first takes
the owner's lock (`lock_owner`), so two presigns racing for the last free slot are served one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, case, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lifestream.jobs.engine import translate_errors
from lifestream.jobs.schema import Job, JobStatus, RateBucket, UploadTicket, Video

DAY = timedelta(days=1)
# Tickets are kept this long (the bytes-per-day window, and a margin), then pruned by later inserts.
KEEP_TICKETS = timedelta(days=2)


@dataclass(frozen=True)
class UploadUse:
    """An owner's uploads now: videos in flight (signed and not yet arrived, or queued or processing) and
    the (time, bytes) of every upload signed in the last day, oldest first."""

    in_flight: int
    recent: list[tuple[datetime, int]]

    @property
    def bytes_today(self) -> int:
        return sum(size for _, size in self.recent)


class Usage:
    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine, self.clock = engine, clock

    def take(self, owner: str, bucket: str, *, per_minute: float, burst: float, cost: float = 1.0) -> float:
        """Spend `cost` tokens of the owner's `bucket` (refilled at `per_minute`, holding at most `burst`).
        Returns 0.0 when they were spent, else the seconds until they will be there (nothing is spent)."""
        rate, now = per_minute / 60.0, self.clock().timestamp()
        key = and_(RateBucket.owner == owner, RateBucket.bucket == bucket)
        # A clock behind the last writer's (another function) refills nothing rather than going back.
        elapsed = case((RateBucket.updated < now, now - RateBucket.updated), else_=0.0)
        refilled = case(
            (RateBucket.tokens + elapsed * rate > burst, burst), else_=RateBucket.tokens + elapsed * rate
        )
        with translate_errors(self.engine), self.engine.begin() as conn:
            _insert_once(conn, {"owner": owner, "bucket": bucket, "tokens": float(burst), "updated": now})
            spent = conn.execute(
                update(RateBucket)
                .where(key, refilled >= cost)
                .values(tokens=refilled - cost, updated=now)
                .returning(RateBucket.tokens)
            ).scalar_one_or_none()
            if spent is not None:
                return 0.0
            tokens, updated = conn.execute(select(RateBucket.tokens, RateBucket.updated).where(key)).one()
        available = min(burst, tokens + max(0.0, now - updated) * rate)
        return max(0.0, (cost - available) / rate) if rate > 0 else float("inf")

    def uploads(self, owner: str, *, ticket_minutes: float) -> UploadUse:
        """The owner's uploads now. A video's ticket is in flight while it may still be used (for
        `ticket_minutes`) and its object has not arrived; then its job is, until it ends."""
        with translate_errors(self.engine), self.engine.connect() as conn:
            return _uploads(conn, owner, self.clock(), ticket_minutes)

    def record_upload(
        self,
        owner: str,
        key: str,
        size: int,
        *,
        video: bool,
        admit: Callable[[UploadUse], None] | None = None,
        ticket_minutes: float = 0,
    ) -> None:
        """Record an upload ticket. With `admit`, first hand it the owner's uploads (see `uploads`), in
        the same transaction and under the owner's lock: it raises to refuse, and nothing is recorded."""
        now = self.clock()
        with translate_errors(self.engine), self.engine.begin() as conn:
            if admit is not None:
                lock_owner(conn, "uploads", owner)
                admit(_uploads(conn, owner, now, ticket_minutes))
            conn.execute(
                delete(UploadTicket).where(
                    UploadTicket.owner == owner, UploadTicket.created_at < now - KEEP_TICKETS
                )
            )
            conn.execute(
                UploadTicket.__table__.insert().values(
                    key=key, owner=owner, size=size, video=video, created_at=now
                )
            )


def lock_owner(conn: Connection, purpose: str, owner: str) -> None:
    """Hold the owner's lock for `purpose` until the transaction ends: a count-then-write of that owner
    on another connection waits, then counts what this one wrote. PostgreSQL: a transaction-scoped
    advisory lock (a hash collision only makes two owners wait for each other). SQLite: every
    transaction already holds the database's write lock (BEGIN IMMEDIATE, lifestream.jobs.engine)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"lifestream-{purpose}:{owner}"))))


def _uploads(conn: Connection, owner: str, now: datetime, ticket_minutes: float) -> UploadUse:
    arrived = exists().where(Video.key == UploadTicket.key)
    waiting = conn.execute(
        select(func.count())
        .select_from(UploadTicket)
        .where(
            UploadTicket.owner == owner,
            UploadTicket.video.is_(True),
            UploadTicket.created_at >= now - timedelta(minutes=ticket_minutes),
            ~arrived,
        )
    ).scalar_one()
    active = conn.execute(
        select(func.count())
        .select_from(Job)
        .where(
            Job.owner == owner,
            Job.status.in_([JobStatus.QUEUED.value, JobStatus.PROCESSING.value]),
        )
    ).scalar_one()
    recent = conn.execute(
        select(UploadTicket.created_at, UploadTicket.size)
        .where(UploadTicket.owner == owner, UploadTicket.created_at >= now - DAY)
        .order_by(UploadTicket.created_at)
    ).all()
    return UploadUse(in_flight=int(waiting) + int(active), recent=[(t, int(s)) for t, s in recent])


def _insert_once(conn: Connection, values: dict) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(RateBucket).values(**values).on_conflict_do_nothing())
