"""A `Checkpoint` kept in S3 under `state/<video_id>/`, so the next invocation — on any machine — resumes."""

from __future__ import annotations

import json
from typing import Any

from lifestream.constants import STATE_PREFIX
from lifestream.errors import TransientError


class S3Checkpoint:
    def __init__(self, client: Any, bucket: str, video_id: str) -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = f"{STATE_PREFIX}{video_id}/"

    def _key(self, name: str) -> str:
        return f"{self.prefix}{name}.json"

    def load(self, name: str) -> dict[str, Any] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self._client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise TransientError(f"checkpoint s3://{self.bucket}/{self._key(name)} unreadable: {exc}") from exc
        except BotoCoreError as exc:
            raise TransientError(f"checkpoint s3://{self.bucket}/{self._key(name)} unreadable: {exc}") from exc
        return json.loads(body)

    def save(self, name: str, data: dict[str, Any]) -> None:
        # A single PUT is atomic in S3: a reader sees the old or the new document, never half of one.
        self._client.put_object(
            Bucket=self.bucket,
            Key=self._key(name),
            Body=json.dumps(data).encode(),
            ContentType="application/json",
        )

    def names(self) -> list[str]:
        keys = self._keys()
        return sorted(k.removeprefix(self.prefix).removesuffix(".json") for k in keys)

    def clear(self) -> None:
        keys = self._keys()
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def _keys(self) -> list[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        return [
            obj["Key"]
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix)
            for obj in page.get("Contents", [])
        ]
