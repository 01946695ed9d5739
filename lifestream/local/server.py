"""The local cloud's moto server: a detached process on 127.0.0.1 that outlives the CLI command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from lifestream.core.errors import LifeStreamError

START_TIMEOUT_SECONDS = 30.0


class LocalCloudError(LifeStreamError):
    pass


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_server(state_dir: Path, port: int) -> int:
    log = open(state_dir / "moto.log", "ab")  # noqa: SIM115 - handed to the child process
    process = subprocess.Popen(
        # moto behind a guard: answers loopback names and this machine's pages only (see the module).
        [sys.executable, "-m", "lifestream.local.moto_guarded", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # survives the CLI process and its Ctrl-C
    )
    log.close()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalCloudError(
                f"moto server exited at start (code {process.returncode}); see {state_dir / 'moto.log'}"
            )
        if port_open(port):
            return process.pid
        time.sleep(0.1)
    stop_pid(process.pid)
    raise LocalCloudError(
        f"moto server did not listen on 127.0.0.1:{port} within {START_TIMEOUT_SECONDS:.0f}s"
    )


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            waited, _ = os.waitpid(pid, os.WNOHANG)
            if waited == pid:
                return
        except ChildProcessError:
            pass  # not our child (started by an earlier command): poll instead
        if not alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
