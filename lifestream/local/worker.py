"""The local stand-in for Lambda's SQS event source mapping.

It long-polls the queue, builds the exact event Lambda would deliver (same record fields), calls the very
handler in `lambda_src/worker.py` (imported by path, as Lambda does) with a context that reports remaining
time, and deletes only the records the handler did not list in `batchItemFailures`. Failed records simply
become visible again after the visibility timeout, so the queue's redrive policy moves poison messages to the
DLQ exactly as in the cloud.

A handler that raises is a crash — in Lambda a function error, counted by the errors alarm — not a partial
failure: no record is deleted, none is counted as a reported failure, and `crashes` counts it.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifestream.core.settings import Settings

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
MAX_BATCH = 10  # SQS ReceiveMessage limit


@dataclass
class LocalLambdaContext:
    """What the Lambda runtime passes as `context`, with a real countdown."""

    function_name: str
    timeout_seconds: float
    region: str = "us-east-1"
    account: str = "123456789012"
    memory_limit_in_mb: int = 3008
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        left = self.timeout_seconds - (time.monotonic() - self._started)
        return max(0, int(left * 1000))


def to_lambda_record(message: dict[str, Any], *, queue_arn: str, region: str) -> dict[str, Any]:
    """One SQS ReceiveMessage message → one record of a Lambda SQS event."""
    attributes = dict(message.get("Attributes", {}))
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {
            name: _lambda_message_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def _lambda_message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    # The SQS API says StringValue/DataType; Lambda events say stringValue/dataType, with list fields present.
    out: dict[str, Any] = {
        "dataType": value["DataType"],
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
    }
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        import base64

        out["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return out


def build_event(messages: list[dict[str, Any]], *, queue_arn: str, region: str) -> dict[str, Any]:
    return {"Records": [to_lambda_record(m, queue_arn=queue_arn, region=region) for m in messages]}


def load_handler(path: Path = LAMBDA_SRC / "worker.py", name: str = "handler") -> Callable[[dict, Any], Any]:
    """Import the Lambda module from its file, as the Lambda runtime does with `worker.handler`."""
    module_name = f"lambda_src_{path.stem}"
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import the Lambda handler from {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return getattr(module, name)


@dataclass
class BatchResult:
    received: int
    failed_ids: list[str]  # reported in batchItemFailures (empty when the handler crashed)
    deleted: int
    seconds: float
    crashed: str | None = None  # the handler raised: the whole batch comes back, as a Lambda error

    @property
    def returning(self) -> int:
        """Messages that become visible again (retried, or moved to the DLQ at maxReceiveCount)."""
        return self.received - self.deleted


@dataclass
class WorkerStats:
    batches: int = 0
    received: int = 0
    succeeded: int = 0
    failed: int = 0  # records reported in batchItemFailures
    crashes: int = 0  # invocations whose handler raised (their records are not in `failed`)
    history: list[BatchResult] = field(default_factory=list)


class LocalWorker:
    def __init__(
        self,
        settings: Settings,
        *,
        handler: Callable[[dict, Any], Any] | None = None,
        batch_size: int = MAX_BATCH,
        wait_seconds: int = 2,
        function_timeout: float = 300.0,
        runtime_parts: dict[str, Any] | None = None,
        configure_runtime: bool = True,
        context_factory: Callable[[], Any] | None = None,
    ) -> None:
        if not settings.queue_url:
            from lifestream.core.errors import ConfigError

            raise ConfigError(
                "LIFESTREAM_QUEUE_URL is not set: start the local cloud with `lifestream local up`"
            )
        if not 1 <= batch_size <= MAX_BATCH:
            from lifestream.core.errors import ConfigError

            raise ConfigError(f"batch size must be between 1 and {MAX_BATCH} (got {batch_size})")
        self.settings = settings
        self.batch_size = batch_size
        self.wait_seconds = wait_seconds
        self.function_timeout = function_timeout
        self.function_name = settings.names.worker_function
        self.sqs = settings.client("sqs")
        self.queue_url = settings.queue_url
        self.queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        if configure_runtime:
            from lifestream.worker import configure

            configure(settings, **(runtime_parts or {}))
        self.handler = handler or load_handler()
        # Another runtime's notion of time (tests simulate short invocations with it).
        self.context_factory = context_factory or (
            lambda: LocalLambdaContext(
                function_name=self.function_name,
                timeout_seconds=self.function_timeout,
                region=self.settings.aws_region,
            )
        )
        self.stats = WorkerStats()

    def receive(self, wait_seconds: int | None = None) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_seconds if wait_seconds is None else wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return response.get("Messages", [])

    def invoke(self, messages: list[dict[str, Any]]) -> BatchResult:
        """Run one Lambda invocation over `messages` and settle them as the event source mapping does."""
        started = time.monotonic()
        event = build_event(messages, queue_arn=self.queue_arn, region=self.settings.aws_region)
        context = self.context_factory()
        crashed = None
        failed: list[str] = []
        try:
            response = self.handler(event, context) or {}
            failed = [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]
        except Exception as exc:  # noqa: BLE001 - a thrown handler is a function error, as in Lambda
            crashed = f"{type(exc).__name__}: {exc}"
        done = [] if crashed else [m for m in messages if m["MessageId"] not in set(failed)]
        for start in range(0, len(done), MAX_BATCH):
            chunk = done[start : start + MAX_BATCH]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        result = BatchResult(len(messages), failed, len(done), time.monotonic() - started, crashed)
        self.stats.batches += 1
        self.stats.received += len(messages)
        self.stats.succeeded += len(done)
        self.stats.failed += len(failed)
        self.stats.crashes += crashed is not None
        self.stats.history.append(result)
        return result

    def is_idle(self, *, include_in_flight: bool) -> bool:
        """Nothing waiting (and, if asked, nothing in flight) in two readings in a row: SQS — and moto —
        count visible and in-flight messages at slightly different instants, so a message whose visibility
        timeout ends between the two counts is in neither; the second reading sees it as waiting."""
        for _ in range(2):
            waiting, in_flight = self.queue_depth()
            if waiting or (include_in_flight and in_flight):
                return False
        return True

    def queue_depth(self) -> tuple[int, int]:
        """(visible + delayed, in flight) messages, as SQS approximates them."""
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesDelayed",
                "ApproximateNumberOfMessagesNotVisible",
            ],
        )["Attributes"]
        waiting = int(attrs.get("ApproximateNumberOfMessages", 0)) + int(
            attrs.get("ApproximateNumberOfMessagesDelayed", 0)
        )
        return waiting, int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))

    def run(
        self,
        *,
        once: bool = False,
        until_idle: bool = False,
        wait_for_retries: bool = False,
        max_seconds: float | None = None,
        on_batch: Callable[[BatchResult, WorkerStats], None] | None = None,
    ) -> WorkerStats:
        """Poll and invoke. `once`: one receive. `until_idle`: stop when nothing is waiting (and, with
        `wait_for_retries`, nothing is in flight either — failed messages come back after the visibility
        timeout and may end in the DLQ). Otherwise run until interrupted or `max_seconds`."""
        started = time.monotonic()
        while True:
            messages = self.receive()
            if messages:
                result = self.invoke(messages)
                if on_batch:
                    on_batch(result, self.stats)
            if once:
                return self.stats
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                return self.stats
            if until_idle and not messages and self.is_idle(include_in_flight=wait_for_retries):
                return self.stats
            if not messages and self.wait_seconds == 0:
                time.sleep(0.1)
