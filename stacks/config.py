"""Per-environment configuration: one frozen, keyword-only dataclass per environment.

The environment is chosen with `cdk synth|deploy -c env=NAME` (default dev). Account and region come
from the usual CDK variables (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, set by the CLI from your
profile); when absent the stacks stay environment-agnostic, which is what offline synthesis and CI use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

from aws_cdk import RemovalPolicy
from aws_cdk.aws_logs import RetentionDays

from lifestream.core.constants import DEFAULT_MAX_RECEIVE_COUNT, DLQ_RETENTION_DAYS, VISIBILITY_TIMEOUT_FACTOR
from lifestream.core.errors import ConfigError

MIB = 1024 * 1024
# Room left on the worker's /tmp beside the video: extracted audio, keyframes, summary files.
SCRATCH_HEADROOM_MB = 512
LAMBDA_MAX_TIMEOUT_SECONDS = 900
SQS_MAX_VISIBILITY_SECONDS = 12 * 3600
# API Gateway ends an HTTP API integration after 30 s; the function must answer (or fail) before that.
API_MAX_TIMEOUT_SECONDS = 29
# Lambda refuses a reservation that would leave less than this much of the account's quota unreserved.
UNRESERVED_CONCURRENCY_MINIMUM = 100
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# API Gateway's JWT authorizer checks a token's signature and expiry, never whether it was revoked: a user
# who is disabled, signed out everywhere or whose refresh token is revoked keeps the access token they hold
# until it expires. So access tokens are short (Cognito allows 5 min to 1 day).
MAX_ACCESS_TOKEN_MINUTES = 60
# The one environment whose sign-in may come back to a developer's machine.
LOCAL_CALLBACKS_ENV = "dev"

NatKind = Literal["instance", "gateway"]


@dataclass(frozen=True, kw_only=True)
class EnvConfig:
    name: str
    account: str | None = None
    region: str | None = None

    # --- data lifetime ---
    removal_policy: RemovalPolicy
    # RDS: SNAPSHOT keeps a final snapshot; DESTROY for throw-away dev databases.
    database_removal_policy: RemovalPolicy
    auto_delete_objects: bool
    deletion_protection: bool
    log_retention: RetentionDays

    # --- storage ---
    # Uploads are kept as long as a diary plays them: no rule expires them. After upload_transition_days
    # they move to a cheaper storage class that still plays at once (None: stay in S3 Standard); only an
    # upload whose job failed for good (tagged by the worker) expires, failed_upload_expiry_days after
    # it was written. README "What storage costs" has the figures.
    upload_storage_class: Literal["STANDARD_IA", "GLACIER_IR"] | None = "STANDARD_IA"
    upload_transition_days: int = 30
    failed_upload_expiry_days: int = 30
    noncurrent_version_expiry_days: int = 7
    abort_multipart_days: int = 1
    # Checkpoints of jobs that never finished (failed for good, or dead-lettered and never redriven).
    # As long as the DLQ keeps a message, so that a redrive still resumes instead of starting over.
    state_expiry_days: int = DLQ_RETENTION_DAYS
    access_log_expiry_days: int = 90
    cors_origins: tuple[str, ...]

    # --- network ---
    nat: NatKind
    nat_count: int = 1
    max_azs: int = 2

    # --- database ---
    db_instance_type: str
    db_multi_az: bool
    db_backup_days: int
    db_allocated_gb: int = 20
    db_max_allocated_gb: int = 100
    db_rotation_days: int = 30

    # --- worker ---
    worker_memory_mb: int
    worker_timeout_seconds: int = LAMBDA_MAX_TIMEOUT_SECONDS
    worker_ephemeral_mb: int
    # None = no reservation. Lambda keeps 100 of the account's concurrency unreserved, so reserving needs a
    # quota of at least the sum of reservations + 100: a new account (quota 10) refuses any reservation.
    worker_reserved_concurrency: int | None
    sqs_batch_size: int = 1
    sqs_max_concurrency: int
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT

    # --- vectors ---
    # The AWS region of the Pinecone serverless index the stack creates when it is missing. None: the
    # stack's own region (the vectors beside the functions). Pinecone serves a few AWS regions only (e.g.
    # us-east-1, us-west-2, eu-west-1); for a stack elsewhere, name the nearest one here.
    pinecone_region: str | None = None

    # --- secrets (names, never values): Secrets Manager name/ARN, or "ssm:<name>" for SSM SecureString ---
    openai_api_key_secret: str = ""
    pinecone_api_key_secret: str = ""

    # --- sign-in (Cognito user pool and the browser's app client) ---
    # Off: admins invite (AdminCreateUser); a public sign-up page would let anyone store videos.
    self_sign_up: bool = False
    # TOTP; optional where it is off, required where it is on (nobody can skip enrolling).
    mfa_required: bool
    # Cognito's Plus tier with threat protection enforced (compromised credentials, adaptive sign-in).
    threat_protection: bool
    # Where the managed login returns the browser (authorization code) and where sign-out lands.
    auth_callback_urls: tuple[str, ...]
    auth_logout_urls: tuple[str, ...]
    # How long a disabled user can still call the API (see MAX_ACCESS_TOKEN_MINUTES); the web app
    # refreshes a minute before expiry.
    access_token_minutes: int = MAX_ACCESS_TOKEN_MINUTES
    id_token_minutes: int = MAX_ACCESS_TOKEN_MINUTES
    refresh_token_days: int = 30

    # --- HTTP API ---
    api_memory_mb: int = 1024
    api_timeout_seconds: int = API_MAX_TIMEOUT_SECONDS
    # Stage-wide default route throttling: steady requests per second and the burst bucket.
    api_throttle_rate: int
    api_throttle_burst: int
    api_reserved_concurrency: int | None = None
    # Off: neither function reserves (the SQS event source's max concurrency and the stage's throttling
    # still cap them). `cdk deploy -c reserved_concurrency=off` switches it off for one deploy.
    reserve_concurrency: bool = True
    # The account's Lambda concurrency quota, when known (`-c lambda_concurrency_quota=N`, from
    # `aws lambda get-account-settings`): synthesis then refuses reservations the account would refuse.
    lambda_concurrency_quota: int | None = None

    # --- per-user limits: what one user may take of the shared API, queue and workers ---
    rate_requests_per_minute: int = 300
    rate_requests_burst: int = 60
    # `ask` runs a model on every call.
    rate_asks_per_minute: int = 10
    rate_asks_burst: int = 5
    quota_uploads_in_flight: int = 20
    quota_gb_per_day: int = 20
    quota_jobs_processing: int = 2

    # --- diary dates ---
    # The IANA zone diaries are dated in and date filters read in (Lambda's own clock is UTC).
    timezone: str = "UTC"

    # --- web app ---
    # The built single-page app (relative to the repository); a placeholder page is deployed if absent.
    web_dist_dir: str = "web/dist"

    # --- alarms ---
    alarm_email: str | None = None
    alarm_oldest_message_seconds: int
    alarm_worker_errors: int = 0
    # 5xx answers of the HTTP API per 5 minutes above which someone is paged.
    alarm_api_server_errors: int = 5
    billing_threshold_usd: float

    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not 1 <= self.worker_timeout_seconds <= LAMBDA_MAX_TIMEOUT_SECONDS:
            problems.append(f"worker_timeout_seconds must be 1..{LAMBDA_MAX_TIMEOUT_SECONDS}")
        if not 128 <= self.worker_memory_mb <= 10240:
            problems.append("worker_memory_mb must be 128..10240")
        if not 512 + SCRATCH_HEADROOM_MB <= self.worker_ephemeral_mb <= 10240:
            problems.append(f"worker_ephemeral_mb must be {512 + SCRATCH_HEADROOM_MB}..10240")
        if not 1 <= self.sqs_batch_size <= 10:
            problems.append("sqs_batch_size must be 1..10")
        if not 2 <= self.sqs_max_concurrency <= 1000:
            problems.append("sqs_max_concurrency must be 2..1000 (an SQS event source minimum is 2)")
        if self.worker_reservation is not None and self.worker_reservation < self.sqs_max_concurrency:
            # Fewer reserved slots than pollers means throttled invocations and needless redeliveries.
            problems.append("worker_reserved_concurrency must be >= sqs_max_concurrency")
        if self.lambda_concurrency_quota is not None and self.reserved_total:
            needed = self.reserved_total + UNRESERVED_CONCURRENCY_MINIMUM
            if needed > self.lambda_concurrency_quota:
                problems.append(
                    f"the functions reserve {self.reserved_total} concurrent executions, which needs a Lambda "
                    f"concurrency quota of {needed} (Lambda keeps {UNRESERVED_CONCURRENCY_MINIMUM} unreserved); "
                    f"the account has {self.lambda_concurrency_quota}: deploy with -c reserved_concurrency=off, "
                    "or ask AWS for a higher quota (Service Quotas, 'Concurrent executions')"
                )
        if self.visibility_timeout_seconds > SQS_MAX_VISIBILITY_SECONDS:
            problems.append(
                "worker_timeout_seconds x VISIBILITY_TIMEOUT_FACTOR exceeds the SQS maximum of 12 h"
            )
        if not 1 <= self.max_receive_count <= 1000:
            problems.append("max_receive_count must be 1..1000")
        if self.state_expiry_days < DLQ_RETENTION_DAYS:
            problems.append(
                f"state_expiry_days must be >= {DLQ_RETENTION_DAYS} (the DLQ retention): a redriven "
                "message would find its checkpoint gone"
            )
        if self.upload_storage_class == "STANDARD_IA" and self.upload_transition_days < 30:
            problems.append("upload_transition_days must be >= 30 for STANDARD_IA (S3's minimum)")
        if self.upload_transition_days < 0 or self.failed_upload_expiry_days < 1:
            problems.append("upload_transition_days must be >= 0 and failed_upload_expiry_days >= 1")
        if self.nat_count < 1:
            problems.append(
                "nat_count must be >= 1: the worker reaches OpenAI and Pinecone over the internet"
            )
        if self.db_multi_az and self.max_azs < 2:
            problems.append("db_multi_az needs max_azs >= 2")
        if self.billing_threshold_usd <= 0:
            problems.append("billing_threshold_usd must be > 0")
        problems += self._auth_problems()
        if not 1 <= self.api_timeout_seconds <= API_MAX_TIMEOUT_SECONDS:
            problems.append(
                f"api_timeout_seconds must be 1..{API_MAX_TIMEOUT_SECONDS} (API Gateway gives up at 30 s)"
            )
        if not 128 <= self.api_memory_mb <= 10240:
            problems.append("api_memory_mb must be 128..10240")
        if self.api_throttle_rate < 1 or self.api_throttle_burst < 1:
            problems.append("api_throttle_rate and api_throttle_burst must be >= 1")
        limits = (
            self.rate_requests_per_minute,
            self.rate_requests_burst,
            self.rate_asks_per_minute,
            self.rate_asks_burst,
            self.quota_uploads_in_flight,
            self.quota_gb_per_day,
            self.quota_jobs_processing,
        )
        if min(limits) < 1:
            problems.append("every rate_* and quota_* limit must be >= 1 (one user must not take all)")
        elif self.quota_jobs_processing > self.sqs_max_concurrency:
            problems.append("quota_jobs_processing must be <= sqs_max_concurrency")
        if problems:
            raise ConfigError(f"invalid configuration for environment {self.name!r}: " + "; ".join(problems))

    def _auth_problems(self) -> list[str]:
        problems: list[str] = []
        for name in ("auth_callback_urls", "auth_logout_urls"):
            urls = getattr(self, name)
            if not urls:
                problems.append(f"{name} must name at least one URL")
            for url in urls:
                parts = urlsplit(url)
                host = (parts.hostname or "").lower()
                loopback = host in LOOPBACK_HOSTS or host.endswith(".localhost")
                if loopback and self.name != LOCAL_CALLBACKS_ENV:
                    problems.append(
                        f"{name}: {url} is a local address, allowed only in {LOCAL_CALLBACKS_ENV} "
                        "(a token sent there would leave the environment)"
                    )
                elif (
                    not host
                    or parts.scheme not in ("https", "http")
                    or (parts.scheme == "http" and not loopback)
                ):
                    problems.append(f"{name}: {url} must be an https URL (http only for localhost in dev)")
                if parts.fragment:
                    problems.append(f"{name}: {url} must not carry a fragment (OAuth 2.0 forbids it)")
        if not 5 <= self.access_token_minutes <= 1440 or not 5 <= self.id_token_minutes <= 1440:
            problems.append("access_token_minutes and id_token_minutes must be 5..1440 (Cognito's range)")
        elif self.access_token_minutes > MAX_ACCESS_TOKEN_MINUTES:
            problems.append(
                f"access_token_minutes must be <= {MAX_ACCESS_TOKEN_MINUTES}: the API cannot revoke an "
                "access token, so a disabled user keeps access this long"
            )
        if not 1 <= self.refresh_token_days <= 3650:
            problems.append("refresh_token_days must be 1..3650 (Cognito's range)")
        elif self.refresh_token_days * 1440 <= max(self.access_token_minutes, self.id_token_minutes):
            problems.append("refresh_token_days must outlast the access and ID tokens")
        return problems

    # --- derived values -------------------------------------------------------------------------------
    @property
    def worker_reservation(self) -> int | None:
        """The worker's reserved concurrency as deployed (None when reservations are off)."""
        return self.worker_reserved_concurrency if self.reserve_concurrency else None

    @property
    def api_reservation(self) -> int | None:
        return self.api_reserved_concurrency if self.reserve_concurrency else None

    @property
    def reserved_total(self) -> int:
        return (self.worker_reservation or 0) + (self.api_reservation or 0)

    @property
    def visibility_timeout_seconds(self) -> int:
        return self.worker_timeout_seconds * VISIBILITY_TIMEOUT_FACTOR

    @property
    def max_video_bytes(self) -> int:
        """Largest upload the worker accepts: what fits on /tmp beside its scratch files."""
        return (self.worker_ephemeral_mb - SCRATCH_HEADROOM_MB) * MIB

    def limits_environment(self) -> dict[str, str]:
        """The per-user limits as the runtime's settings read them (LIFESTREAM_RATE_*, _QUOTA_*)."""
        return {
            "LIFESTREAM_RATE_REQUESTS_PER_MINUTE": str(self.rate_requests_per_minute),
            "LIFESTREAM_RATE_REQUESTS_BURST": str(self.rate_requests_burst),
            "LIFESTREAM_RATE_ASKS_PER_MINUTE": str(self.rate_asks_per_minute),
            "LIFESTREAM_RATE_ASKS_BURST": str(self.rate_asks_burst),
            "LIFESTREAM_QUOTA_UPLOADS_IN_FLIGHT": str(self.quota_uploads_in_flight),
            "LIFESTREAM_QUOTA_BYTES_PER_DAY": str(self.quota_gb_per_day * 1024**3),
            "LIFESTREAM_QUOTA_JOBS_PROCESSING": str(self.quota_jobs_processing),
        }

    @property
    def secret_prefix(self) -> str:
        return f"lifestream/{self.name}"


def _secret_names(env: str) -> dict[str, str]:
    return {
        "openai_api_key_secret": f"lifestream/{env}/openai-api-key",
        "pinecone_api_key_secret": f"lifestream/{env}/pinecone-api-key",
    }


DEV = EnvConfig(
    name="dev",
    removal_policy=RemovalPolicy.DESTROY,
    database_removal_policy=RemovalPolicy.DESTROY,
    auto_delete_objects=True,
    deletion_protection=False,
    log_retention=RetentionDays.TWO_WEEKS,
    cors_origins=("http://localhost:3000", "http://localhost:5173"),
    nat="instance",
    nat_count=1,
    db_instance_type="t4g.micro",
    db_multi_az=False,
    db_backup_days=1,
    worker_memory_mb=2048,
    worker_ephemeral_mb=4096,
    worker_reserved_concurrency=None,
    sqs_max_concurrency=2,
    alarm_oldest_message_seconds=2 * 3600,
    billing_threshold_usd=50,
    mfa_required=False,
    threat_protection=False,
    auth_callback_urls=("http://localhost:5173/auth/callback", "http://localhost:3000/auth/callback"),
    auth_logout_urls=("http://localhost:5173/", "http://localhost:3000/"),
    refresh_token_days=30,
    api_throttle_rate=10,
    api_throttle_burst=20,
    **_secret_names("dev"),
)

STAGING = EnvConfig(
    name="staging",
    removal_policy=RemovalPolicy.DESTROY,
    database_removal_policy=RemovalPolicy.SNAPSHOT,
    auto_delete_objects=True,
    deletion_protection=False,
    log_retention=RetentionDays.ONE_MONTH,
    cors_origins=("https://staging.lifestream.example",),
    nat="gateway",
    nat_count=1,
    db_instance_type="t4g.small",
    db_multi_az=False,
    db_backup_days=7,
    worker_memory_mb=3008,
    worker_ephemeral_mb=10240,
    worker_reserved_concurrency=None,
    sqs_max_concurrency=5,
    alarm_oldest_message_seconds=3600,
    billing_threshold_usd=150,
    mfa_required=True,
    threat_protection=False,
    auth_callback_urls=("https://staging.lifestream.example/auth/callback",),
    auth_logout_urls=("https://staging.lifestream.example/",),
    access_token_minutes=15,
    id_token_minutes=15,
    refresh_token_days=7,
    api_throttle_rate=20,
    api_throttle_burst=40,
    **_secret_names("staging"),
)

PROD = EnvConfig(
    name="prod",
    removal_policy=RemovalPolicy.RETAIN,
    database_removal_policy=RemovalPolicy.SNAPSHOT,
    auto_delete_objects=False,
    deletion_protection=True,
    log_retention=RetentionDays.THREE_MONTHS,
    cors_origins=("https://lifestream.example",),
    nat="gateway",
    nat_count=2,
    db_instance_type="t4g.medium",
    db_multi_az=True,
    db_backup_days=30,
    db_max_allocated_gb=500,
    # Years of video: Glacier Instant Retrieval (a third of Standard-IA's storage price, still played at
    # once; each play pays a retrieval fee, and each object is billed at least 90 days).
    upload_storage_class="GLACIER_IR",
    upload_transition_days=90,
    worker_memory_mb=3008,
    worker_ephemeral_mb=10240,
    worker_reserved_concurrency=20,
    sqs_max_concurrency=20,
    alarm_oldest_message_seconds=1800,
    billing_threshold_usd=500,
    mfa_required=True,
    threat_protection=True,
    auth_callback_urls=("https://lifestream.example/auth/callback",),
    auth_logout_urls=("https://lifestream.example/",),
    access_token_minutes=15,
    id_token_minutes=15,
    refresh_token_days=7,
    api_throttle_rate=50,
    api_throttle_burst=100,
    api_reserved_concurrency=20,
    rate_requests_per_minute=600,
    rate_requests_burst=120,
    rate_asks_per_minute=20,
    rate_asks_burst=10,
    quota_uploads_in_flight=50,
    quota_gb_per_day=50,
    quota_jobs_processing=4,
    **_secret_names("prod"),
)

CONFIGS: dict[str, EnvConfig] = {c.name: c for c in (DEV, STAGING, PROD)}
DEFAULT_ENV = "dev"


def config_for(
    name: str | None,
    *,
    account: str | None = None,
    region: str | None = None,
    alarm_email: str | None = None,
    reserve_concurrency: bool | None = None,
    lambda_concurrency_quota: int | None = None,
) -> EnvConfig:
    """The configuration of environment `name` (default dev) with the deploying account/region filled in,
    and the deploy's own switches (reservations off, the account's concurrency quota) applied."""
    name = name or DEFAULT_ENV
    try:
        base = CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"unknown environment {name!r}: choose one of {', '.join(CONFIGS)} (e.g. cdk synth -c env=dev)"
        ) from None
    return replace(
        base,
        account=account or os.environ.get("CDK_DEFAULT_ACCOUNT") or base.account,
        region=region or os.environ.get("CDK_DEFAULT_REGION") or base.region,
        alarm_email=alarm_email or base.alarm_email,
        reserve_concurrency=base.reserve_concurrency if reserve_concurrency is None else reserve_concurrency,
        lambda_concurrency_quota=lambda_concurrency_quota or base.lambda_concurrency_quota,
    )
