"""The processing queue: encryption S3 can use, TLS only, redrive to a 14-day DLQ, visibility vs timeout,
and a policy that lets only the video bucket send."""

from __future__ import annotations

from lifestream.core.constants import DLQ_RETENTION_DAYS, VISIBILITY_TIMEOUT_FACTOR, ResourceNames
from stacks.config import CONFIGS
from tests.infra.conftest import only, render, resources_of


def _queues(template: dict) -> tuple[dict, dict]:
    queues = resources_of(template, "AWS::SQS::Queue")
    main = next(v for k, v in queues.items() if "DeadLetter" not in k)
    dlq = next(v for k, v in queues.items() if "DeadLetter" in k)
    return main["Properties"], dlq["Properties"]


def test_queues_use_sse_sqs_not_the_aws_managed_kms_key(synthesized, env):
    for props in _queues(synthesized.template_json(env, "Queue")):
        assert props["SqsManagedSseEnabled"] is True
        # alias/aws/sqs cannot be used by S3 event notifications.
        assert "KmsMasterKeyId" not in props


def test_queue_names_come_from_resource_names(synthesized, env):
    main, dlq = _queues(synthesized.template_json(env, "Queue"))
    names = ResourceNames(env=env, account="unused")
    assert (main["QueueName"], dlq["QueueName"]) == (names.queue, names.dlq)


def test_redrive_to_the_dlq_after_the_configured_receive_count(synthesized, env):
    main, dlq = _queues(synthesized.template_json(env, "Queue"))
    redrive = main["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == CONFIGS[env].max_receive_count
    assert "DeadLetterQueue" in redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert dlq["MessageRetentionPeriod"] == DLQ_RETENTION_DAYS * 24 * 3600 == 1_209_600


def test_visibility_timeout_is_six_times_the_deployed_worker_timeout(synthesized, env):
    main, _ = _queues(synthesized.template_json(env, "Queue"))
    worker = only(synthesized.template_json(env, "Processing"), "AWS::Lambda::Function", "WorkerFunction")
    timeout = worker["Properties"]["Timeout"]
    assert main["VisibilityTimeout"] >= VISIBILITY_TIMEOUT_FACTOR * timeout
    assert main["VisibilityTimeout"] == CONFIGS[env].visibility_timeout_seconds


def _statements(template: dict) -> list[dict]:
    statements = []
    for policy in resources_of(template, "AWS::SQS::QueuePolicy").values():
        statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_only_the_video_bucket_of_this_account_may_send(synthesized, env):
    statements = _statements(synthesized.template_json(env, "Queue"))
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "s3.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = allow["Condition"]["ArnLike"]["aws:SourceArn"]
    # The same deterministic name the storage stack gives the bucket.
    storage_bucket = next(
        v
        for k, v in resources_of(synthesized.template_json(env, "Storage"), "AWS::S3::Bucket").items()
        if "Videos" in k
    )
    bucket_name = render(storage_bucket["Properties"]["BucketName"])
    assert bucket_name == f"lifestream-{env}-videos-${{AWS::AccountId}}"
    assert render(source_arn) == f"arn:${{AWS::Partition}}:s3:::{bucket_name}"


def test_plain_http_is_denied_on_both_queues(synthesized, env):
    denies = [s for s in _statements(synthesized.template_json(env, "Queue")) if s["Effect"] == "Deny"]
    assert len(denies) == 2
    assert all(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_queue_stack_does_not_depend_on_the_bucket_stack(synthesized, env):
    # The cycle of aws-cdk#11245 would show up as a reference from the queue stack to the storage stack.
    assert "Storage" not in str(synthesized.template_json(env, "Queue"))
    stacks = synthesized.stacks[env]
    assert stacks.queue in stacks.storage.dependencies
    assert stacks.storage not in stacks.queue.dependencies
