"""What an SQS message body can carry to the worker, parsed into typed values.

Three shapes arrive on the processing queue:
- an S3 event notification (`{"Records": [...]}`), possibly several records per message, keys URL-encoded
  (`+` for spaces; moto also encodes `/` as `%2F`) — `unquote_plus` undoes both;
- the `s3:TestEvent` S3 sends once when the notification is configured (no `Records`);
- a continuation the worker sent itself when a long video ran out of invocation time.
S3 events wrapped in an SNS envelope (`{"Type": "Notification", "Message": "..."}`) are unwrapped too.
Anything else is a `MalformedMessageError`: not an input problem of a job, so it is retried and ends in the
DLQ where a person can look at it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from urllib.parse import unquote_plus

from pydantic import BaseModel, Field, ValidationError

from lifestream.core.errors import LifeStreamError

CONTINUATION_KIND = "lifestream.continuation"


class MalformedMessageError(LifeStreamError):
    """The message body is not an S3 event, an S3 test event or a LifeStream continuation."""


class ObjectRef(BaseModel):
    """One uploaded object to process: the idempotency key is (bucket, key, version)."""

    bucket: str
    key: str  # decoded
    version: str  # S3 version id, or the ETag when the bucket is not versioned
    version_id: str | None = None  # the S3 version id when the event names one: process exactly that
    size: int | None = None
    etag: str | None = None
    event_time: datetime | None = None
    event_name: str | None = None


class S3TestEvent(BaseModel):
    kind: Literal["test"] = "test"
    bucket: str | None = None


class ObjectEvents(BaseModel):
    kind: Literal["objects"] = "objects"
    objects: list[ObjectRef]
    # Records that are not object creations (e.g. a removal on a shared queue): logged and ignored.
    ignored: list[str] = Field(default_factory=list)


class Continuation(BaseModel):
    """Sent by the worker itself: 'resume this job in a fresh invocation'."""

    kind: Literal["lifestream.continuation"] = CONTINUATION_KIND
    bucket: str
    key: str
    version: str
    version_id: str | None = None
    job_id: str
    video_id: str
    stage: str
    offset: float = 0.0
    hop: int = Field(default=1, ge=1)

    def to_body(self) -> str:
        return self.model_dump_json()

    @property
    def object(self) -> ObjectRef:
        return ObjectRef(bucket=self.bucket, key=self.key, version=self.version, version_id=self.version_id)


Message = S3TestEvent | ObjectEvents | Continuation


def parse_body(body: str) -> Message:
    """Parse one SQS message body; raise `MalformedMessageError` naming what is wrong."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        raise MalformedMessageError(f"message body is not JSON: {str(body)[:80]!r}") from None
    if not isinstance(data, dict):
        raise MalformedMessageError(f"message body is JSON but not an object: {str(body)[:80]!r}")
    if data.get("Type") == "Notification" and isinstance(data.get("Message"), str):
        return parse_body(data["Message"])
    if data.get("Event") == "s3:TestEvent":
        return S3TestEvent(bucket=data.get("Bucket"))
    if data.get("kind") == CONTINUATION_KIND:
        try:
            return Continuation.model_validate(data)
        except ValidationError as exc:
            raise MalformedMessageError(f"continuation message is invalid: {_first_error(exc)}") from None
    records = data.get("Records")
    if isinstance(records, list):
        return _parse_records(records)
    raise MalformedMessageError(f"message body is not an S3 event: keys {sorted(data)[:8]}")


def _parse_records(records: list[Any]) -> ObjectEvents:
    objects: list[ObjectRef] = []
    ignored: list[str] = []
    for index, record in enumerate(records):
        try:
            name = str(record.get("eventName", ""))
            s3 = record["s3"]
            bucket = s3["bucket"]["name"]
            obj = s3["object"]
            key = unquote_plus(obj["key"])
        except (AttributeError, KeyError, TypeError):
            raise MalformedMessageError(
                f"S3 event record {index} lacks s3.bucket.name or s3.object.key"
            ) from None
        if not name.startswith("ObjectCreated"):
            ignored.append(f"{name or 'unknown event'} {key}")
            continue
        etag = obj.get("eTag") or obj.get("etag")
        version_id = obj.get("versionId") or None
        version = version_id or etag
        if not version:
            raise MalformedMessageError(f"S3 event record {index} for {key!r} has neither versionId nor eTag")
        objects.append(
            ObjectRef(
                bucket=bucket,
                key=key,
                version=str(version),
                version_id=version_id,
                size=obj.get("size"),
                etag=etag,
                event_time=record.get("eventTime"),
                event_name=name,
            )
        )
    return ObjectEvents(objects=objects, ignored=ignored)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
