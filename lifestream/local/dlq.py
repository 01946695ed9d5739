"""The dead-letter queue: what is in it, and sending it back to the processing queue."""

from __future__ import annotations

from lifestream.core.errors import ConfigError
from lifestream.core.settings import Settings


def peek_dlq(settings: Settings, *, limit: int = 50) -> list[dict]:
    """Messages in the DLQ without consuming them (received with a zero visibility timeout)."""
    if not settings.dlq_url:
        raise ConfigError("LIFESTREAM_DLQ_URL is not set (start the local cloud with `lifestream local up`)")
    sqs = settings.client("sqs")
    seen: dict[str, dict] = {}
    empty_polls = 0
    while len(seen) < limit and empty_polls < 2:
        got = sqs.receive_message(
            QueueUrl=settings.dlq_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            MessageSystemAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        fresh = [m for m in got if m["MessageId"] not in seen]
        empty_polls = empty_polls + 1 if not fresh else 0
        for m in fresh:
            seen[m["MessageId"]] = m
    return list(seen.values())[:limit]


def redrive_dlq(settings: Settings, *, limit: int | None = None) -> int:
    """Move DLQ messages back to the processing queue (send, then delete); returns how many moved."""
    if not (settings.dlq_url and settings.queue_url):
        raise ConfigError(
            "LIFESTREAM_DLQ_URL and LIFESTREAM_QUEUE_URL must be set (or run `lifestream local up`)"
        )
    sqs = settings.client("sqs")
    moved = 0
    while limit is None or moved < limit:
        got = sqs.receive_message(
            QueueUrl=settings.dlq_url,
            MaxNumberOfMessages=min(10, (limit - moved) if limit else 10),
            VisibilityTimeout=30,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not got:
            break
        for m in got:
            # Sent before deleted: a crash in between duplicates a message, which the job claim absorbs.
            kwargs = {"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {}
            sqs.send_message(QueueUrl=settings.queue_url, MessageBody=m["Body"], **kwargs)
            sqs.delete_message(QueueUrl=settings.dlq_url, ReceiptHandle=m["ReceiptHandle"])
            moved += 1
    return moved
