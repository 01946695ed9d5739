"""The web app on AWS: a private S3 bucket behind CloudFront (origin access control), single-page fallback
for deep links, security headers, `/api/*` through the same distribution to the HTTP API (one origin, so
the browser needs no CORS for the API), and the built site with a generated `config.json`.

Two constructs, because they live in two stacks: `Web` (bucket, distribution) is deployed before sign-in
and the API, since the app client's callback URLs and the video bucket's CORS rule need the distribution's
domain; `WebContent` (the files and `config.json`, which names the app client) is deployed after sign-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Aws, CfnResource, DefaultStackSynthesizer, Duration, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from lifestream.core.browser_config import CognitoClient, browser_config
from lifestream.core.constants import ResourceNames
from stacks.api import API_PREFIX
from stacks.audit import (
    MANAGED_POLICY_PREFIX,
    accept_service_key_logs,
    acknowledge,
    checkov_skip,
    nag_rendering,
)
from stacks.auth import CALLBACK_PATH, LOGOUT_PATH, OAUTH_SCOPES, Auth
from stacks.config import EnvConfig
from stacks.log_bucket import log_bucket

REPO_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SITE = Path(__file__).resolve().parent / "web_placeholder"
CONFIG_OBJECT = "config.json"
INDEX_OBJECT = "index.html"
API_BEHAVIOR = f"{API_PREFIX}/*"
HSTS_MAX_AGE = Duration.days(730)
BOOTSTRAP_QUALIFIER_CONTEXT = "@aws-cdk/core:bootstrapQualifier"

# Viewer-request function on the site behavior only. A path whose last segment has no file extension is
# one of the app's routes (/day/2026-11-30): the app's shell answers it. Error responses (403/404 ->
# /index.html) would do the same for the whole distribution, and so turn the API's own 404s and 403s
# into a 200 HTML page; this function never sees /api/*.
SPA_REWRITE_CODE = """\
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
"""


def cognito_domain_url(names: ResourceNames) -> str:
    """The managed-login domain's URL, spelled from its deterministic prefix: the Web stack is deployed
    before the Auth stack, so it cannot reference the domain resource."""
    return f"https://{names.auth_domain_prefix}.auth.{Aws.REGION}.amazoncognito.com"


def video_bucket_origins(names: ResourceNames) -> list[str]:
    """Where the browser sends presigned POSTs and GETs: boto3 signs for the global or the regional
    virtual-hosted endpoint depending on the region and its settings, so both are allowed."""
    return [
        f"https://{names.bucket}.s3.amazonaws.com",
        f"https://{names.bucket}.s3.{Aws.REGION}.amazonaws.com",
    ]


def content_security_policy(names: ResourceNames) -> str:
    media = " ".join(video_bucket_origins(names))
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        # Sign-in exchanges and refreshes tokens at the Cognito domain; uploads POST to the bucket.
        "connect-src": f"'self' {cognito_domain_url(names)} {media}",
        # Keyframes and videos are presigned GETs on the bucket; data: for inline icons.
        "img-src": f"'self' data: {media}",
        "media-src": f"'self' {media}",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": f"'self' {cognito_domain_url(names)}",
        "frame-ancestors": "'none'",
        "upgrade-insecure-requests": "",
    }
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def site_bucket_name(names: ResourceNames) -> str:
    # Named like the video bucket (global names, the account keeps them unique), so that the Site stack
    # imports it by name: its deployment grants then render as auditable ARNs.
    return f"{names.prefix}-web-{names.account}"


class Web(Construct):
    """The site bucket, its log bucket, the response-headers policy and the distribution."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        names: ResourceNames,
        http_api: apigwv2.IHttpApi,
    ) -> None:
        super().__init__(scope, construct_id)

        # CloudFront's standard logs are written with an ACL: the bucket must accept them.
        self.logs = log_bucket(
            self, "Logs", config=config, object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED
        )
        self.bucket = s3.Bucket(
            self,
            "Site",
            bucket_name=site_bucket_name(names),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            # SSE-S3: CloudFront's origin access control reads it without a key policy.
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(config.noncurrent_version_expiry_days),
                )
            ],
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="site/",
            removal_policy=config.removal_policy,
            auto_delete_objects=config.auto_delete_objects,
        )

        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            response_headers_policy_name=f"{names.prefix}-web-security-headers",
            comment=f"LifeStream {config.name}: CSP, HSTS, no framing, referrer and content-type policy",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(names), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=True
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            ),
        )
        self.spa_rewrite = cloudfront.Function(
            self,
            "SpaRewrite",
            comment="Deep links without a file extension get the app's index.html",
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            code=cloudfront.FunctionCode.from_inline(SPA_REWRITE_CODE),
        )
        self.api_origin = origins.HttpOrigin(
            f"{http_api.api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"LifeStream {config.name} web app and /api",
            default_root_object=INDEX_OBJECT,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.spa_rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
                compress=True,
            ),
            additional_behaviors={
                API_BEHAVIOR: cloudfront.BehaviorOptions(
                    origin=self.api_origin,
                    # Tokens travel in the Authorization header: never over plain HTTP, not even to be
                    # redirected.
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    # Every viewer header, query string and cookie but Host: API Gateway routes by its
                    # own host name. With caching disabled, this managed policy also forwards
                    # Authorization (a custom origin request policy may not name that header).
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=self.headers,
                    compress=True,
                )
            },
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="cloudfront/",
        )
        self._audit(config)

    @property
    def domain_name(self) -> str:
        return self.distribution.distribution_domain_name

    @property
    def url(self) -> str:
        """The site's origin (scheme and host, no trailing slash), as browsers send it in `Origin`."""
        return f"https://{self.domain_name}"

    def _audit(self, config: EnvConfig) -> None:
        checkov_skip(
            self.logs,
            "CKV_AWS_18",
            "This is the log bucket itself (site access logs and CloudFront logs): logging it into "
            "itself would log its own log writes.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "The app is for its invited users wherever they travel; sign-in (Cognito) is the access "
            "control, not the viewer's country.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            f"{config.name}: no WAF web ACL (billed per ACL and per request); every /api route but "
            "/api/health needs a Cognito token and the stage is throttled; the site is static files.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "No custom domain: the distribution serves the default *.cloudfront.net certificate, whose "
            "viewer TLS policy CloudFront fixes; to the origins it speaks TLS 1.2 only.",
        )
        cfn_distribution = self.distribution.node.default_child
        assert isinstance(cfn_distribution, CfnResource)
        for check, comment in {
            "CKV_AWS_68": "No WAF web ACL (billed per ACL and per request); every /api route but "
            "/api/health needs a Cognito token, the stage is throttled, and the site is static files.",
            "CKV_AWS_174": "No custom domain: the default *.cloudfront.net certificate's viewer TLS "
            "policy is fixed by CloudFront; to the origins the distribution speaks TLS 1.2 only.",
            "CKV_AWS_310": "One origin per behavior on purpose: the site bucket and the API have no "
            "failover twin, and a failover group would hide a broken deploy.",
            "CKV_AWS_374": "The app is for its invited users wherever they travel; sign-in (Cognito) "
            "is the access control, not the viewer's country.",
        }.items():
            checkov_skip(cfn_distribution, check, comment)


class WebContent(Construct):
    """The built site and its `config.json`, copied into the site bucket on every deploy."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        names: ResourceNames,
        web: Web,
        auth: Auth,
    ) -> None:
        super().__init__(scope, construct_id)
        bucket = s3.Bucket.from_bucket_name(self, "SiteBucket", site_bucket_name(names))
        self.site_bucket_arn = bucket.bucket_arn
        self.site_dir = site_directory(config)
        self.config_data = site_config(config=config, web=web, auth=auth)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Deploy",
            destination_bucket=bucket,
            sources=[
                s3deploy.Source.asset(str(self.site_dir)),
                s3deploy.Source.json_data(CONFIG_OBJECT, self.config_data),
            ],
            # Revalidated on every load (ETag, so a 304 when unchanged): a new deploy is seen at once,
            # and index.html never points at assets the bucket no longer has.
            cache_control=[s3deploy.CacheControl.no_cache()],
            prune=True,
            distribution=web.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
            log_group=self.log_group,
        )
        self._audit()

    def _audit(self) -> None:
        accept_service_key_logs(self.log_group, "the deployment handler logs file names only.")
        stack = Stack.of(self)
        for resource in stack.node.find_all():
            path = resource.node.path
            if "CDKBucketDeployment" not in path:
                continue
            if isinstance(resource, CfnResource) and resource.cfn_resource_type == "AWS::Lambda::Function":
                for check, comment in {
                    "CKV_AWS_115": "CDK's bucket-deployment handler, run by CloudFormation only during "
                    "deploys; a reservation would take from the account's unreserved pool for nothing.",
                    "CKV_AWS_116": "CDK's bucket-deployment handler, invoked synchronously by "
                    "CloudFormation, which reports a failure itself; a DLQ serves asynchronous calls.",
                    "CKV_AWS_117": "CDK's bucket-deployment handler copies public build output between "
                    "S3 buckets; it reaches nothing in the VPC.",
                    "CKV_AWS_173": "The handler's variables hold no values at all beyond the CDK's own "
                    "settings; Lambda encrypts them at rest with its service key.",
                }.items():
                    checkov_skip(resource, check, comment)
        handler = next(c for c in stack.node.children if "CDKBucketDeployment" in c.node.id)
        policy = handler.node.find_child("ServiceRole").node.find_child("DefaultPolicy")
        acknowledge(
            handler,
            f"AwsSolutions-IAM4[Policy::{MANAGED_POLICY_PREFIX}AWSLambdaBasicExecutionRole]",
            "CDK's bucket-deployment handler: AWS-maintained policy limited to creating log streams and "
            "putting log events.",
        )
        qualifier = stack.node.try_get_context(BOOTSTRAP_QUALIFIER_CONTEXT) or (
            DefaultStackSynthesizer.DEFAULT_QUALIFIER
        )
        # The bootstrap bucket the handler reads the zipped build from (DefaultStackSynthesizer's name).
        asset_bucket = f"cdk-{qualifier}-assets-{stack.account}-{stack.region}"
        wildcards = {
            "Action::s3:GetBucket*": "reads the asset and site buckets' locations and settings",
            "Action::s3:GetObject*": "reads the zipped build from the CDK asset bucket",
            "Action::s3:List*": "lists the site bucket to prune files the new build no longer has",
            "Action::s3:Abort*": "aborts its own interrupted multipart copies",
            "Action::s3:DeleteObject*": "prunes files the new build no longer has",
            f"Resource::{nag_rendering(self.site_bucket_arn, scope=self)}/*": "writes and prunes every "
            "file of the site bucket, whose names change with each build",
            # CloudFront invalidations cannot be scoped to a distribution ARN by this handler's policy.
            "Resource::*": "invalidates the distribution after a deploy (CreateInvalidation and "
            "GetInvalidation take no resource narrower than the CDK grants)",
        }
        rendered = nag_rendering(f"arn:{stack.partition}:s3:::{asset_bucket}", scope=self)
        wildcards[f"Resource::{rendered}/*"] = "reads the zipped build from the CDK asset bucket"
        checkov_skip(
            policy,
            "CKV_AWS_111",
            "CDK's bucket-deployment handler: CloudFront's CreateInvalidation is granted on '*' by "
            "BucketDeployment; the handler's S3 writes are limited to the site bucket.",
        )
        for finding, why in wildcards.items():
            acknowledge(
                policy,
                f"AwsSolutions-IAM5[{finding}]",
                f"CDK's bucket-deployment handler (grants made by BucketDeployment): it {why}.",
            )
        acknowledge(
            handler,
            "AwsSolutions-L1",
            "CDK's bucket-deployment handler: its runtime is the one the CDK ships its code for.",
        )


def site_directory(config: EnvConfig) -> Path:
    """The built site, or a placeholder page when it is not built (offline synthesis, tests, CI)."""
    built = Path(config.web_dist_dir)
    built = built if built.is_absolute() else REPO_ROOT / built
    return built if (built / INDEX_OBJECT).is_file() else PLACEHOLDER_SITE


def site_config(*, config: EnvConfig, web: Web, auth: Auth) -> dict[str, Any]:
    """What the browser reads at start-up, made by the function `lifestream serve` uses, with the limit and
    the zone the API function is given (library_environment). Public values only: the app client has no
    secret (PKCE)."""
    return browser_config(
        api_url=API_PREFIX,
        auth="cognito",
        timezone=config.timezone,
        max_video_bytes=config.max_video_bytes,
        cognito=CognitoClient(
            domain=auth.hosted_login_url,
            client_id=auth.client.user_pool_client_id,
            redirect_uri=f"{web.url}{CALLBACK_PATH}",
            logout_uri=f"{web.url}{LOGOUT_PATH}",
            scopes=[scope.scope_name for scope in OAUTH_SCOPES],
        ),
    )
