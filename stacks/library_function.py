"""A Lambda function that runs the lifestream library: in the VPC's private subnets with its own security
group (admitted by the database), the job store and the library configured through its environment, and
read access to the secrets that configuration names. The API and the worker are two of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Aws, Duration, Size
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from lifestream.core.constants import ResourceNames
from lifestream.core.secrets import SSM_PREFIX
from stacks.audit import acknowledge, acknowledge_vpc_function, checkov_skip, nag_rendering
from stacks.bundling import LAMBDA_TASK_ROOT, RDS_CA_BUNDLE_NAME
from stacks.config import EnvConfig

DATA_DIR = "/tmp/lifestream"
# The id for a LibraryFunction that makes what its parent used to make itself: CDK leaves "Default" out of
# the paths it turns into logical ids, so those resources keep theirs and a deploy does not replace them.
IN_PLACE = "Default"
ENVIRONMENT_HOLDS_NO_SECRETS = (
    "The variables hold names, ARNs and limits, never secret values (those are read from "
    "Secrets Manager at run time); Lambda encrypts them at rest with its service key."
)


class LibraryFunction(Construct):
    """Everything a function that runs the library needs; the caller adds only its own triggers, grants
    and audit reasons."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        names: ResourceNames,
        vpc: ec2.IVpc,
        bucket_name: str,
        database_secret: secretsmanager.ISecret,
        database_security_group: ec2.ISecurityGroup,
        database_port: int,
        who: str,
        security_group_description: str,
        function_name: str,
        description: str,
        runtime: lambda_.Runtime,
        code: lambda_.Code,
        handler: str,
        memory_size: int,
        timeout: Duration,
        reserved_concurrent_executions: int | None,
        ephemeral_storage_size: Size | None = None,
        environment: Mapping[str, str],
        events: Sequence[lambda_.IEventSource] = (),
        s3_objects: Mapping[str, Sequence[str]],
        s3_bucket: Sequence[str],
        s3_wildcards: Mapping[str, str],
        s3_keys: str,
    ) -> None:
        """`who` names the function in its database ingress rule and audit reasons. `s3_objects` maps a key
        prefix to the S3 actions the function may call on every key under it, and `s3_bucket` lists those
        on the bucket itself; for cdk-nag's wildcard finding, `s3_wildcards` says per prefix what the
        function must do with any key there, and `s3_keys` why those keys cannot be named."""
        super().__init__(scope, construct_id)

        # By name, not by construct: the bucket's name is deterministic (ResourceNames), and grants on an
        # imported bucket render auditable ARNs instead of cross-stack tokens.
        self.bucket = s3.Bucket.from_bucket_name(self, "Videos", bucket_name)
        self.security_group, self.database_ingress = database_client_security_group(
            self,
            vpc=vpc,
            description=security_group_description,
            database_security_group=database_security_group,
            database_port=database_port,
            ingress_description=f"PostgreSQL from the LifeStream {who}",
        )
        openai_ref, openai_secret = secret_reference(self, "OpenAiKey", config.openai_api_key_secret)
        pinecone_ref, pinecone_secret = secret_reference(self, "PineconeKey", config.pinecone_api_key_secret)

        self.log_group = logs.LogGroup(
            self, "Logs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=description,
            runtime=runtime,
            architecture=lambda_.Architecture.X86_64,
            code=code,
            handler=handler,
            memory_size=memory_size,
            timeout=timeout,
            ephemeral_storage_size=ephemeral_storage_size,
            reserved_concurrent_executions=reserved_concurrent_executions,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[self.security_group],
            log_group=self.log_group,
            environment={
                **job_store_environment(config, database_secret),
                **library_environment(
                    config,
                    names,
                    bucket_name=self.bucket.bucket_name,
                    openai_ref=openai_ref,
                    pinecone_ref=pinecone_ref,
                ),
                **environment,
            },
            events=list(events),
        )

        for statement in s3_statements(self.bucket, objects=s3_objects, bucket_actions=s3_bucket):
            self.function.add_to_role_policy(statement)
        database_secret.grant_read(self.function)
        # The library embeds with OpenAI and keeps its vectors in Pinecone, in every function.
        for secret in (openai_secret, pinecone_secret):
            secret.grant_read(self.function)  # type: ignore[union-attr]

        checkov_skip(self.function, "CKV_AWS_173", ENVIRONMENT_HOLDS_NO_SECRETS)
        acknowledge_vpc_function(self.function)
        policy = self.function.role.node.find_child("DefaultPolicy")  # type: ignore[union-attr]
        bucket_arn = nag_rendering(self.bucket.bucket_arn, scope=self)
        for prefix, must in s3_wildcards.items():
            acknowledge(
                policy,
                f"AwsSolutions-IAM5[Resource::{bucket_arn}/{prefix}*]",
                f"Scoped to the {prefix} prefix: the {who} must {must}; {s3_keys}",
            )


def s3_statements(
    bucket: s3.IBucket, *, objects: Mapping[str, Sequence[str]], bucket_actions: Sequence[str]
) -> list[iam.PolicyStatement]:
    """Exactly the actions a function's code calls, per key prefix: the bucket's grant_* methods would
    grant whole families (object lock with PutObjectLegalHold/Retention, tagging, version deletion)."""
    statements = [
        iam.PolicyStatement(actions=list(actions), resources=[bucket.arn_for_objects(f"{prefix}*")])
        for prefix, actions in objects.items()
    ]
    statements.append(iam.PolicyStatement(actions=list(bucket_actions), resources=[bucket.bucket_arn]))
    return statements


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
        # The library defaults to us-east-1 for local use; in the cloud the index follows the stack.
        "LIFESTREAM_PINECONE_REGION": config.pinecone_region or Aws.REGION,
        "LIFESTREAM_EMBEDDING_PROVIDER": "openai",
        "LIFESTREAM_OPENAI_API_KEY_SECRET": openai_ref,
        "LIFESTREAM_MAX_VIDEO_BYTES": str(config.max_video_bytes),
        "LIFESTREAM_TIMEZONE": config.timezone,
        # The same per-user limits for the API (rates, upload quotas) and the worker (processing quota).
        **config.limits_environment(),
    }
