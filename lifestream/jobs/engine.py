"""Engines for the two supported databases and the translation of driver errors into LifeStream's.

SQLite (local default): every transaction starts with BEGIN IMMEDIATE, which takes the write lock up
front, so a claim never fails halfway with "database is locked" on a lock upgrade; the 30 s busy
timeout makes concurrent writers (CLI + local worker) wait instead of failing.
PostgreSQL (RDS, tests): `pool_pre_ping` replaces connections that died with a server restart or an
RDS failover before they are used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from lifestream.core.errors import ConfigError, TransientError

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0
PG_CONNECT_TIMEOUT_SECONDS = 10
# PostgreSQL sqlstates: "relation does not exist"; unknown database, bad password, rejected login.
_UNDEFINED_TABLE = "42P01"
_BAD_CREDENTIALS = {"3D000", "28P01", "28000"}
# psycopg's connection failures carry no sqlstate; the server's FATAL message says what was refused.
_REFUSED_LOGIN = re.compile(
    r'database ".*" does not exist|role ".*" does not exist|password authentication failed|no pg_hba\.conf entry'
)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` / `postgres://` URLs and use psycopg 3 (psycopg2 is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError as exc:
        raise ConfigError(f"LIFESTREAM_DATABASE_URL is not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        rootcert = parsed.query.get("sslrootcert")
        if isinstance(rootcert, str) and not Path(rootcert).is_file():
            # libpq would only say "could not read root certificate file" at the first connection.
            raise ConfigError(
                f"the database CA bundle {rootcert} (sslrootcert, LIFESTREAM_DATABASE_SSLROOTCERT) does "
                "not exist; the Lambda asset ships it as rds-ca-bundle.pem"
            )
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_size=2,
            max_overflow=4,
            # Recycle before RDS proxies/NATs silently drop idle connections.
            pool_recycle=1800,
            connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_SECONDS},
        )
    raise ConfigError(
        f"LIFESTREAM_DATABASE_URL: unsupported database {backend!r}; use sqlite:///PATH or postgresql://…"
    )


def follow_password_rotation(engine: Engine, password: Callable[[bool], str]) -> None:
    """Take the password from `password(refresh)` for every new connection, and when the server refuses
    it, read it once more with refresh=True: Secrets Manager rotates RDS credentials while a warm Lambda
    still holds the value it read at start."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):
        cparams["password"] = password(False)
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError as exc:
            if "password authentication failed" not in str(exc):
                raise
            cparams["password"] = password(True)
            return dialect.connect(*cargs, **cparams)


def _sqlite_engine(parsed) -> Engine:
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        # One shared connection keeps an in-memory database alive across calls.
        **({"poolclass": StaticPool} if in_memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Take transaction control from the sqlite3 module so that "begin" below really begins.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def describe(engine: Engine) -> str:
    """Where the store lives, for messages: never includes the password."""
    return engine.url.render_as_string(hide_password=True)


@contextmanager
def translate_errors(engine: Engine) -> Iterator[None]:
    """Operational failures (server down or restarting, network, lock timeout) become TransientError so
    the worker retries; a missing schema becomes ConfigError; integrity and programming errors — bugs —
    propagate unchanged."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if getattr(exc.orig, "sqlstate", None) == _UNDEFINED_TABLE or "no such table" in detail:
            raise ConfigError(
                f"the job store at {describe(engine)} has no schema: run `lifestream db migrate` "
                "(in AWS the deploy-time migration function does this)"
            ) from exc
        if getattr(exc.orig, "sqlstate", None) in _BAD_CREDENTIALS or _REFUSED_LOGIN.search(detail):
            raise ConfigError(
                f"the job store at {describe(engine)} refused the connection ({detail}): check "
                "LIFESTREAM_DATABASE_URL or the database secret"
            ) from exc
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) or exc.connection_invalidated:
            raise TransientError(f"job store unavailable ({describe(engine)}): {detail}") from exc
        raise
    except sa_exc.TimeoutError as exc:
        raise TransientError(f"job store connection pool exhausted ({describe(engine)}): {exc}") from exc
