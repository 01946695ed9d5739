"""Uploads: a presigned POST for one file under the owner's own prefix, or a multipart upload over S3's
5 GB POST limit, completed only when its parts add up to what the ticket allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from lifestream.core.constants import SUBTITLE_SUFFIXES, VIDEO_SUFFIXES
from lifestream.core.errors import LimitExceeded, NotFoundError, RequestError, StorageError
from lifestream.core.ownership import (
    InvalidNameError,
    new_upload_folder,
    owner_of_key,
    safe_name,
    upload_prefix,
)
from lifestream.core.sidecars import MAX_SIDECAR_BYTES
from lifestream.service.base import LibraryBase
from lifestream.service.models import CompletedUpload, UploadTicket

if TYPE_CHECKING:  # the job database (SQLAlchemy) loads on first use, not at the API's cold start
    from lifestream.jobs.usage import UploadUse

# S3 takes at most 5 GB in one POST; a larger file is a multipart upload.
PRESIGNED_POST_LIMIT = 5 * 1024**3
# Parts of a multipart upload: S3 allows 5 MB-5 GB a part and 10,000 parts.
MULTIPART_PART_SIZE = 512 * 1024**2
# When a user with the most videos in flight may try again: their jobs take minutes, not seconds.
IN_FLIGHT_RETRY_SECONDS = 60
SUBTITLE_TYPES = ("application/x-subrip", "text/vtt", "text/plain", "application/octet-stream")


class Uploads(LibraryBase):
    def presign_upload(
        self,
        owner: str,
        *,
        filename: str,
        size: int,
        content_type: str,
        beside: str | None = None,
    ) -> UploadTicket:
        """A presigned POST for one file under the owner's prefix. A video gets a fresh folder
        `uploads/<owner>/<uuid>/`; subtitles (`beside` = the video's key from its own ticket) go into
        that folder under the video's name, where the worker looks for them — upload them first."""
        try:
            name = safe_name(filename)
        except InvalidNameError as exc:
            raise RequestError("filename", str(exc)) from None
        suffix = PurePosixPath(name).suffix.lower()
        content_type = (content_type or "").strip().lower()
        if beside is None:
            if suffix not in VIDEO_SUFFIXES:
                raise RequestError("filename", f"must end in one of {', '.join(VIDEO_SUFFIXES)}")
            if not content_type.startswith("video/"):
                raise RequestError("content_type", f"must be a video/* type, got {content_type!r}")
            limit = self.settings.max_video_bytes
            key = new_upload_folder(owner) + name
            type_condition: list[Any] = ["starts-with", "$Content-Type", "video/"]
        else:
            if suffix not in SUBTITLE_SUFFIXES:
                raise RequestError("filename", f"subtitles must end in one of {', '.join(SUBTITLE_SUFFIXES)}")
            if content_type not in SUBTITLE_TYPES:
                raise RequestError("content_type", f"must be one of {', '.join(SUBTITLE_TYPES)}")
            # Only beside a video of the owner's own prefix, in the shape the API hands out.
            if owner_of_key(beside) != owner or not beside.startswith(upload_prefix(owner)):
                raise NotFoundError(f"no upload {beside!r}")
            folder, _, video_name = beside.rpartition("/")
            if PurePosixPath(video_name).suffix.lower() not in VIDEO_SUFFIXES:
                raise RequestError("beside", "must be the key of a video upload")
            limit = MAX_SIDECAR_BYTES
            key = f"{folder}/{PurePosixPath(video_name).stem}{suffix}"
            type_condition = ["eq", "$Content-Type", content_type]
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise RequestError("size", "must be a positive number of bytes")
        if size > limit:
            raise RequestError("size", f"{size:,} bytes is over the limit of {limit:,} bytes")
        self._record_within_quota(owner, key, size, video=beside is None)
        seconds = self.settings.upload_url_minutes * 60
        if size > min(PRESIGNED_POST_LIMIT, self.settings.upload_post_limit_bytes):
            return self._presign_multipart(key, size, content_type, seconds)
        with storage_errors("presigning an upload"):
            post = self.s3.client.generate_presigned_post(
                Bucket=self.settings.resolved_bucket,
                Key=key,
                Fields={"Content-Type": content_type},
                # S3 refuses a POST breaking any of these: another key, another size, another type.
                Conditions=[["eq", "$key", key], ["content-length-range", size, size], type_condition],
                ExpiresIn=seconds,
            )
        return UploadTicket(
            url=post["url"],
            fields={k: str(v) for k, v in post["fields"].items()},
            key=key,
            max_bytes=size,
            expires_at=self.clock() + dt.timedelta(seconds=seconds),
        )

    def _record_within_quota(self, owner: str, key: str, size: int, *, video: bool) -> None:
        """Record the upload's ticket if the owner's upload quotas (LIFESTREAM_QUOTA_*) allow it: videos
        in flight, bytes signed in 24 hours. Counted and recorded at once, under the owner's lock: two
        presigns on two API functions cannot both take the last free slot."""
        in_flight, per_day = self.settings.quota_uploads_in_flight, self.settings.quota_bytes_per_day
        if per_day and size > per_day:
            raise LimitExceeded(
                f"{size:,} bytes is over your daily upload allowance of {per_day:,} bytes", retry_after=None
            )
        self.jobs.usage.record_upload(
            owner,
            key,
            size,
            video=video,
            admit=(lambda use: self._check_quota(use, size, video=video)) if in_flight or per_day else None,
            ticket_minutes=self.settings.upload_url_minutes,
        )

    def _check_quota(self, use: UploadUse, size: int, *, video: bool) -> None:
        """Refuse (LimitExceeded: 429 saying when it fits) an upload the owner's `use` leaves no room for."""
        in_flight, per_day = self.settings.quota_uploads_in_flight, self.settings.quota_bytes_per_day
        if video and in_flight and use.in_flight >= in_flight:
            raise LimitExceeded(
                f"you have {use.in_flight} videos uploading or waiting to be processed, the most allowed "
                "at once: send more when one has finished",
                retry_after=IN_FLIGHT_RETRY_SECONDS,
            )
        over = use.bytes_today + size - per_day if per_day else 0
        if over > 0:
            # Uploads leave the 24-hour window oldest first: this one fits once enough of them have.
            freed, fits_at = 0, self.clock()
            for signed_at, signed in use.recent:
                freed += signed
                if freed >= over:
                    fits_at = signed_at + dt.timedelta(days=1)
                    break
            raise LimitExceeded(
                f"your uploads of the last 24 hours reach your daily allowance of {per_day:,} bytes; "
                f"this one fits from {fits_at:%Y-%m-%d %H:%M} UTC",
                retry_after=max(1.0, (fits_at - self.clock()).total_seconds()),
            )

    def _presign_multipart(self, key: str, size: int, content_type: str, seconds: int) -> UploadTicket:
        """Over S3's POST limit: a multipart upload whose every part URL is signed for this key and
        upload id. A PUT cannot be held to a size by its URL, so `complete_upload` checks the parts."""
        client, bucket = self.s3.client, self.settings.resolved_bucket
        part_size = max(min(MULTIPART_PART_SIZE, self.settings.upload_part_bytes), -(-size // 10_000))
        count = -(-size // part_size)
        with storage_errors("starting a multipart upload"):
            upload_id = client.create_multipart_upload(
                Bucket=bucket, Key=key, ContentType=content_type, Metadata={"declared-size": str(size)}
            )["UploadId"]
            urls = [
                client.generate_presigned_url(
                    "upload_part",
                    Params={"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": n},
                    ExpiresIn=seconds,
                )
                for n in range(1, count + 1)
            ]
        return UploadTicket(
            method="multipart",
            key=key,
            max_bytes=size,
            expires_at=self.clock() + dt.timedelta(seconds=seconds),
            upload_id=upload_id,
            part_size=part_size,
            part_urls=urls,
        )

    def complete_upload(self, owner: str, *, key: str, upload_id: str, parts: list[Any]) -> CompletedUpload:
        """Finish a multipart upload of the owner's, if its parts are what the ticket allowed: each part
        `part_size` long but the last, the total the declared size. Otherwise it is aborted (nothing stays)."""
        if owner_of_key(key) != owner or not key.startswith(upload_prefix(owner)):
            raise NotFoundError(f"no upload {key!r}")
        client, bucket = self.s3.client, self.settings.resolved_bucket
        from botocore.exceptions import ClientError

        try:
            listed = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchUpload", "404", "NoSuchKey"}:
                raise NotFoundError(f"no upload {key!r}") from None
            raise StorageError(f"listing the parts of {key}: {exc}") from exc
        sizes = {p["PartNumber"]: int(p["Size"]) for p in listed.get("Parts", [])}
        wanted = sorted(parts, key=lambda p: p.part_number)
        total = sum(sizes.get(p.part_number, 0) for p in wanted)
        numbers = [p.part_number for p in wanted]
        if numbers != list(range(1, len(wanted) + 1)) or set(numbers) != set(sizes):
            raise RequestError("parts", "send every uploaded part once, numbered 1, 2, 3…")
        if total > self.settings.max_video_bytes:
            self._abort(bucket, key, upload_id)
            raise RequestError(
                "size", f"{total:,} bytes is over the limit of {self.settings.max_video_bytes:,} bytes"
            )
        with storage_errors("completing a multipart upload"):
            client.complete_multipart_upload(
                Bucket=bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in wanted]},
            )
            head = client.head_object(Bucket=bucket, Key=key)
        # The declared size rides on the upload as metadata (S3 keeps no other state for us): an object
        # of another size is removed at once, before anyone reads it (the worker then finds it gone).
        declared = int(head.get("Metadata", {}).get("declared-size", total))
        if int(head["ContentLength"]) != declared:
            s3 = self.bucket_service(bucket)
            s3.delete_versions([(k, v) for k, v in s3.list_versions(key) if k == key])
            raise RequestError("size", f"the parts hold {total:,} bytes, not the {declared:,} declared")
        return CompletedUpload(key=key, size=total)

    def _abort(self, bucket: str, key: str, upload_id: str) -> None:
        with storage_errors("aborting a multipart upload"):
            self.s3.client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


@contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """botocore's failures as LifeStream's StorageError (the API answers 503: retrying is safe)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise StorageError(f"{action}: {exc}") from exc


