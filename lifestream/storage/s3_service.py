"""S3 access for LifeStream: uploads (multipart for big files), downloads, metadata, paginated listing
and batch deletes — against AWS or any S3 endpoint (moto).

Every botocore failure becomes one of three typed errors naming the bucket and key:
ObjectNotFoundError (no such bucket/key), AccessDeniedError (403), StorageError (anything else).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lifestream.core.errors import AccessDeniedError, ObjectNotFoundError, OutOfTime, StorageError

if TYPE_CHECKING:
    from lifestream.core.settings import Settings

MULTIPART_THRESHOLD = 64 * 1024 * 1024
MULTIPART_CHUNK = 64 * 1024 * 1024
DELETE_BATCH = 1000  # DeleteObjects accepts at most 1000 keys per request
# A download asks `should_stop` at most this often (a small file is never held up by the clock).
STOP_CHECK_SECONDS = 1.0

_NOT_FOUND = {"404", "NoSuchKey", "NoSuchBucket", "NotFound", "NoSuchVersion"}
_DENIED = {
    "403",
    "AccessDenied",
    "Forbidden",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
}


@dataclass(frozen=True)
class ObjectMetadata:
    size: int
    content_type: str | None
    etag: str | None
    version_id: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    last_modified: dt.datetime | None = None


@dataclass(frozen=True)
class ObjectSummary:
    key: str
    size: int
    etag: str | None
    last_modified: dt.datetime | None


class S3Service:
    def __init__(
        self,
        bucket: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        profile: str | None = None,
        multipart_threshold: int = MULTIPART_THRESHOLD,
        multipart_chunksize: int = MULTIPART_CHUNK,
    ) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        if not bucket:
            raise StorageError("no bucket configured (LIFESTREAM_BUCKET)")
        self.bucket = bucket
        session = boto3.session.Session(profile_name=profile, region_name=region)
        config = Config(
            signature_version="s3v4",
            retries={"max_attempts": 5, "mode": "standard"},
            # Path-style addressing works for moto and custom endpoints; AWS keeps virtual-hosted.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
        )
        self.client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self.transfer_config = TransferConfig(
            multipart_threshold=multipart_threshold, multipart_chunksize=multipart_chunksize
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, bucket: str | None = None) -> S3Service:
        return cls(
            bucket or settings.resolved_bucket,
            region=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
            profile=settings.aws_profile,
        )

    # --- errors ------------------------------------------------------------------------------------------
    @contextmanager
    def _errors(self, action: str, key: str | None = None) -> Iterator[None]:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        where = f"s3://{self.bucket}/{key}" if key is not None else f"s3://{self.bucket}"
        try:
            yield
        except ClientError as exc:
            raise _from_client_error(exc, action, where) from exc
        except S3UploadFailedError as exc:
            # boto3's transfer manager wraps the service's refusal; the refusal is what the caller needs.
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, ClientError):
                raise _from_client_error(cause, action, where) from exc
            raise StorageError(f"{action} {where} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"{action} {where} failed: {exc}") from exc
        except FileNotFoundError as exc:
            raise StorageError(f"{action} {where}: local file not found: {exc.filename}") from exc

    # --- objects -----------------------------------------------------------------------------------------
    def upload_file(
        self,
        path: Path | str,
        key: str,
        *,
        metadata: dict[str, str] | None = None,
        content_type: str | None = None,
    ) -> ObjectMetadata:
        path = Path(path)
        if not path.is_file():
            raise StorageError(f"upload to s3://{self.bucket}/{key}: local file not found: {path}")
        extra: dict[str, Any] = {}
        content_type = content_type or mimetypes.guess_type(path.name)[0]
        if content_type:
            extra["ContentType"] = content_type
        if metadata:
            extra["Metadata"] = {str(k): str(v) for k, v in metadata.items()}
        with self._errors("upload", key):
            self.client.upload_file(
                str(path), self.bucket, key, ExtraArgs=extra or None, Config=self.transfer_config
            )
        return self.get_file_metadata(key)

    def download_file(
        self,
        key: str,
        path: Path | str,
        *,
        version_id: str | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Path:
        """Download to `path`. While bytes arrive, `should_stop()` is asked every `STOP_CHECK_SECONDS`;
        when it says yes the transfer is abandoned with `OutOfTime("download")` (the `.part` file stays)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        extra = {"VersionId": version_id} if version_id else None
        with self._errors("download", key):
            self.client.download_file(
                self.bucket,
                key,
                str(partial),
                ExtraArgs=extra,
                Config=self.transfer_config,
                Callback=_stop_check(should_stop) if should_stop else None,
            )
        partial.replace(path)  # never leave a half-written file under the final name
        return path

    def read_text(self, key: str, encoding: str = "utf-8") -> str:
        with self._errors("read", key):
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            return body.read().decode(encoding)

    def file_exists(self, key: str) -> bool:
        try:
            self.get_file_metadata(key)
        except ObjectNotFoundError:
            return False
        return True

    def get_file_metadata(self, key: str, *, version_id: str | None = None) -> ObjectMetadata:
        extra = {"VersionId": version_id} if version_id else {}
        with self._errors("head", key):
            head = self.client.head_object(Bucket=self.bucket, Key=key, **extra)
        return ObjectMetadata(
            size=int(head.get("ContentLength", 0)),
            content_type=head.get("ContentType"),
            etag=_etag(head.get("ETag")),
            version_id=head.get("VersionId"),
            metadata=dict(head.get("Metadata") or {}),
            last_modified=head.get("LastModified"),
        )

    def iter_files(self, prefix: str = "") -> Iterator[ObjectSummary]:
        paginator = self.client.get_paginator("list_objects_v2")
        with self._errors("list", prefix + "*"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    yield ObjectSummary(
                        key=obj["Key"],
                        size=int(obj.get("Size", 0)),
                        etag=_etag(obj.get("ETag")),
                        last_modified=obj.get("LastModified"),
                    )

    def delete_files(self, keys: Sequence[str]) -> int:
        """Batch delete (1000 keys per request); returns how many were deleted; raises on any failure.
        On a versioned bucket this leaves delete markers (the old versions stay until their lifecycle)."""
        return self._delete_objects([{"Key": k} for k in dict.fromkeys(keys)])

    def list_versions(self, prefix: str) -> list[tuple[str, str | None]]:
        """Every version and delete marker under `prefix`, as (key, version id)."""
        found: list[tuple[str, str | None]] = []
        paginator = self.client.get_paginator("list_object_versions")
        with self._errors("list versions", prefix + "*"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
                    found.append((item["Key"], item.get("VersionId")))
        return found

    def delete_versions(self, items: Sequence[tuple[str, str | None]]) -> int:
        """Delete exactly these versions, for good (a None or "null" id: the object of an unversioned
        bucket); returns how many; raises on any failure."""
        return self._delete_objects(
            [{"Key": k, **({"VersionId": v} if v and v != "null" else {})} for k, v in dict.fromkeys(items)]
        )

    def _delete_objects(self, objects: list[dict[str, str]]) -> int:
        deleted = 0
        for start in range(0, len(objects), DELETE_BATCH):
            batch = objects[start : start + DELETE_BATCH]
            with self._errors("delete", f"[{len(batch)} keys]"):
                response = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            # DeleteObjects answers 200 even when keys are refused: the refusals are in its Errors list.
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                message = f"{first.get('Key')}: {first.get('Code')} {first.get('Message', '')}".strip()
                if first.get("Code") == "AccessDenied":
                    raise AccessDeniedError(
                        f"delete in s3://{self.bucket}: {len(errors)} key(s) denied, e.g. {message}"
                    )
                raise StorageError(
                    f"delete in s3://{self.bucket}: {len(errors)} key(s) failed, e.g. {message}"
                )
            deleted += len(batch)
        return deleted


def _stop_check(should_stop: Callable[[], bool]) -> Callable[[int], None]:
    last = time.monotonic()

    def progress(_bytes: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= STOP_CHECK_SECONDS:
            last = now
            if should_stop():
                # Raised in a transfer thread; s3transfer cancels the transfer and re-raises it here.
                raise OutOfTime("download")

    return progress


def _etag(value: str | None) -> str | None:
    return value.strip('"') if value else value


def _from_client_error(exc: Any, action: str, where: str) -> StorageError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    message = error.get("Message") or code or status
    if code in _NOT_FOUND or (status == "404" and not code.startswith("Invalid")):
        what = "bucket" if code == "NoSuchBucket" else "object"
        return ObjectNotFoundError(f"{action} {where}: {what} not found ({code or status})")
    if code in _DENIED or status == "403":
        return AccessDeniedError(f"{action} {where}: access denied ({code or status}: {message})")
    return StorageError(f"{action} {where} failed: {code or status}: {message}")
