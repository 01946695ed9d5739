"""A real PostgreSQL server for tests: initdb + pg_ctl in a temp dir on 127.0.0.1 (as `nobody` when root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries not found: run `apt-get install -y postgresql` (scripts/setup.sh does)"
        )
    return Path(found[-1]).parent


@dataclass
class PostgresServer:
    root: Path
    port: int
    user: str = "app"
    # Authentication for TCP connections; the Unix socket in `root` stays trusted for administration.
    host_auth: str = "trust"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(_bin_dir() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "nobody", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def start(self) -> PostgresServer:
        data = self.root / "data"
        if not data.exists():
            self._run(
                "initdb",
                "-D",
                str(data),
                "-U",
                self.user,
                "--auth-local=trust",
                f"--auth-host={self.host_auth}",
                "--no-sync",
            )
        self._run(
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off",
            "start",
        )
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres", autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{name}"

    def admin_execute(self, sql: str) -> None:
        """Run SQL as the superuser over the trusted Unix socket (works whatever `host_auth` is)."""
        import psycopg

        with psycopg.connect(
            host=str(self.root), port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as c:
            c.execute(sql)


def start_postgres(*, host_auth: str = "trust") -> PostgresServer:
    root = Path(tempfile.mkdtemp(prefix="lifestream-pg-"))
    os.chmod(root, 0o777)
    return PostgresServer(root=root, port=free_port(), host_auth=host_auth).start()


def destroy(server: PostgresServer) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)
