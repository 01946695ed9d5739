"""How long a failed record waits before SQS hands it out again.

With ReportBatchItemFailures a failed record simply stays in flight until the queue's visibility timeout
ends, and that timeout is six worker timeouts (90 minutes): a transient OpenAI or Pinecone fault would
reach the DLQ after hours. So, before the handler reports the failure, it shortens that record's own
visibility (ChangeMessageVisibility on its receipt handle, which the function's role may call): base x
3^(receive - 1), capped, and never longer than the queue's timeout. A record refused because another
live attempt holds its job (JobBusyError) keeps the full timeout: that attempt needs its time, and a
quick retry would only spend receives and send a healthy long video to the DLQ.
"""

from __future__ import annotations

from typing import Any

from lifestream.worker.log import logger
from lifestream.worker.runtime import WorkerRuntime


def retry_delay(receive_count: int, *, base: float, cap: float) -> int:
    """Seconds before the next delivery of a record received `receive_count` times (1 = first)."""
    exponent = max(0, receive_count - 1)
    return int(min(cap, base * 3**min(exponent, 20)))


def back_off(runtime: WorkerRuntime, *, queue_arn: str, receipt_handle: str, receive_count: int) -> int | None:
    """Shorten a failed record's visibility to its backoff; returns the seconds set (None: left as is).

    Never raises: if SQS refuses, the record still comes back, after the queue's full timeout."""
    settings = runtime.settings
    delay = retry_delay(
        receive_count, base=settings.worker_retry_base_seconds, cap=settings.worker_retry_max_seconds
    )
    try:
        url, visibility = runtime.queue_of(queue_arn)
        if delay >= visibility:
            return None
        runtime.sqs_client.change_message_visibility(
            QueueUrl=url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay
        )
    except Exception as exc:  # noqa: BLE001 - the record's own failure is what the handler reports
        logger.warning("could not shorten the failed record's visibility", extra={"error": str(exc)})
        return None
    logger.info("failed record retried after backoff", extra={"delay": delay, "receive": receive_count})
    return delay


def receive_count(record: Any) -> int:
    """The record's ApproximateReceiveCount (1 when SQS did not say)."""
    try:
        return int(record.attributes.approximate_receive_count or 1)
    except (TypeError, ValueError, AttributeError):
        return 1
