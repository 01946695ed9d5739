"""The bucket an audit trail is delivered to (S3 server access logs, CloudFront standard logs)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.config import EnvConfig


def log_bucket(
    scope: Construct, construct_id: str, *, config: EnvConfig, object_ownership: s3.ObjectOwnership
) -> s3.Bucket:
    """Private, SSE-S3 (the only encryption log delivery accepts), TLS only; versioned, so that a deleted
    or overwritten log stays recoverable a while, and expired after `access_log_expiry_days`."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=object_ownership,
        versioned=True,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="expire-logs",
                expiration=Duration.days(config.access_log_expiry_days),
                noncurrent_version_expiration=Duration.days(config.noncurrent_version_expiry_days),
            )
        ],
        removal_policy=config.removal_policy,
        auto_delete_objects=config.auto_delete_objects,
    )
