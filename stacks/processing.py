"""The worker Lambda (SQS-triggered) and the deploy-time migration trigger, which share one asset and the
worker's security group."""

from __future__ import annotations

from aws_cdk import Duration, Size, triggers
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lifestream.core.constants import RESULTS_PREFIX, STATE_PREFIX, UPLOAD_PREFIX, ResourceNames
from stacks.audit import accept_service_key_logs, acknowledge_vpc_function, checkov_skip
from stacks.bundling import LAMBDA_RUNTIME, worker_code
from stacks.config import EnvConfig
from stacks.library_function import (
    ENVIRONMENT_HOLDS_NO_SECRETS,
    IN_PLACE,
    LibraryFunction,
    job_store_environment,
)

SERVICE_NAME = "lifestream-worker"
MIGRATION_TIMEOUT = Duration.minutes(5)

# Exactly the S3 actions the worker's code calls (lifestream/worker, lifestream/storage/s3_service.py).
WORKER_S3_ACTIONS: dict[str, tuple[str, ...]] = {
    # head_object + download_file of the video and its sidecar subtitles; the event's version id.
    # An upload whose job failed for good is tagged (its version when the event named one), so the
    # bucket's lifecycle expires it and keeps every other.
    UPLOAD_PREFIX: ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    # upload_file (multipart above 64 MB, aborted on failure), then head_object of what was written;
    # DeleteObjects when a new version of a key replaces the old version's results, or an event is
    # superseded (delete markers only, as on state/).
    RESULTS_PREFIX: ("s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", "s3:DeleteObject"),
    # S3Checkpoint: get/put JSON, upload/download keyframes, DeleteObjects on clear (delete markers
    # only: the bucket's noncurrent-version rule removes the old versions, not the worker).
    STATE_PREFIX: ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"),
}
# ListObjectsV2 of state/<video>/; it also makes a missing sidecar a 404 instead of a 403. A condition on
# s3:prefix would not do: HeadObject requests carry no prefix, so the 404 would turn back into a 403.
WORKER_BUCKET_ACTIONS = ("s3:ListBucket",)


class Worker(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        names: ResourceNames,
        vpc: ec2.IVpc,
        bucket_name: str,
        queue: sqs.IQueue,
        dlq: sqs.IQueue,
        database_secret: secretsmanager.ISecret,
        database_security_group: ec2.ISecurityGroup,
        database_port: int,
    ) -> None:
        super().__init__(scope, construct_id)

        runtime = LAMBDA_RUNTIME
        code = worker_code(runtime)
        self.library = LibraryFunction(
            self,
            IN_PLACE,
            config=config,
            names=names,
            vpc=vpc,
            bucket_name=bucket_name,
            database_secret=database_secret,
            database_security_group=database_security_group,
            database_port=database_port,
            who="worker",
            security_group_description=f"LifeStream {config.name} worker and migrations",
            function_name=names.worker_function,
            description=f"LifeStream {config.name}: turns an uploaded video into a diary entry",
            runtime=runtime,
            code=code,
            handler="worker.handler",
            memory_size=config.worker_memory_mb,
            timeout=Duration.seconds(config.worker_timeout_seconds),
            ephemeral_storage_size=Size.mebibytes(config.worker_ephemeral_mb),
            reserved_concurrent_executions=config.worker_reservation,
            environment={
                "POWERTOOLS_LOG_LEVEL": "INFO",
                "LIFESTREAM_QUEUE_URL": queue.queue_url,
                "LIFESTREAM_DLQ_URL": dlq.queue_url,
                # A claim older than one invocation belongs to a worker that died mid-job.
                "LIFESTREAM_WORKER_STALE_CLAIM_SECONDS": str(config.worker_timeout_seconds),
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            },
            events=[
                sources.SqsEventSource(
                    queue,
                    batch_size=config.sqs_batch_size,
                    max_concurrency=config.sqs_max_concurrency,
                    report_batch_item_failures=True,
                )
            ],
            s3_objects=WORKER_S3_ACTIONS,
            s3_bucket=WORKER_BUCKET_ACTIONS,
            s3_wildcards={
                UPLOAD_PREFIX: "read any uploaded video",
                RESULTS_PREFIX: "write any video's results",
                STATE_PREFIX: "keep any video's resumable state",
            },
            s3_keys="keys are not known in advance.",
        )
        self.function = self.library.function
        queue.grant_consume_messages(self.function)
        # Continuation messages: a long video is resumed by a fresh invocation.
        queue.grant_send_messages(self.function)

        self.migration_log_group = logs.LogGroup(
            self, "MigrationLogs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        # Runs on every deploy whose asset changed, after the database and its ingress rule exist;
        # a failed migration fails the deployment (and rolls it back) before workers see a new schema.
        self.migration = triggers.TriggerFunction(
            self,
            "Migrate",
            description=f"LifeStream {config.name}: applies job-store migrations at deploy time",
            runtime=runtime,
            code=code,
            handler="migrate.handler",
            memory_size=512,
            timeout=MIGRATION_TIMEOUT,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[self.library.security_group],
            log_group=self.migration_log_group,
            environment={
                **job_store_environment(config, database_secret),
                "POWERTOOLS_LOG_LEVEL": "INFO",
                "POWERTOOLS_SERVICE_NAME": "lifestream-migrate",
            },
            execute_after=[self.library.database_ingress],
            execute_on_handler_change=True,
        )
        database_secret.grant_read(self.migration)
        # The worker (and its SQS event source) only after the migrations: otherwise a message could reach a
        # worker before the schema does. The API stack is deployed after this whole stack.
        self.function.node.add_dependency(self.migration.trigger)

        self._checkov_skips(config)
        acknowledge_vpc_function(self.migration)

    def _checkov_skips(self, config: EnvConfig) -> None:
        for group in (self.library.log_group, self.migration_log_group):
            accept_service_key_logs(group)
        checkov_skip(self.migration, "CKV_AWS_173", ENVIRONMENT_HOLDS_NO_SECRETS)
        checkov_skip(
            self.function,
            "CKV_AWS_116",
            "Invoked by an SQS event source mapping, never asynchronously: failed messages go to the "
            "queue's own DLQ through its redrive policy (maxReceiveCount), where the DLQ alarm watches.",
        )
        checkov_skip(
            self.migration,
            "CKV_AWS_116",
            "Invoked synchronously (RequestResponse) by the deploy trigger: a failure fails the deployment; "
            "a DLQ only serves asynchronous invocations.",
        )
        checkov_skip(
            self.migration,
            "CKV_AWS_115",
            "Runs once per deploy, called by CloudFormation; reserving concurrency would take from the "
            "account's unreserved minimum, which new accounts cannot go below.",
        )
        if config.worker_reservation is None:
            checkov_skip(
                self.function,
                "CKV_AWS_115",
                f"{config.name}: no reservation, since new accounts cannot reserve below their unreserved "
                "minimum of 10; the SQS event source's max concurrency caps the worker instead.",
            )
