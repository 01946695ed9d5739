"""The worker Lambda and the migration trigger: runtime, asset, settings, event source, least privilege."""

from __future__ import annotations

import re
from pathlib import Path

import aws_cdk as cdk

from lifestream.core.constants import RESULTS_PREFIX, STATE_PREFIX, UPLOAD_PREFIX, ResourceNames
from lifestream.core.settings import Settings
from stacks.bundling import LAMBDA_RUNTIME, python_version_of
from stacks.config import CONFIGS
from tests.infra.conftest import only, render, resources_of


def _worker(synthesized, env) -> dict:
    return only(synthesized.template_json(env, "Processing"), "AWS::Lambda::Function", "WorkerFunction")


def _migrate(synthesized, env) -> dict:
    return only(synthesized.template_json(env, "Processing"), "AWS::Lambda::Function", "WorkerMigrate")


def test_runtime_is_pinned_python_3_13_as_the_locks_and_the_bundler(synthesized, env):
    for function in (_worker(synthesized, env), _migrate(synthesized, env)):
        assert function["Properties"]["Runtime"] == "python3.13" == LAMBDA_RUNTIME.name
    assert python_version_of(LAMBDA_RUNTIME) == "3.13"


def test_no_function_follows_the_cdks_latest_runtime():
    """A CDK upgrade moves Runtime.determine_latest_python_runtime(); the locks are made for one Python."""
    stacks_dir = Path(__file__).resolve().parents[2] / "stacks"
    following = [p.name for p in stacks_dir.glob("*.py") if "determine_latest_python_runtime(" in p.read_text()]
    assert not following, following


def test_worker_and_migrations_share_one_asset(synthesized, env):
    keys = {
        render(f["Properties"]["Code"]["S3Key"])
        for f in (_worker(synthesized, env), _migrate(synthesized, env))
    }
    assert len(keys) == 1
    assert _worker(synthesized, env)["Properties"]["Handler"] == "worker.handler"
    assert _migrate(synthesized, env)["Properties"]["Handler"] == "migrate.handler"


def test_worker_sizing_follows_the_environment(synthesized, env):
    props = _worker(synthesized, env)["Properties"]
    config = CONFIGS[env]
    assert props["FunctionName"] == ResourceNames(env=env, account="x").worker_function
    assert props["MemorySize"] == config.worker_memory_mb
    assert props["Timeout"] == config.worker_timeout_seconds <= 900
    assert props["EphemeralStorage"] == {"Size": config.worker_ephemeral_mb}
    assert props.get("ReservedConcurrentExecutions") == config.worker_reservation
    # The bundler installs x86_64 manylinux wheels.
    assert props["Architectures"] == ["x86_64"]


def test_worker_egress_is_https_and_the_database_only(synthesized, env):
    template = synthesized.template_json(env, "Processing")
    group = only(template, "AWS::EC2::SecurityGroup", "WorkerSecurityGroup")["Properties"]
    egress = group["SecurityGroupEgress"]
    https = [r for r in egress if r.get("CidrIp")]
    database = [r for r in egress if not r.get("CidrIp")]
    assert [(r["CidrIp"], r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in https] == [
        ("0.0.0.0/0", "tcp", 443, 443)
    ]
    (to_db,) = database
    assert (to_db["IpProtocol"], to_db["FromPort"], to_db["ToPort"]) == ("tcp", 5432, 5432)
    assert "DatabaseSecurityGroup" in str(to_db["DestinationSecurityGroupId"])


def test_worker_environment_is_what_the_runtime_settings_read(synthesized, env):
    variables = _worker(synthesized, env)["Properties"]["Environment"]["Variables"]
    config = CONFIGS[env]
    expected = {
        "LIFESTREAM_ENV": env,
        "LIFESTREAM_VECTOR_STORE": "pinecone",
        "LIFESTREAM_EMBEDDING_PROVIDER": "openai",
        "LIFESTREAM_PINECONE_INDEX": ResourceNames(env=env, account="x").pinecone_index,
        "LIFESTREAM_PINECONE_API_KEY_SECRET": config.pinecone_api_key_secret,
        "LIFESTREAM_OPENAI_API_KEY_SECRET": config.openai_api_key_secret,
        "LIFESTREAM_MAX_VIDEO_BYTES": str(config.max_video_bytes),
        "LIFESTREAM_TIMEZONE": config.timezone,
        "LIFESTREAM_WORKER_STALE_CLAIM_SECONDS": str(config.worker_timeout_seconds),
        "LIFESTREAM_DATA_DIR": "/tmp/lifestream",
        "HOME": "/tmp",
        "POWERTOOLS_SERVICE_NAME": "lifestream-worker",
    }
    assert {k: variables.get(k) for k in expected} == expected
    for name in (
        "LIFESTREAM_BUCKET",
        "LIFESTREAM_QUEUE_URL",
        "LIFESTREAM_DLQ_URL",
        "LIFESTREAM_DATABASE_SECRET",
    ):
        assert variables.get(name), name
    assert "POWERTOOLS_LOG_LEVEL" in variables
    assert variables["LIFESTREAM_AWS_REGION"] == {"Ref": "AWS::Region"}
    # Every LIFESTREAM_* variable must be a real setting, or the runtime would silently ignore it.
    fields = set(Settings.model_fields)
    for name in variables:
        if name.startswith("LIFESTREAM_"):
            assert name.removeprefix("LIFESTREAM_").lower() in fields, name
    # The zone must be one the runtime's settings accept (zoneinfo, from tzdata in the asset).
    assert Settings(timezone=variables["LIFESTREAM_TIMEZONE"]).timezone == config.timezone
    # The video must fit on /tmp.
    assert int(variables["LIFESTREAM_MAX_VIDEO_BYTES"]) < config.worker_ephemeral_mb * 1024 * 1024


def test_no_secret_values_in_environment_variables(synthesized, env):
    for function in (_worker(synthesized, env), _migrate(synthesized, env)):
        variables = function["Properties"]["Environment"]["Variables"]
        for name, value in variables.items():
            assert not (name.endswith("_API_KEY") or name.endswith("PASSWORD")), name
            assert not re.search(r"\bsk-[A-Za-z0-9]", str(value)), name


def test_worker_consumes_the_queue_reporting_partial_failures(synthesized, env):
    mapping = only(synthesized.template_json(env, "Processing"), "AWS::Lambda::EventSourceMapping")[
        "Properties"
    ]
    config = CONFIGS[env]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == config.sqs_batch_size
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": config.sqs_max_concurrency}
    assert "ProcessingQueue" in str(mapping["EventSourceArn"])


def test_functions_run_in_the_private_subnets_with_the_worker_security_group(synthesized, env):
    for function in (_worker(synthesized, env), _migrate(synthesized, env)):
        vpc = function["Properties"]["VpcConfig"]
        assert vpc["SecurityGroupIds"] == [{"Fn::GetAtt": ["WorkerSecurityGroup431FFF64", "GroupId"]}]
        assert len(vpc["SubnetIds"]) == CONFIGS[env].max_azs
        assert all("privateSubnet" in str(subnet) for subnet in vpc["SubnetIds"])


def test_log_groups_have_retention(synthesized, env):
    template = synthesized.template_json(env, "Processing")
    groups = resources_of(template, "AWS::Logs::LogGroup")
    assert len(groups) == 2
    days = {"dev": 14, "staging": 30, "prod": 90}[env]
    assert all(g["Properties"]["RetentionInDays"] == days for g in groups.values())
    worker_logs = _worker(synthesized, env)["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert worker_logs in groups


def _worker_statements(synthesized, env) -> list[dict]:
    template = synthesized.template_json(env, "Processing")
    policy = next(
        v for k, v in resources_of(template, "AWS::IAM::Policy").items() if k.startswith("WorkerFunction")
    )
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _resources(statement: dict) -> list[str]:
    resources = statement["Resource"]
    return [render(r) for r in (resources if isinstance(resources, list) else [resources])]


def _bucket_permissions(synthesized, env) -> dict[str, set[str]]:
    """Effective S3 actions per resource (prefix, or "" for the bucket itself), across statements."""
    bucket_arn = f"arn:${{AWS::Partition}}:s3:::lifestream-{env}-videos-${{AWS::AccountId}}"
    found: dict[str, set[str]] = {}
    for statement in _worker_statements(synthesized, env):
        assert statement["Effect"] == "Allow"
        for resource in _resources(statement):
            if resource == bucket_arn or resource.startswith(bucket_arn + "/"):
                prefix = resource.removeprefix(bucket_arn).removeprefix("/")
                found.setdefault(prefix, set()).update(_actions(statement))
    return found


def test_worker_has_exactly_the_s3_actions_its_code_calls(synthesized, env):
    assert _bucket_permissions(synthesized, env) == {
        # read the upload; tag it when its job failed for good (the lifecycle then expires it)
        f"{UPLOAD_PREFIX}*": {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"},
        f"{RESULTS_PREFIX}*": {"s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", "s3:DeleteObject"},
        f"{STATE_PREFIX}*": {"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"},
        "": {"s3:ListBucket"},
    }


def test_worker_cannot_lock_retain_or_purge_versions(synthesized, env):
    # Object lock and version deletion would let a compromised worker make results undeletable or
    # destroy their history; neither is ever called, so no wildcard may imply them either.
    for statement in _worker_statements(synthesized, env):
        for action in _actions(statement):
            if action.startswith("s3:"):
                assert "*" not in action, action
                assert action not in {
                    "s3:PutObjectLegalHold",
                    "s3:PutObjectRetention",
                    "s3:DeleteObjectVersion",
                    "s3:BypassGovernanceRetention",
                }, action


def test_worker_reads_uploads_and_writes_only_results_and_state(synthesized, env):
    permissions = _bucket_permissions(synthesized, env)
    writable = {p for p, actions in permissions.items() if actions & {"s3:PutObject", "s3:DeleteObject"}}
    assert writable == {f"{RESULTS_PREFIX}*", f"{STATE_PREFIX}*"}
    assert "s3:DeleteObject" not in permissions[f"{UPLOAD_PREFIX}*"]


def test_functions_verify_the_database_certificate_against_the_shipped_rds_bundle(synthesized, env):
    from stacks.bundling import RDS_CA_BUNDLE_NAME

    for function in (_worker(synthesized, env), _migrate(synthesized, env)):
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["LIFESTREAM_DATABASE_SSLMODE"] == "verify-full"
        assert variables["LIFESTREAM_DATABASE_SSLROOTCERT"] == f"/var/task/{RDS_CA_BUNDLE_NAME}"
    settings = Settings(
        database_sslmode=variables["LIFESTREAM_DATABASE_SSLMODE"],
        database_sslrootcert=variables["LIFESTREAM_DATABASE_SSLROOTCERT"],
    )
    assert str(settings.database_sslrootcert) == f"/var/task/{RDS_CA_BUNDLE_NAME}"


def test_worker_consumes_and_sends_to_the_queue_and_reads_its_secrets(synthesized, env):
    statements = _worker_statements(synthesized, env)
    sqs = next(s for s in statements if "sqs:ReceiveMessage" in _actions(s))
    assert {"sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:SendMessage"} <= _actions(sqs)
    assert "ProcessingQueue" in str(sqs["Resource"])
    secrets = next(s for s in statements if "secretsmanager:GetSecretValue" in _actions(s))
    resources = " ".join(_resources(secrets))
    config = CONFIGS[env]
    assert "DatabasePostgresSecretAttachment" in resources or "DatabaseCredentials" in resources
    assert f":secret:{config.openai_api_key_secret}-??????" in resources
    assert f":secret:{config.pinecone_api_key_secret}-??????" in resources
    # Nothing broader than needed.
    assert not any(r == "*" for s in statements for r in _resources(s))


def test_migrations_run_at_deploy_time_after_the_database_is_reachable(synthesized, env):
    template = synthesized.template_json(env, "Processing")
    trigger = only(template, "Custom::Trigger")
    assert trigger["Properties"]["InvocationType"] == "RequestResponse"
    assert trigger["Properties"]["ExecuteOnHandlerChange"] is True
    ingress = next(iter(resources_of(template, "AWS::EC2::SecurityGroupIngress")))
    assert ingress in trigger["DependsOn"]
    variables = _migrate(synthesized, env)["Properties"]["Environment"]["Variables"]
    assert variables["LIFESTREAM_DATABASE_SECRET"]
    stacks = synthesized.stacks[env]
    assert stacks.database in stacks.processing.dependencies


def test_ssm_secure_string_references_are_granted_as_parameters():
    # GIVEN an environment whose API keys live in SSM SecureString parameters
    from dataclasses import replace

    from aws_cdk import aws_ec2 as ec2
    from aws_cdk import aws_secretsmanager as sm
    from aws_cdk import aws_sqs as sqs_
    from aws_cdk.assertions import Template

    from stacks.processing import Worker

    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = cdk.Stack(app, "Probe")
    config = replace(CONFIGS["dev"], openai_api_key_secret="ssm:/lifestream/dev/openai")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    queue = sqs_.Queue(stack, "Q")
    worker = Worker(
        stack,
        "Worker",
        config=config,
        names=ResourceNames(env="dev", account="123456789012"),
        vpc=vpc,
        bucket_name="probe-bucket",
        queue=queue,
        dlq=queue,
        database_secret=sm.Secret(stack, "S"),
        database_security_group=ec2.SecurityGroup(stack, "G", vpc=vpc),
        database_port=5432,
    )
    # WHEN synthesized
    template = Template.from_stack(stack).to_json()
    # THEN the variable keeps the ssm: reference and the role may read exactly that parameter
    function = template["Resources"][stack.get_logical_id(worker.function.node.default_child)]
    assert function["Properties"]["Environment"]["Variables"]["LIFESTREAM_OPENAI_API_KEY_SECRET"] == (
        "ssm:/lifestream/dev/openai"
    )
    policies = [
        v
        for k, v in template["Resources"].items()
        if v["Type"] == "AWS::IAM::Policy" and "WorkerFunction" in k
    ]
    statements = policies[0]["Properties"]["PolicyDocument"]["Statement"]
    ssm = [s for s in statements if "ssm:GetParameter" in _actions(s)]
    assert ssm and ":parameter/lifestream/dev/openai" in render(ssm[0]["Resource"])


def test_the_worker_and_its_event_source_wait_for_the_migrations(synthesized, env):
    """Only after the migration trigger ran may a message reach a worker (the API stack deploys after this
    one)."""
    template = synthesized.template_json(env, "Processing")
    (trigger,) = [k for k, v in template["Resources"].items() if v["Type"] == "Custom::Trigger"]
    worker = next(k for k, v in resources_of(template, "AWS::Lambda::Function").items() if k.startswith("WorkerFunction"))
    (mapping,) = resources_of(template, "AWS::Lambda::EventSourceMapping").values()
    assert trigger in template["Resources"][worker].get("DependsOn", [])
    assert trigger in mapping.get("DependsOn", [])


def test_the_pinecone_index_follows_the_stacks_region(synthesized, env):
    """Settings default to us-east-1 for local use: in the cloud the index is made beside the functions,
    unless the environment names a region Pinecone serves (EnvConfig.pinecone_region)."""
    for component, prefix in (("Processing", "WorkerFunction"), ("Api", "ApiFunction")):
        template = synthesized.template_json(env, component)
        function = next(v for k, v in resources_of(template, "AWS::Lambda::Function").items() if k.startswith(prefix))
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["LIFESTREAM_PINECONE_REGION"] == (CONFIGS[env].pinecone_region or {"Ref": "AWS::Region"})
