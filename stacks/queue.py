"""The processing queue and its dead-letter queue."""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lifestream.core.constants import DLQ_RETENTION_DAYS, ResourceNames
from stacks.audit import checkov_skip
from stacks.config import EnvConfig


class ProcessingQueue(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        names: ResourceNames,
        source_bucket_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)

        # SSE-SQS: S3 can publish to it; with the AWS-managed KMS key (KMS_MANAGED) S3 cannot.
        self.dlq = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=names.dlq,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(DLQ_RETENTION_DAYS),
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=names.queue,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            # A message stays invisible for several full worker attempts (AWS guidance: >= 6x timeout),
            # so a slow video is never handed to a second worker while the first is still on it.
            visibility_timeout=Duration.seconds(config.visibility_timeout_seconds),
            # As long as the DLQ keeps a message (a redrive puts it back here).
            retention_period=Duration.days(DLQ_RETENTION_DAYS),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dlq, max_receive_count=config.max_receive_count),
        )
        # Only the video bucket, in this account, may send. The bucket is referenced by its deterministic
        # ARN rather than by construct, so this stack does not depend on the storage stack
        # (see composition.py).
        self.queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowVideoBucketNotifications",
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.queue.queue_arn],
                conditions={
                    "ArnLike": {"aws:SourceArn": source_bucket_arn},
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                },
            )
        )
        for queue in (self.queue, self.dlq):
            checkov_skip(
                queue,
                "CKV_AWS_27",
                "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled), which checkov does not recognise; "
                "not a KMS key on purpose: S3 notifications cannot use alias/aws/sqs.",
            )
