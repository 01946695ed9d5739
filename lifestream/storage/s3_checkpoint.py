"""A `Checkpoint` kept in S3 under `state/<video_id>/`, so the next invocation — on any machine — resumes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lifestream.core.errors import StorageError, TransientError
from lifestream.storage.results import state_prefix


class S3Checkpoint:
    def __init__(self, client: Any, bucket: str, video_id: str) -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = state_prefix(video_id)
        # key -> size of the files this object uploaded or restored, so none is sent twice.
        self._kept: dict[str, int] = {}

    def _key(self, name: str) -> str:
        return f"{self.prefix}{name}.json"

    def load(self, name: str) -> dict[str, Any] | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            body = self._client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise TransientError(
                f"checkpoint s3://{self.bucket}/{self._key(name)} unreadable: {exc}"
            ) from exc
        except BotoCoreError as exc:
            raise TransientError(
                f"checkpoint s3://{self.bucket}/{self._key(name)} unreadable: {exc}"
            ) from exc
        return json.loads(body)

    def save(self, name: str, data: dict[str, Any]) -> None:
        # A single PUT is atomic in S3: a reader sees the old or the new document, never half of one.
        self._client.put_object(
            Bucket=self.bucket,
            Key=self._key(name),
            Body=json.dumps(data).encode(),
            ContentType="application/json",
        )

    # Stage outputs that live on local disk (keyframes) are kept beside the JSON documents, so a
    # continuation on a fresh /tmp restores them instead of redoing the stage. Each file is uploaded once,
    # as soon as it is made (`save_file`); the hand-over's `save_files` then only sends what is missing.
    def save_file(self, folder: str, path: Path) -> None:
        path = Path(path)
        key = f"{self.prefix}{folder}/{path.name}"
        size = path.stat().st_size
        if self._kept.get(key) == size:
            return
        self._client.upload_file(str(path), self.bucket, key)
        self._kept[key] = size

    def save_files(self, folder: str, directory: Path) -> int:
        paths = (
            sorted(p for p in Path(directory).glob("*") if p.is_file()) if Path(directory).is_dir() else []
        )
        for path in paths:
            self.save_file(folder, path)
        return len(paths)

    def restore_files(self, folder: str, directory: Path) -> int:
        objects = self._objects(f"{self.prefix}{folder}/")
        if objects:
            Path(directory).mkdir(parents=True, exist_ok=True)
        for key, size in objects:
            self._client.download_file(self.bucket, key, str(Path(directory) / key.rsplit("/", 1)[1]))
            self._kept[key] = size
        return len(objects)

    def clear(self) -> None:
        keys = self._keys()
        for start in range(0, len(keys), 1000):
            batch = [{"Key": k} for k in keys[start : start + 1000]]
            response = self._client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )
            # DeleteObjects answers 200 even when keys are refused: the refusals are in its Errors list.
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise StorageError(
                    f"clearing checkpoint s3://{self.bucket}/{self.prefix}: {len(errors)} key(s) not deleted, "
                    f"e.g. {first.get('Key')}: {first.get('Code')} {first.get('Message', '')}".rstrip()
                )
        self._kept.clear()

    def _keys(self, prefix: str | None = None) -> list[str]:
        return [key for key, _ in self._objects(prefix)]

    def _objects(self, prefix: str | None = None) -> list[tuple[str, int]]:
        paginator = self._client.get_paginator("list_objects_v2")
        return [
            (obj["Key"], int(obj.get("Size", 0)))
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix or self.prefix)
            for obj in page.get("Contents", [])
        ]
