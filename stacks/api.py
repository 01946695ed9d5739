"""The HTTP API: API Gateway (HTTP API, payload 2.0) with a JWT authorizer on the user pool, in front of one
API Lambda in the VPC's private subnets (it reaches RDS like the worker, and OpenAI/Pinecone through the
NAT). Throttled per stage; access logs to a KMS-encrypted log group."""

from __future__ import annotations

import json

import jsii
from aws_cdk import Aws, Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from lifestream.core.constants import API_SCOPE, RESULTS_PREFIX, STATE_PREFIX, UPLOAD_PREFIX, ResourceNames
from stacks.audit import accept_service_key_logs, acknowledge, checkov_skip
from stacks.auth import Auth
from stacks.bundling import LAMBDA_RUNTIME, api_code
from stacks.config import EnvConfig
from stacks.library_function import IN_PLACE, LibraryFunction

API_PREFIX = "/api"
HEALTH_PATH = f"{API_PREFIX}/health"
PROXY_PATH = f"{API_PREFIX}/{{proxy+}}"
# Every method but OPTIONS, instead of ANY: a browser's CORS preflight carries no token, so an OPTIONS
# that matched an authorized route would be refused (401) before the browser ever sent its request.
# Left unmatched, it is answered by API Gateway from the API's CORS configuration.
PROXY_METHODS = (
    apigwv2.HttpMethod.GET,
    apigwv2.HttpMethod.HEAD,
    apigwv2.HttpMethod.POST,
    apigwv2.HttpMethod.PUT,
    apigwv2.HttpMethod.PATCH,
    apigwv2.HttpMethod.DELETE,
)
STAGE_NAME = "$default"
# The gateway's JWT authorizer verifies the token; the app reads the user from its claims (contract).
AUTH_MODE = "gateway"
SERVICE_NAME = "lifestream-api"

# Exactly the S3 actions the API calls or presigns: a presigned request carries the permissions of the
# role that signed it, so these bound what any browser can do with a URL the API hands out.
API_S3_ACTIONS: dict[str, tuple[str, ...]] = {
    # Presigned POST/PUT (and multipart parts, which sign as PutObject) into uploads/<owner>/...; a
    # multipart upload's parts are listed to complete it (ListParts) and it is aborted when they break the
    # ticket; playback presigns GET, of a given version too; forgetting a video deletes every version.
    UPLOAD_PREFIX: (
        "s3:PutObject",
        "s3:ListMultipartUploadParts",
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
    ),
    # Diaries and keyframes are read (or presigned) for the owner; a speaker rename rewrites the diary
    # (summary.json and summary.md, one PUT each); forgetting a video removes them all.
    RESULTS_PREFIX: ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"),
    # Checkpoints are never read by the API, only forgotten with their video.
    STATE_PREFIX: ("s3:DeleteObject", "s3:DeleteObjectVersion"),
}
# Listing a user's prefix, and its object versions: deleting "completely" must find every version.
API_BUCKET_ACTIONS = ("s3:ListBucket", "s3:ListBucketVersions")

# One JSON line per request; `sub` ties a request to a user without logging the token.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "method": "$context.httpMethod",
    "path": "$context.path",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
    "sub": "$context.authorizer.claims.sub",
}


@jsii.implements(apigwv2.IAccessLogSettings)
class _AccessLogSettings:
    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigwv2.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")))


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        names: ResourceNames,
        auth: Auth,
        http_api: apigwv2.IHttpApi,
        vpc: ec2.IVpc,
        bucket_name: str,
        database_secret: secretsmanager.ISecret,
        database_security_group: ec2.ISecurityGroup,
        database_port: int,
    ) -> None:
        super().__init__(scope, construct_id)

        runtime = LAMBDA_RUNTIME
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
            who="API",
            security_group_description=f"LifeStream {config.name} API function",
            function_name=names.api_function,
            description=f"LifeStream {config.name}: the HTTP API (uploads, library, search, ask)",
            runtime=runtime,
            code=api_code(runtime),
            handler="api.handler",
            memory_size=config.api_memory_mb,
            timeout=Duration.seconds(config.api_timeout_seconds),
            reserved_concurrent_executions=config.api_reservation,
            environment={"LIFESTREAM_AUTH": AUTH_MODE},
            s3_objects=API_S3_ACTIONS,
            s3_bucket=API_BUCKET_ACTIONS,
            s3_wildcards={
                UPLOAD_PREFIX: "presign uploads into, play and forget any user's videos",
                RESULTS_PREFIX: "read and forget any user's results",
                STATE_PREFIX: "forget any video's checkpoints",
            },
            s3_keys="keys are per user and not known in advance (the app scopes every key to the caller's "
            "own prefix).",
        )
        self.function = self.library.function

        # Imported into this stack: the JWT authorizer is created in the scope of the API construct it is
        # bound through, and it references the app client, which the Web stack (home of the API
        # resource) must not.
        self.http_api = apigwv2.HttpApi.from_http_api_attributes(
            self, "HttpApi", http_api_id=http_api.api_id, api_endpoint=http_api.api_endpoint
        )
        self.access_log_key = kms.Key(
            self,
            "AccessLogKey",
            description=f"LifeStream {config.name}: encrypts the HTTP API's access logs",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
        )
        region_logs = f"logs.{Aws.REGION}.amazonaws.com"
        self.access_log_key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(region_logs)],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                # Only for this account's log groups in this region (CloudWatch Logs' documented policy).
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"
                        )
                    }
                },
            )
        )
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=config.log_retention,
            removal_policy=config.removal_policy,
            encryption_key=self.access_log_key,
        )
        self.stage = apigwv2.HttpStage(
            self,
            "Stage",
            http_api=self.http_api,
            stage_name=STAGE_NAME,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=config.api_throttle_rate, burst_limit=config.api_throttle_burst
            ),
            access_log_settings=_AccessLogSettings(self.access_logs),
        )

        self.authorizer = authorizers.HttpJwtAuthorizer(
            "Cognito",
            auth.issuer_url,
            jwt_audience=[auth.client.user_pool_client_id],
            authorizer_name=f"{names.prefix}-cognito",
        )
        integration = integrations.HttpLambdaIntegration(
            "Function",
            self.function,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
        )
        # An imported API has no `add_routes`: the routes are spelled out.
        self.health_routes = [
            apigwv2.HttpRoute(
                self,
                "HealthRoute",
                http_api=self.http_api,
                route_key=apigwv2.HttpRouteKey.with_(HEALTH_PATH, apigwv2.HttpMethod.GET),
                integration=integration,
                # Load balancers and uptime checks call it without a token; it reveals no user data.
                authorizer=apigwv2.HttpNoneAuthorizer(),
            )
        ]
        self.routes = [
            apigwv2.HttpRoute(
                self,
                f"Proxy{method.value}Route",
                http_api=self.http_api,
                route_key=apigwv2.HttpRouteKey.with_(PROXY_PATH, method),
                integration=integration,
                authorizer=self.authorizer,
                # An access token with the API's scope: the authorizer alone would also pass an ID token
                # (its aud is the client too). The app checks token_use and the scope again.
                authorization_scopes=[API_SCOPE],
            )
            for method in PROXY_METHODS
        ]

        self._checkov_skips(config)
        self._acknowledge()

    @property
    def url(self) -> str:
        return self.stage.url

    def _checkov_skips(self, config: EnvConfig) -> None:
        accept_service_key_logs(
            self.library.log_group,
            "the function's own log holds no secrets or tokens (the access log, which names users, has its "
            "own CMK).",
        )
        checkov_skip(
            self.function,
            "CKV_AWS_116",
            "Invoked synchronously by API Gateway, which returns the error to the caller; a DLQ only "
            "serves asynchronous invocations.",
        )
        if config.api_reservation is None:
            checkov_skip(
                self.function,
                "CKV_AWS_115",
                f"{config.name}: no reservation, since new accounts cannot reserve below their unreserved "
                "minimum of 10; the stage's throttling (rate and burst) caps the function instead.",
            )
        for route in self.health_routes:
            checkov_skip(
                route,
                "CKV_AWS_309",
                "GET /api/health is the only route without the JWT authorizer: uptime checks call it without "
                "a token, and it answers with the service's status, never with user data.",
            )

    def _acknowledge(self) -> None:
        for route in self.health_routes:
            acknowledge(
                route,
                "AwsSolutions-APIG4",
                "GET /api/health is the only route without the JWT authorizer: uptime checks call it "
                "without a token, and it answers with the service's status, never with user data.",
            )


def create_http_api(
    scope: Construct, construct_id: str, *, config: EnvConfig, names: ResourceNames
) -> apigwv2.HttpApi:
    """The HTTP API resource alone, without stage or routes (those are `Api`'s).

    It is made in the Web stack, before the sign-in client and the API stack: CloudFront's `/api/*` origin
    needs its id, the app client's callback URLs need the distribution, and the JWT authorizer needs the
    client — one stack holding both the API resource and its authorizer would be a cycle.
    """
    return apigwv2.HttpApi(
        scope,
        construct_id,
        api_name=f"{names.prefix}-api",
        description=f"LifeStream {config.name} HTTP API",
        create_default_stage=False,
        cors_preflight=apigwv2.CorsPreflightOptions(
            allow_origins=list(config.cors_origins),
            allow_methods=[apigwv2.CorsHttpMethod(m.value) for m in PROXY_METHODS],
            allow_headers=["authorization", "content-type", "if-none-match"],
            expose_headers=["etag"],
            # Bearer tokens travel in a header, never in cookies.
            allow_credentials=False,
            max_age=Duration.hours(1),
        ),
    )
