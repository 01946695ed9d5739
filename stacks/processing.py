"""The worker Lambda (SQS-triggered) and the deploy-time migration trigger, sharing one asset and one
security group — the only one the database admits."""

from __future__ import annotations

from aws_cdk import Aws, Duration, Size, triggers
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from lifestream.core.constants import RESULTS_PREFIX, STATE_PREFIX, UPLOAD_PREFIX, ResourceNames
from lifestream.core.secrets import SSM_PREFIX
from stacks.audit import acknowledge, acknowledge_vpc_function, checkov_skip
from stacks.bundling import LAMBDA_TASK_ROOT, RDS_CA_BUNDLE_NAME, worker_code
from stacks.config import EnvConfig

SERVICE_NAME = "lifestream-worker"
DATA_DIR = "/tmp/lifestream"
MIGRATION_TIMEOUT = Duration.minutes(5)


def secret_reference(scope: Construct, construct_id: str, ref: str) -> tuple[str, iam.IGrantable | None]:
    """Resolve a configured secret reference to (value for the env var, construct that can grant read)."""
    if ref.startswith(SSM_PREFIX):
        name = ref.removeprefix(SSM_PREFIX)
        return ref, ssm.StringParameter.from_secure_string_parameter_attributes(
            scope, construct_id, parameter_name=name
        )
    if ref.startswith("arn:"):
        return ref, secretsmanager.Secret.from_secret_complete_arn(scope, construct_id, ref)
    return ref, secretsmanager.Secret.from_secret_name_v2(scope, construct_id, ref)


def database_client_security_group(
    scope: Construct,
    *,
    vpc: ec2.IVpc,
    description: str,
    database_security_group: ec2.ISecurityGroup,
    database_port: int,
    ingress_description: str,
) -> tuple[ec2.SecurityGroup, ec2.CfnSecurityGroupIngress]:
    """A function's security group: HTTPS out and PostgreSQL to the database, which admits it in turn.

    Created as `scope/SecurityGroup` and `scope/DatabaseIngress`. The ingress rule is owned by the
    caller's stack: the database stack must not depend on the stacks of its clients.
    """
    group = ec2.SecurityGroup(
        scope, "SecurityGroup", vpc=vpc, description=description, allow_all_outbound=False
    )
    # S3 (gateway endpoint), SQS, Secrets Manager, OpenAI and Pinecone are all HTTPS; the database is
    # the only other destination. DNS uses the VPC resolver, which security groups do not filter.
    group.add_egress_rule(
        ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs and model/vector services"
    )
    group.add_egress_rule(
        ec2.Peer.security_group_id(database_security_group.security_group_id),
        ec2.Port.tcp(database_port),
        "PostgreSQL job store",
    )
    ingress = ec2.CfnSecurityGroupIngress(
        scope,
        "DatabaseIngress",
        group_id=database_security_group.security_group_id,
        source_security_group_id=group.security_group_id,
        ip_protocol="tcp",
        from_port=database_port,
        to_port=database_port,
        description=ingress_description,
    )
    return group, ingress


def job_store_environment(config: EnvConfig, database_secret: secretsmanager.ISecret) -> dict[str, str]:
    """What every function that opens the job store (PostgreSQL over verified TLS) reads."""
    return {
        "LIFESTREAM_ENV": config.name,
        # Settings default to us-east-1 for local use; in the cloud, talk to this stack's region.
        "LIFESTREAM_AWS_REGION": Aws.REGION,
        "LIFESTREAM_DATABASE_SECRET": database_secret.secret_arn,
        "LIFESTREAM_DATA_DIR": DATA_DIR,
        # The server certificate is checked against the RDS CA bundle the asset ships, host name included.
        "LIFESTREAM_DATABASE_SSLMODE": "verify-full",
        "LIFESTREAM_DATABASE_SSLROOTCERT": f"{LAMBDA_TASK_ROOT}/{RDS_CA_BUNDLE_NAME}",
        # Only /tmp is writable in Lambda; libraries that cache under ~ must find it there.
        "HOME": "/tmp",
    }


def library_environment(
    config: EnvConfig, names: ResourceNames, *, bucket_name: str, openai_ref: str, pinecone_ref: str
) -> dict[str, str]:
    """What the library needs to reach the videos, the vectors and the models in the cloud."""
    return {
        "LIFESTREAM_BUCKET": bucket_name,
        "LIFESTREAM_VECTOR_STORE": "pinecone",
        "LIFESTREAM_PINECONE_INDEX": names.pinecone_index,
        "LIFESTREAM_PINECONE_API_KEY_SECRET": pinecone_ref,
        "LIFESTREAM_EMBEDDING_PROVIDER": "openai",
        "LIFESTREAM_OPENAI_API_KEY_SECRET": openai_ref,
        "LIFESTREAM_MAX_VIDEO_BYTES": str(config.max_video_bytes),
        "LIFESTREAM_TIMEZONE": config.timezone,
    }


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

        # By name, not by construct: the bucket's name is deterministic (ResourceNames), and grants on an
        # imported bucket render auditable ARNs instead of cross-stack tokens.
        bucket = s3.Bucket.from_bucket_name(self, "Videos", bucket_name)
        runtime = lambda_.Runtime.determine_latest_python_runtime(self)
        code = worker_code(runtime)
        private_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

        self.security_group, self.database_ingress = database_client_security_group(
            self,
            vpc=vpc,
            description=f"LifeStream {config.name} worker and migrations",
            database_security_group=database_security_group,
            database_port=database_port,
            ingress_description="PostgreSQL from the LifeStream worker",
        )

        openai_ref, openai_secret = secret_reference(self, "OpenAiKey", config.openai_api_key_secret)
        pinecone_ref, pinecone_secret = secret_reference(self, "PineconeKey", config.pinecone_api_key_secret)

        common_env = {**job_store_environment(config, database_secret), "POWERTOOLS_LOG_LEVEL": "INFO"}

        self.log_group = logs.LogGroup(
            self, "Logs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=names.worker_function,
            description=f"LifeStream {config.name}: turns an uploaded video into a diary entry",
            runtime=runtime,
            architecture=lambda_.Architecture.X86_64,
            code=code,
            handler="worker.handler",
            memory_size=config.worker_memory_mb,
            timeout=Duration.seconds(config.worker_timeout_seconds),
            ephemeral_storage_size=Size.mebibytes(config.worker_ephemeral_mb),
            reserved_concurrent_executions=config.worker_reserved_concurrency,
            vpc=vpc,
            vpc_subnets=private_subnets,
            security_groups=[self.security_group],
            log_group=self.log_group,
            environment={
                **common_env,
                **library_environment(
                    config,
                    names,
                    bucket_name=bucket.bucket_name,
                    openai_ref=openai_ref,
                    pinecone_ref=pinecone_ref,
                ),
                "LIFESTREAM_QUEUE_URL": queue.queue_url,
                "LIFESTREAM_DLQ_URL": dlq.queue_url,
                # A claim older than one invocation belongs to a worker that died mid-job.
                "LIFESTREAM_WORKER_STALE_CLAIM_SECONDS": str(config.worker_timeout_seconds),
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            },
        )
        self.function.add_event_source(
            sources.SqsEventSource(
                queue,
                batch_size=config.sqs_batch_size,
                max_concurrency=config.sqs_max_concurrency,
                report_batch_item_failures=True,
            )
        )

        for statement in worker_s3_statements(bucket):
            self.function.add_to_role_policy(statement)
        queue.grant_consume_messages(self.function)
        # Continuation messages: a long video is resumed by a fresh invocation.
        queue.grant_send_messages(self.function)
        database_secret.grant_read(self.function)
        for secret in (openai_secret, pinecone_secret):
            secret.grant_read(self.function)  # type: ignore[union-attr]

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
            vpc_subnets=private_subnets,
            security_groups=[self.security_group],
            log_group=self.migration_log_group,
            environment={**common_env, "POWERTOOLS_SERVICE_NAME": "lifestream-migrate"},
            execute_after=[self.database_ingress],
            execute_on_handler_change=True,
        )
        database_secret.grant_read(self.migration)

        self._checkov_skips(config)
        self._acknowledge(bucket_arn_rendered=nag_rendering(bucket.bucket_arn, scope=self))

    def _checkov_skips(self, config: EnvConfig) -> None:
        for group in (self.log_group, self.migration_log_group):
            checkov_skip(
                group,
                "CKV_AWS_158",
                "CloudWatch Logs encrypts every log group at rest with a service-owned key; a CMK per group would add a key policy for logs.<region> and a monthly key cost for logs that hold no secrets.",
            )
        for function in (self.function, self.migration):
            checkov_skip(
                function,
                "CKV_AWS_173",
                "The variables hold names, ARNs and limits, never secret values (those are read from "
                "Secrets Manager at run time); Lambda encrypts them at rest with its service key.",
            )
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
        if config.worker_reserved_concurrency is None:
            checkov_skip(
                self.function,
                "CKV_AWS_115",
                f"{config.name}: no reservation, since new accounts cannot reserve below their unreserved "
                "minimum of 10; the SQS event source's max concurrency caps the worker instead.",
            )

    def _acknowledge(self, *, bucket_arn_rendered: str) -> None:
        for function in (self.function, self.migration):
            acknowledge_vpc_function(function)
        policy = self.function.role.node.find_child("DefaultPolicy")  # type: ignore[union-attr]
        for prefix, why in (
            (UPLOAD_PREFIX, "read any uploaded video"),
            (RESULTS_PREFIX, "write any video's results"),
            (STATE_PREFIX, "keep any video's resumable state"),
        ):
            acknowledge(
                policy,
                f"AwsSolutions-IAM5[Resource::{bucket_arn_rendered}/{prefix}*]",
                f"Scoped to the {prefix} prefix: the worker must {why}; keys are not known in advance.",
            )


# Exactly the S3 actions the worker's code calls (lifestream/worker, lifestream/storage/s3_service.py),
# instead of grant_read_write's families, which would add object-lock (PutObjectLegalHold/Retention),
# version deletion and tagging on results/ and state/.
WORKER_S3_ACTIONS: dict[str, tuple[str, ...]] = {
    # head_object + download_file of the video and its sidecar subtitles; the event's version id.
    UPLOAD_PREFIX: ("s3:GetObject", "s3:GetObjectVersion"),
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


def worker_s3_statements(bucket: s3.IBucket) -> list[iam.PolicyStatement]:
    statements = [
        iam.PolicyStatement(actions=list(actions), resources=[bucket.arn_for_objects(f"{prefix}*")])
        for prefix, actions in WORKER_S3_ACTIONS.items()
    ]
    statements.append(iam.PolicyStatement(actions=list(WORKER_BUCKET_ACTIONS), resources=[bucket.bucket_arn]))
    return statements


def nag_rendering(value: str, *, scope: Construct) -> str:
    """How cdk-nag prints a resolved value in finding ids: pseudo parameters as <AWS::Name>."""
    from aws_cdk import Stack

    resolved = Stack.of(scope).resolve(value)
    if isinstance(resolved, str):
        return resolved
    parts = resolved["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else f"<{p['Ref']}>" for p in parts)
