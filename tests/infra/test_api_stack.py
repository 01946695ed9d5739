"""The HTTP API: the JWT authorizer on every route but health, the Lambda integration, CORS, throttling,
encrypted access logs, and the API function (its own slim asset, in the VPC, least privilege)."""

from __future__ import annotations

import importlib.util
import json

import pytest
from aws_cdk.assertions import Match

from lifestream.core.constants import API_SCOPE, RESULTS_PREFIX, STATE_PREFIX, UPLOAD_PREFIX, ResourceNames
from lifestream.core.settings import Settings
from stacks.config import CONFIGS
from tests.infra.conftest import only, render, resources_of

HEALTH = "GET /api/health"
PROXY_ROUTES = {f"{m} /api/{{proxy+}}" for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")}


def _template(synthesized, env) -> dict:
    return synthesized.template_json(env, "Api")


def _function(synthesized, env) -> dict:
    return only(_template(synthesized, env), "AWS::Lambda::Function", "ApiFunction")


def _routes(synthesized, env) -> dict[str, dict]:
    routes = resources_of(_template(synthesized, env), "AWS::ApiGatewayV2::Route").values()
    return {r["Properties"]["RouteKey"]: r["Properties"] for r in routes}


def test_every_route_but_health_requires_the_jwt_authorizer(synthesized, env):
    template = _template(synthesized, env)
    (authorizer_id,) = resources_of(template, "AWS::ApiGatewayV2::Authorizer")
    routes = _routes(synthesized, env)
    assert set(routes) == PROXY_ROUTES | {HEALTH}
    for key, route in routes.items():
        if key == HEALTH:
            assert route["AuthorizationType"] == "NONE"
            assert "AuthorizerId" not in route and "AuthorizationScopes" not in route
        else:
            assert route["AuthorizationType"] == "JWT", key
            assert route["AuthorizerId"] == {"Ref": authorizer_id}, key
            # An access token for this API: an ID token (its aud is the client too) has no scope.
            assert route["AuthorizationScopes"] == [API_SCOPE], key
    # No catch-all that a token-less request could fall through to.
    assert not any(k.startswith(("ANY ", "OPTIONS ")) or k == "$default" for k in routes)


def test_the_authorizer_trusts_only_this_environments_pool_and_client(synthesized, env):
    authorizer = only(_template(synthesized, env), "AWS::ApiGatewayV2::Authorizer")["Properties"]
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    jwt = authorizer["JwtConfiguration"]
    # The issuer is the pool's provider URL and the audience its browser client, both from the Auth stack.
    issuer, (audience,) = json.dumps(jwt["Issuer"]), jwt["Audience"]
    assert f"LifeStream-{env}-Auth" in issuer and "ProviderURL" in issuer
    assert f"LifeStream-{env}-Auth" in json.dumps(audience) and "WebClient" in json.dumps(audience)
    auth_outputs = synthesized.template_json(env, "Auth")["Outputs"]
    assert "ProviderURL" in json.dumps(auth_outputs) and any("WebClient" in k for k in auth_outputs)


def test_routes_reach_the_api_function_with_payload_2(synthesized, env):
    template = _template(synthesized, env)
    (integration_id, integration), *others = resources_of(template, "AWS::ApiGatewayV2::Integration").items()
    assert others == []
    props = integration["Properties"]
    assert props["IntegrationType"] == "AWS_PROXY" and props["PayloadFormatVersion"] == "2.0"
    function_id = next(
        k for k in resources_of(template, "AWS::Lambda::Function") if k.startswith("ApiFunction")
    )
    assert props["IntegrationUri"] == {"Fn::GetAtt": [function_id, "Arn"]}
    for route in _routes(synthesized, env).values():
        assert render(route["Target"]) == f"integrations/${{{integration_id}}}"
    # API Gateway may invoke the function, from this API only.
    for permission in resources_of(template, "AWS::Lambda::Permission").values():
        assert permission["Properties"]["Principal"] == "apigateway.amazonaws.com"
        assert f"LifeStream-{env}-Web" in render(permission["Properties"]["SourceArn"])
        assert "RefHttpApi" in render(permission["Properties"]["SourceArn"])


def test_cors_preflight_is_answered_by_the_gateway_for_the_web_origins(synthesized, env):
    # The API resource lives in the Web stack (CloudFront's /api/* origin); stage and routes stay here.
    synthesized.template(env, "Api").resource_count_is("AWS::ApiGatewayV2::Api", 0)
    synthesized.template(env, "Web").has_resource_properties(
        "AWS::ApiGatewayV2::Api",
        {
            "ProtocolType": "HTTP",
            "CorsConfiguration": Match.object_like(
                {
                    "AllowOrigins": list(CONFIGS[env].cors_origins),
                    "AllowHeaders": Match.array_with(["authorization", "content-type"]),
                    "AllowCredentials": False,
                }
            ),
        },
    )


def test_stage_throttles_and_logs_every_request(synthesized, env):
    template = _template(synthesized, env)
    stage = only(template, "AWS::ApiGatewayV2::Stage")["Properties"]
    config = CONFIGS[env]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {
        "ThrottlingBurstLimit": config.api_throttle_burst,
        "ThrottlingRateLimit": config.api_throttle_rate,
    }
    log_id = stage["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]
    log_group = template["Resources"][log_id]["Properties"]
    assert log_group["RetentionInDays"] == {"dev": 14, "staging": 30, "prod": 90}[env]
    key_id = log_group["KmsKeyId"]["Fn::GetAtt"][0]
    key = template["Resources"][key_id]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    # The key serves CloudWatch Logs of this region, for this account's log groups only.
    (logs_statement,) = [
        s for s in key["Properties"]["KeyPolicy"]["Statement"] if "Service" in json.dumps(s.get("Principal"))
    ]
    assert render(logs_statement["Principal"]["Service"]) == "logs.${AWS::Region}.amazonaws.com"
    assert "log-group:*" in render(
        logs_statement["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    )
    fields = json.loads(stage["AccessLogSettings"]["Format"])
    assert {"requestId", "status", "routeKey", "sub", "authorizerError"} <= set(fields)


def test_api_function_runs_its_own_asset_in_the_private_subnets(synthesized, env):
    props = _function(synthesized, env)["Properties"]
    config = CONFIGS[env]
    assert props["Handler"] == "api.handler" and props["Runtime"] == "python3.13"
    assert props["FunctionName"] == ResourceNames(env=env, account="x").api_function
    assert props["MemorySize"] == config.api_memory_mb
    assert props["Timeout"] == config.api_timeout_seconds < 30
    assert props.get("ReservedConcurrentExecutions") == config.api_reservation
    assert props["Architectures"] == ["x86_64"]
    vpc = props["VpcConfig"]
    assert len(vpc["SubnetIds"]) == config.max_azs
    assert all("privateSubnet" in str(subnet) for subnet in vpc["SubnetIds"])
    assert [g["Fn::GetAtt"][0] for g in vpc["SecurityGroupIds"]] == [
        k for k in resources_of(_template(synthesized, env), "AWS::EC2::SecurityGroup")
    ]
    worker = only(synthesized.template_json(env, "Processing"), "AWS::Lambda::Function", "WorkerFunction")
    assert render(props["Code"]["S3Key"]) != render(worker["Properties"]["Code"]["S3Key"])


def test_api_reaches_the_database_like_the_worker(synthesized, env):
    template = _template(synthesized, env)
    group = only(template, "AWS::EC2::SecurityGroup")["Properties"]
    egress = {(r.get("CidrIp"), r["IpProtocol"], r["FromPort"]) for r in group["SecurityGroupEgress"]}
    assert egress == {("0.0.0.0/0", "tcp", 443), (None, "tcp", 5432)}
    ingress = only(template, "AWS::EC2::SecurityGroupIngress")["Properties"]
    assert (ingress["FromPort"], ingress["ToPort"]) == (5432, 5432)
    assert "DatabaseSecurityGroup" in json.dumps(ingress["GroupId"])
    assert ingress["SourceSecurityGroupId"]["Fn::GetAtt"][0].startswith("ApiSecurityGroup")


SHARED_WITH_THE_WORKER = (
    "LIFESTREAM_ENV",
    "LIFESTREAM_AWS_REGION",
    "LIFESTREAM_DATABASE_SECRET",
    "LIFESTREAM_DATA_DIR",
    "LIFESTREAM_DATABASE_SSLMODE",
    "LIFESTREAM_DATABASE_SSLROOTCERT",
    "HOME",
    "LIFESTREAM_BUCKET",
    "LIFESTREAM_VECTOR_STORE",
    "LIFESTREAM_PINECONE_INDEX",
    "LIFESTREAM_PINECONE_API_KEY_SECRET",
    "LIFESTREAM_PINECONE_REGION",
    "LIFESTREAM_EMBEDDING_PROVIDER",
    "LIFESTREAM_OPENAI_API_KEY_SECRET",
    "LIFESTREAM_MAX_VIDEO_BYTES",
    "LIFESTREAM_TIMEZONE",
    "LIFESTREAM_RATE_REQUESTS_PER_MINUTE",
    "LIFESTREAM_RATE_REQUESTS_BURST",
    "LIFESTREAM_RATE_ASKS_PER_MINUTE",
    "LIFESTREAM_RATE_ASKS_BURST",
    "LIFESTREAM_QUOTA_UPLOADS_IN_FLIGHT",
    "LIFESTREAM_QUOTA_BYTES_PER_DAY",
    "LIFESTREAM_QUOTA_JOBS_PROCESSING",
)


def test_api_environment_is_the_workers_library_settings_behind_the_gateway(synthesized, env):
    variables = _function(synthesized, env)["Properties"]["Environment"]["Variables"]
    worker = only(synthesized.template_json(env, "Processing"), "AWS::Lambda::Function", "WorkerFunction")
    worker_variables = worker["Properties"]["Environment"]["Variables"]
    # Same bucket, vectors, models and database (the secret is referenced across stacks in both).
    for name in SHARED_WITH_THE_WORKER:
        if name == "LIFESTREAM_DATABASE_SECRET":
            assert "DatabaseCredentials" in json.dumps(variables[name]), variables[name]
        else:
            assert variables[name] == worker_variables[name], name
    assert variables["LIFESTREAM_AUTH"] == "gateway"
    assert set(variables) == {*SHARED_WITH_THE_WORKER, "LIFESTREAM_AUTH"}
    fields = set(Settings.model_fields)
    for name in variables:
        if name.startswith("LIFESTREAM_") and name != "LIFESTREAM_AUTH":
            assert name.removeprefix("LIFESTREAM_").lower() in fields, name


def test_the_auth_mode_is_a_setting_of_the_app():
    if importlib.util.find_spec("lifestream.api") is None:
        pytest.skip("lifestream.api is not merged yet (import check)")
    assert "auth" in Settings.model_fields
    assert Settings(auth="gateway").auth == "gateway"


def _statements(synthesized, env) -> list[dict]:
    template = _template(synthesized, env)
    (policy,) = [
        v for k, v in resources_of(template, "AWS::IAM::Policy").items() if k.startswith("ApiFunction")
    ]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _resources(statement: dict) -> list[str]:
    resources = statement["Resource"]
    return [render(r) for r in (resources if isinstance(resources, list) else [resources])]


def _bucket_permissions(synthesized, env) -> dict[str, set[str]]:
    bucket_arn = f"arn:${{AWS::Partition}}:s3:::lifestream-{env}-videos-${{AWS::AccountId}}"
    found: dict[str, set[str]] = {}
    for statement in _statements(synthesized, env):
        assert statement["Effect"] == "Allow" and "Condition" not in statement
        for resource in _resources(statement):
            if resource == bucket_arn or resource.startswith(bucket_arn + "/"):
                found.setdefault(resource.removeprefix(bucket_arn).removeprefix("/"), set()).update(
                    _actions(statement)
                )
    return found


def test_api_has_exactly_the_s3_actions_it_presigns_reads_and_deletes(synthesized, env):
    assert _bucket_permissions(synthesized, env) == {
        # presign uploads; play (any version); forget completely
        f"{UPLOAD_PREFIX}*": {
            "s3:PutObject",
            # complete or abort a multipart upload (over 5 GB)
            "s3:ListMultipartUploadParts",
            "s3:AbortMultipartUpload",
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
        },
        # read and presign diaries and keyframes; rewrite the diary on a speaker rename; forget
        f"{RESULTS_PREFIX}*": {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"},
        f"{STATE_PREFIX}*": {"s3:DeleteObject", "s3:DeleteObjectVersion"},
        "": {"s3:ListBucket", "s3:ListBucketVersions"},
    }


def test_api_may_write_only_uploads_and_renamed_diaries(synthesized, env):
    permissions = _bucket_permissions(synthesized, env)
    writable = {p for p, actions in permissions.items() if "s3:PutObject" in actions}
    assert writable == {f"{UPLOAD_PREFIX}*", f"{RESULTS_PREFIX}*"}
    assert not any("s3:GetObject" in permissions.get(p, set()) for p in (f"{STATE_PREFIX}*", ""))


def test_api_role_grants_nothing_more(synthesized, env):
    statements = _statements(synthesized, env)
    actions = set().union(*(_actions(s) for s in statements))
    s3_actions = {a for a in actions if a.startswith("s3:")}
    assert actions - s3_actions == {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    # No wildcard action or resource anywhere: no object lock, tagging, ACLs, bucket policy, SQS or KMS.
    assert not any("*" in a for a in actions)
    assert not any(r == "*" for s in statements for r in _resources(s))
    secrets = next(s for s in statements if "secretsmanager:GetSecretValue" in _actions(s))
    resources = " ".join(json.dumps(r) for r in _resources(secrets))
    config = CONFIGS[env]
    assert "DatabaseCredentials" in resources
    assert f":secret:{config.openai_api_key_secret}-??????" in resources
    assert f":secret:{config.pinecone_api_key_secret}-??????" in resources
    assert len(_resources(secrets)) == 3
    # The only managed policies: logging and the VPC network interfaces.
    role = only(_template(synthesized, env), "AWS::IAM::Role", "ApiFunction")["Properties"]
    managed = {render(arn).rsplit("/", 1)[-1] for arn in role["ManagedPolicyArns"]}
    assert managed == {"AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole"}


def test_per_user_limits_are_set_per_environment_for_the_api_and_the_worker(synthesized, env):
    config = CONFIGS[env]
    expected = config.limits_environment()
    api = _function(synthesized, env)["Properties"]["Environment"]["Variables"]
    worker = only(synthesized.template_json(env, "Processing"), "AWS::Lambda::Function", "WorkerFunction")
    for variables in (api, worker["Properties"]["Environment"]["Variables"]):
        assert {k: variables.get(k) for k in expected} == expected
    # What the runtime reads: every limit on, and one user may never hold every worker.
    settings = Settings(**{k.removeprefix("LIFESTREAM_").lower(): v for k, v in expected.items()})
    assert settings.rate_asks_per_minute == config.rate_asks_per_minute > 0
    assert settings.quota_bytes_per_day == config.quota_gb_per_day * 1024**3
    assert 0 < settings.quota_jobs_processing <= config.sqs_max_concurrency
