"""The local cloud: a moto server with the stacks' resources, started by `up()`, stopped by `down()`.

Design note: `up()` starts the server (server.py) as a detached process, records its pid and port in
`<state_dir>/local-cloud.json`, and (re)creates the resources idempotently (resources.py). moto keeps
objects in memory, so `down()` first saves the bucket's objects to `<state_dir>/bucket/` and the next
`up()` restores them before the notification is configured, so restoring queues no work (snapshot.py).
Messages waiting in the queues are not kept; jobs and the FAISS index live on disk anyway.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from lifestream.core.constants import DEFAULT_MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_FACTOR, ResourceNames
from lifestream.core.errors import ConfigError
from lifestream.core.settings import Settings
from lifestream.local.resources import (
    BROWSER_UPLOAD_RULE,
    DEFAULT_FUNCTION_TIMEOUT,
    LocalResources,
    allow_browser_uploads,
    client,
    ensure_dummy_credentials,
    provision,
)
from lifestream.local.server import LocalCloudError, alive, port_open, start_server, stop_pid
from lifestream.local.snapshot import save_bucket

# The local cloud's face for the CLI, `serve` and the tests' fixtures (some names live in resources.py).
__all__ = [
    "BROWSER_UPLOAD_RULE",
    "DEFAULT_FUNCTION_TIMEOUT",
    "DEFAULT_PORT",
    "STATE_FILE",
    "LocalCloud",
    "LocalCloudError",
    "LocalResources",
    "allow_browser_uploads",
    "default_state_dir",
    "down",
    "provision",
    "require_running",
    "settings_for",
    "status",
    "up",
]

DEFAULT_PORT = 4599
STATE_FILE = "local-cloud.json"
SNAPSHOT_DIR = "bucket"


@dataclass(frozen=True)
class LocalCloud:
    pid: int
    port: int
    state_dir: str
    resources: LocalResources

    @property
    def endpoint_url(self) -> str:
        return self.resources.endpoint_url


def default_state_dir(settings: Settings) -> Path:
    return settings.data_dir / "local-cloud"


def _state_path(state_dir: Path) -> Path:
    return Path(state_dir) / STATE_FILE


def status(state_dir: Path) -> LocalCloud | None:
    """The running local cloud recorded in state_dir, or None when it is not running."""
    path = _state_path(state_dir)
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    cloud = LocalCloud(
        pid=data["pid"],
        port=data["port"],
        state_dir=data["state_dir"],
        resources=LocalResources(**data["resources"]),
    )
    if alive(cloud.pid) and port_open(cloud.port):
        return cloud
    return None


def up(
    state_dir: Path,
    *,
    port: int | None = None,
    region: str = "us-east-1",
    names: ResourceNames | None = None,
    visibility_timeout: int = DEFAULT_FUNCTION_TIMEOUT * VISIBILITY_TIMEOUT_FACTOR,
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT,
) -> tuple[LocalCloud, bool]:
    """Start the local cloud unless it is running; (re)provision it. Returns (cloud, started_now)."""
    state_dir = Path(state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    running = status(state_dir)
    started = False
    if running is not None and port not in (None, running.port):
        raise LocalCloudError(
            f"the local cloud already runs on port {running.port}; run `lifestream local down` first"
        )
    if running is None:
        port = port or DEFAULT_PORT
        if port_open(port):
            raise LocalCloudError(f"port {port} on 127.0.0.1 is taken by another program; choose --port")
        pid = start_server(state_dir, port)
        started = True
    else:
        pid, port = running.pid, running.port
    endpoint = f"http://127.0.0.1:{port}"
    try:
        resources = provision(
            endpoint,
            names=names,
            region=region,
            visibility_timeout=visibility_timeout,
            max_receive_count=max_receive_count,
            restore_from=state_dir / SNAPSHOT_DIR,
        )
    except Exception:
        if started:
            stop_pid(pid)
        raise
    cloud = LocalCloud(pid=pid, port=port, state_dir=str(state_dir), resources=resources)
    _state_path(state_dir).write_text(json.dumps(asdict(cloud), indent=2))
    return cloud, started


def down(state_dir: Path, *, keep_data: bool = True) -> bool:
    """Stop the local cloud recorded in state_dir (saving the bucket first); True if one was running."""
    path = _state_path(Path(state_dir))
    cloud = status(Path(state_dir))
    if cloud is not None:
        if keep_data:
            r = cloud.resources
            save_bucket(client("s3", r.endpoint_url, r.region), r.bucket, Path(state_dir) / SNAPSHOT_DIR)
        stop_pid(cloud.pid)
    path.unlink(missing_ok=True)
    return cloud is not None


def settings_for(settings: Settings, resources: LocalResources) -> Settings:
    """`settings` pointed at the local cloud (explicit LIFESTREAM_* values for these keep priority)."""
    update = {
        "aws_endpoint_url": settings.aws_endpoint_url or resources.endpoint_url,
        "bucket": settings.bucket or resources.bucket,
        "queue_url": settings.queue_url or resources.queue_url,
        "dlq_url": settings.dlq_url or resources.dlq_url,
    }
    ensure_dummy_credentials()
    return settings.model_copy(update=update)


def require_running(settings: Settings, state_dir: Path | None = None) -> Settings:
    """Settings for commands that need the local cloud (unless an endpoint/queue is configured explicitly)."""
    if settings.aws_endpoint_url is None and settings.queue_url and settings.bucket:
        return settings  # a real AWS deployment configured by environment
    cloud = status(state_dir or default_state_dir(settings))
    if cloud is None:
        if settings.queue_url and settings.bucket:
            return settings
        raise ConfigError(
            "the local cloud is not running: start it with `lifestream local up` "
            "(or set LIFESTREAM_AWS_ENDPOINT_URL, LIFESTREAM_BUCKET and LIFESTREAM_QUEUE_URL)"
        )
    return settings_for(settings, cloud.resources)
