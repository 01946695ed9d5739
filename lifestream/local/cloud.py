"""The local cloud: a moto server on 127.0.0.1 holding the same bucket, queues and bucket notification as
the CDK stacks (names, prefix, suffixes and events all come from `lifestream.core.constants`).

`up()` starts `python -m moto.server` as a detached process (it outlives the CLI command), records its pid
and port in `<state_dir>/local-cloud.json`, and (re)creates the resources idempotently; `down()` stops it.
moto keeps objects in memory, so `down()` first copies the bucket's objects to `<state_dir>/bucket/` and the
next `up()` puts them back before the notification is configured (so restoring queues no work). Messages
waiting in the queues are not kept. Jobs (SQLite/PostgreSQL) and the FAISS index live on disk anyway.
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from lifestream.core.constants import (
    DEFAULT_MAX_RECEIVE_COUNT,
    DLQ_RETENTION_DAYS,
    LOCAL_ACCOUNT,
    NOTIFICATION_EVENTS,
    NOTIFICATION_SUFFIXES,
    UPLOAD_PREFIX,
    VISIBILITY_TIMEOUT_FACTOR,
    ResourceNames,
)
from lifestream.core.errors import ConfigError, LifeStreamError
from lifestream.core.settings import Settings

DEFAULT_PORT = 4599
STATE_FILE = "local-cloud.json"
SNAPSHOT_DIR = "bucket"
# The local worker's pretend function timeout; the queue's visibility timeout follows the cloud rule (6x).
DEFAULT_FUNCTION_TIMEOUT = 300
START_TIMEOUT_SECONDS = 30.0
BROWSER_UPLOAD_RULE = "lifestream-web"


class LocalCloudError(LifeStreamError):
    pass


@dataclass(frozen=True)
class LocalResources:
    endpoint_url: str
    region: str
    bucket: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    visibility_timeout: int
    max_receive_count: int


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


def ensure_dummy_credentials() -> None:
    """moto accepts any credentials, but botocore refuses to sign without some."""
    if not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")


def _client(service: str, endpoint_url: str, region: str):
    import boto3

    ensure_dummy_credentials()
    return boto3.client(service, endpoint_url=endpoint_url, region_name=region)


def provision(
    endpoint_url: str,
    *,
    names: ResourceNames | None = None,
    region: str = "us-east-1",
    visibility_timeout: int = DEFAULT_FUNCTION_TIMEOUT * VISIBILITY_TIMEOUT_FACTOR,
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT,
    restore_from: Path | None = None,
) -> LocalResources:
    """Create (or bring up to date) the bucket, DLQ, queue with redrive and the bucket notification.
    A newly created bucket is first filled from the snapshot in `restore_from`, if there is one."""
    names = names or ResourceNames(env="local", account=LOCAL_ACCOUNT)
    s3 = _client("s3", endpoint_url, region)
    sqs = _client("sqs", endpoint_url, region)

    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if names.bucket not in existing:
        kwargs = (
            {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        s3.create_bucket(Bucket=names.bucket, **kwargs)
        if restore_from is not None:
            restore_bucket(s3, names.bucket, restore_from)
    s3.put_bucket_versioning(Bucket=names.bucket, VersioningConfiguration={"Status": "Enabled"})

    dlq_url = _ensure_queue(sqs, names.dlq, {"MessageRetentionPeriod": str(DLQ_RETENTION_DAYS * 86400)})
    dlq_arn = _queue_arn(sqs, dlq_url)
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)})
    queue_url = _ensure_queue(
        sqs, names.queue, {"VisibilityTimeout": str(visibility_timeout), "RedrivePolicy": redrive}
    )
    queue_arn = _queue_arn(sqs, queue_url)
    sqs.set_queue_attributes(
        QueueUrl=queue_url, Attributes={"Policy": _s3_send_policy(queue_arn, names.bucket)}
    )

    wanted = notification_configuration(queue_arn)
    current = s3.get_bucket_notification_configuration(Bucket=names.bucket)
    # Writing the configuration makes S3 (and moto) send another s3:TestEvent: only write on change.
    if _normalise(current.get("QueueConfigurations", [])) != _normalise(wanted["QueueConfigurations"]):
        s3.put_bucket_notification_configuration(Bucket=names.bucket, NotificationConfiguration=wanted)

    return LocalResources(
        endpoint_url=endpoint_url,
        region=region,
        bucket=names.bucket,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        visibility_timeout=visibility_timeout,
        max_receive_count=max_receive_count,
    )


def allow_browser_uploads(
    endpoint_url: str, bucket: str, origins: list[str], region: str = "us-east-1"
) -> list[str]:
    """Add `origins` (e.g. the `lifestream serve` URL) to the bucket's CORS rule, so a page there can POST
    its presigned uploads (and PUT multipart parts, reading their ETag) straight to the bucket, as the
    Web stack's CORS rule allows the site's origin on AWS. Origins already allowed are kept, so two
    servers on two ports both work. Returns the origins now allowed."""
    from botocore.exceptions import ClientError

    s3 = _client("s3", endpoint_url, region)
    try:
        rules = s3.get_bucket_cors(Bucket=bucket).get("CORSRules", [])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchCORSConfiguration":
            raise
        rules = []
    ours = next((r for r in rules if r.get("ID") == BROWSER_UPLOAD_RULE), None)
    allowed = list(dict.fromkeys([*(ours or {}).get("AllowedOrigins", []), *origins]))
    rule = {
        "ID": BROWSER_UPLOAD_RULE,
        "AllowedOrigins": allowed,
        "AllowedMethods": ["GET", "HEAD", "POST", "PUT"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }
    others = [r for r in rules if r.get("ID") != BROWSER_UPLOAD_RULE]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [*others, rule]})
    return allowed


def notification_configuration(queue_arn: str) -> dict:
    """One queue configuration per suffix — what the CDK stack's add_event_notification calls produce."""
    return {
        "QueueConfigurations": [
            {
                "Id": f"lifestream-upload{suffix.replace('.', '-')}",
                "QueueArn": queue_arn,
                "Events": list(NOTIFICATION_EVENTS),
                "Filter": {
                    "Key": {
                        "FilterRules": [
                            {"Name": "prefix", "Value": UPLOAD_PREFIX},
                            {"Name": "suffix", "Value": suffix},
                        ]
                    }
                },
            }
            for suffix in NOTIFICATION_SUFFIXES
        ]
    }


def _normalise(configs: list[dict]) -> list[tuple]:
    out = []
    for c in configs:
        rules = c.get("Filter", {}).get("Key", {}).get("FilterRules", [])
        out.append(
            (
                c.get("QueueArn"),
                tuple(sorted(c.get("Events", []))),
                tuple(sorted((r["Name"].lower(), r["Value"]) for r in rules)),
            )
        )
    return sorted(out)


def _ensure_queue(sqs, name: str, attributes: dict[str, str]) -> str:
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def _queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _s3_send_policy(queue_arn: str, bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
                }
            ],
        }
    )


# --- the background moto server ---------------------------------------------------------------------------
def _state_path(state_dir: Path) -> Path:
    return Path(state_dir) / STATE_FILE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


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
    if _alive(cloud.pid) and _port_open(cloud.port):
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
        if _port_open(port):
            raise LocalCloudError(f"port {port} on 127.0.0.1 is taken by another program; choose --port")
        pid = _start_server(state_dir, port)
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
            _stop_pid(pid)
        raise
    cloud = LocalCloud(pid=pid, port=port, state_dir=str(state_dir), resources=resources)
    _state_path(state_dir).write_text(json.dumps(asdict(cloud), indent=2))
    return cloud, started


def _start_server(state_dir: Path, port: int) -> int:
    log = open(state_dir / "moto.log", "ab")  # noqa: SIM115 - handed to the child process
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
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
        if _port_open(port):
            return process.pid
        time.sleep(0.1)
    _stop_pid(process.pid)
    raise LocalCloudError(
        f"moto server did not listen on 127.0.0.1:{port} within {START_TIMEOUT_SECONDS:.0f}s"
    )


def _stop_pid(pid: int, timeout: float = 10.0) -> None:
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
        if not _alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def down(state_dir: Path, *, keep_data: bool = True) -> bool:
    """Stop the local cloud recorded in state_dir (saving the bucket first); True if one was running."""
    path = _state_path(Path(state_dir))
    cloud = status(Path(state_dir))
    if cloud is not None:
        if keep_data:
            r = cloud.resources
            save_bucket(_client("s3", r.endpoint_url, r.region), r.bucket, Path(state_dir) / SNAPSHOT_DIR)
        _stop_pid(cloud.pid)
    path.unlink(missing_ok=True)
    return cloud is not None


# --- keeping the bucket across restarts ----------------------------------------------------------------
def _key_path(root: Path, key: str) -> Path | None:
    parts = key.split("/")
    if key.endswith("/") or any(p in ("", ".", "..") for p in parts):
        return None  # folder markers and keys that cannot be a relative path are not kept
    return root.joinpath(*parts)


def save_bucket(s3, bucket: str, directory: Path) -> int:
    """Copy the latest version of every object to `directory` (replacing an older copy); returns the count."""
    directory = Path(directory)
    fresh = directory.with_name(directory.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            target = _key_path(fresh, obj["Key"])
            if target is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, obj["Key"], str(target))
            count += 1
    shutil.rmtree(directory, ignore_errors=True)
    fresh.rename(directory)
    return count


def restore_bucket(s3, bucket: str, directory: Path) -> int:
    directory = Path(directory)
    if not directory.is_dir():
        return 0
    count = 0
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        key = path.relative_to(directory).as_posix()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type})
        count += 1
    return count


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
