"""Functional: the local event-source loop builds Lambda's SQS event and settles messages like Lambda."""

from __future__ import annotations

import json

from lifestream.local.worker import LocalLambdaContext, LocalWorker, build_event, load_handler

LAMBDA_RECORD_KEYS = {
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
}


def test_event_has_the_lambda_sqs_shape(cloud, settings_for, event_fixture):
    # GIVEN a message with an attribute on the queue
    cloud.sqs.send_message(
        QueueUrl=cloud.resources.queue_url,
        MessageBody='{"hello": 1}',
        MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
    )
    seen: list[dict] = []
    worker = LocalWorker(settings_for(cloud), handler=lambda event, ctx: seen.append(event), wait_seconds=0)
    # WHEN the worker runs once
    worker.run(once=True)
    # THEN the handler got exactly the record fields Lambda delivers (same keys as the shared fixture)
    (event,) = seen
    (record,) = event["Records"]
    assert set(record) == LAMBDA_RECORD_KEYS == set(event_fixture("sqs_s3_put.json")["Records"][0])
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == cloud.resources.queue_arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"]["origin"]["stringValue"] == "test"
    assert record["messageAttributes"]["origin"]["dataType"] == "String"
    # AND a handler that reports no failure gets its message deleted
    assert cloud.count(cloud.resources.queue_url) == 0


def test_only_successful_records_are_deleted(cloud_factory, settings_for):
    cloud = cloud_factory(visibility_timeout=1)
    for i in range(3):
        cloud.sqs.send_message(QueueUrl=cloud.resources.queue_url, MessageBody=json.dumps({"n": i}))

    def handler(event, context):
        failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"])["n"] == 1]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}

    worker = LocalWorker(settings_for(cloud), handler=handler, wait_seconds=0)
    stats = worker.run(until_idle=True)
    assert stats.received == 3 and stats.failed == 1
    # THEN only the failed record comes back after the visibility timeout
    back = cloud.drain(wait=3)
    assert [json.loads(m["Body"])["n"] for m in back] == [1]


def test_a_raising_handler_fails_the_whole_batch(cloud_factory, settings_for):
    cloud = cloud_factory(visibility_timeout=1)
    for i in range(2):
        cloud.sqs.send_message(QueueUrl=cloud.resources.queue_url, MessageBody=json.dumps({"n": i}))

    def handler(event, context):
        raise RuntimeError("boom")

    worker = LocalWorker(settings_for(cloud), handler=handler, wait_seconds=0)
    worker.run(until_idle=True)
    # A crash (a Lambda function error), not a partial failure: no record is reported failed or deleted
    assert worker.stats.crashes >= 1 and worker.stats.succeeded == 0 and worker.stats.failed == 0
    first = worker.stats.history[0]
    assert first.crashed == "RuntimeError: boom" and first.failed_ids == []
    assert (first.deleted, first.returning) == (0, first.received)
    assert len(cloud.drain(wait=3)) == 2


def test_real_handler_acknowledges_the_s3_test_event(cloud_factory, settings_for):
    # GIVEN the s3:TestEvent that configuring the notification sent
    cloud = cloud_factory(drain_test_event=False)
    worker = LocalWorker(settings_for(cloud), wait_seconds=0)
    # WHEN the real Lambda handler processes it
    stats = worker.run(until_idle=True)
    # THEN it is acknowledged (deleted), not retried
    assert (stats.received, stats.succeeded, stats.failed) == (1, 1, 0)
    assert cloud.count(cloud.resources.queue_url) == 0


def test_poison_message_reaches_the_dlq_after_max_receive_count(cloud_factory, settings_for):
    # GIVEN a queue with a short visibility timeout and maxReceiveCount 2, holding a malformed message
    cloud = cloud_factory(visibility_timeout=1, max_receive_count=2)
    cloud.sqs.send_message(QueueUrl=cloud.resources.queue_url, MessageBody="not json at all")
    worker = LocalWorker(settings_for(cloud), wait_seconds=1)
    # WHEN the worker runs until nothing is waiting or in flight
    stats = worker.run(until_idle=True, wait_for_retries=True, max_seconds=30)
    # THEN the real handler failed it each time it was received, and SQS moved it to the DLQ
    assert stats.failed == 2 and stats.succeeded == 0
    dead = cloud.drain(cloud.resources.dlq_url)
    assert [m["Body"] for m in dead] == ["not json at all"]
    assert cloud.count(cloud.resources.queue_url) == 0


def test_context_counts_down():
    context = LocalLambdaContext(function_name="f", timeout_seconds=2.0)
    first = context.get_remaining_time_in_millis()
    assert 1500 < first <= 2000
    assert context.invoked_function_arn.endswith(":function:f")
    assert context.aws_request_id


def test_load_handler_imports_the_lambda_file():
    handler = load_handler()
    assert callable(handler)
    assert handler.__module__ == "lambda_src_worker"


def test_build_event_keeps_order():
    messages = [
        {"MessageId": str(i), "ReceiptHandle": f"r{i}", "Body": "{}", "MD5OfBody": "x", "Attributes": {}}
        for i in range(3)
    ]
    event = build_event(messages, queue_arn="arn:aws:sqs:us-east-1:1:q", region="us-east-1")
    assert [r["messageId"] for r in event["Records"]] == ["0", "1", "2"]


def test_idle_needs_two_empty_readings(cloud, settings_for, monkeypatch):
    # GIVEN a failed message whose visibility ends between the two counts of one reading (in neither count)
    readings = iter([(0, 0), (1, 0)])
    worker = LocalWorker(settings_for(cloud), handler=lambda event, ctx: None, wait_seconds=0)
    monkeypatch.setattr(worker, "queue_depth", lambda: next(readings))
    # THEN the queue is not taken for idle: the second reading sees the message waiting
    assert worker.is_idle(include_in_flight=True) is False


def test_idle_when_both_readings_are_empty(cloud, settings_for):
    worker = LocalWorker(settings_for(cloud), handler=lambda event, ctx: None, wait_seconds=0)

    assert worker.is_idle(include_in_flight=True) is True
