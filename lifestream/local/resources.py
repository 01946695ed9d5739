"""The local cloud's resources: the same bucket, queues, redrive and bucket notification as the CDK stacks
(names, prefix, suffixes and events all come from `lifestream.core.constants`), created idempotently."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from lifestream.core.constants import (
    BROWSER_CORS_EXPOSED_HEADERS,
    BROWSER_CORS_MAX_AGE_SECONDS,
    BROWSER_CORS_METHODS,
    DEFAULT_MAX_RECEIVE_COUNT,
    DLQ_RETENTION_DAYS,
    LOCAL_ACCOUNT,
    NOTIFICATION_EVENTS,
    NOTIFICATION_SUFFIXES,
    UPLOAD_PREFIX,
    VISIBILITY_TIMEOUT_FACTOR,
    ResourceNames,
)
from lifestream.local.snapshot import restore_bucket

# The local worker's pretend function timeout; the queue's visibility timeout follows the cloud rule (6x).
DEFAULT_FUNCTION_TIMEOUT = 300
BROWSER_UPLOAD_RULE = "lifestream-web"


@dataclass(frozen=True)
class LocalResources:
    endpoint_url: str
    region: str
    bucket: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    visibility_timeout: int
    max_receive_count: int


def ensure_dummy_credentials() -> None:
    """moto accepts any credentials, but botocore refuses to sign without some."""
    if not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")


def client(service: str, endpoint_url: str, region: str):
    import boto3

    ensure_dummy_credentials()
    return boto3.client(service, endpoint_url=endpoint_url, region_name=region)


def provision(
    endpoint_url: str,
    *,
    names: ResourceNames | None = None,
    region: str = "us-east-1",
    visibility_timeout: int = DEFAULT_FUNCTION_TIMEOUT * VISIBILITY_TIMEOUT_FACTOR,
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT,
    restore_from: Path | None = None,
) -> LocalResources:
    """Create (or bring up to date) the bucket, DLQ, queue with redrive and the bucket notification.
    A newly created bucket is first filled from the snapshot in `restore_from`, if there is one."""
    names = names or ResourceNames(env="local", account=LOCAL_ACCOUNT)
    s3 = client("s3", endpoint_url, region)
    sqs = client("sqs", endpoint_url, region)

    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if names.bucket not in existing:
        kwargs = (
            {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        s3.create_bucket(Bucket=names.bucket, **kwargs)
        if restore_from is not None:
            restore_bucket(s3, names.bucket, restore_from)
    s3.put_bucket_versioning(Bucket=names.bucket, VersioningConfiguration={"Status": "Enabled"})

    dlq_url = _ensure_queue(sqs, names.dlq, {"MessageRetentionPeriod": str(DLQ_RETENTION_DAYS * 86400)})
    dlq_arn = _queue_arn(sqs, dlq_url)
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)})
    queue_url = _ensure_queue(
        sqs, names.queue, {"VisibilityTimeout": str(visibility_timeout), "RedrivePolicy": redrive}
    )
    queue_arn = _queue_arn(sqs, queue_url)
    sqs.set_queue_attributes(
        QueueUrl=queue_url, Attributes={"Policy": _s3_send_policy(queue_arn, names.bucket)}
    )

    wanted = notification_configuration(queue_arn)
    current = s3.get_bucket_notification_configuration(Bucket=names.bucket)
    # Writing the configuration makes S3 (and moto) send another s3:TestEvent: only write on change.
    if _normalise(current.get("QueueConfigurations", [])) != _normalise(wanted["QueueConfigurations"]):
        s3.put_bucket_notification_configuration(Bucket=names.bucket, NotificationConfiguration=wanted)

    return LocalResources(
        endpoint_url=endpoint_url,
        region=region,
        bucket=names.bucket,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
        visibility_timeout=visibility_timeout,
        max_receive_count=max_receive_count,
    )


def allow_browser_uploads(
    endpoint_url: str, bucket: str, origins: list[str], region: str = "us-east-1"
) -> list[str]:
    """Add `origins` (e.g. the `lifestream serve` URL) to the bucket's CORS rule, so a page there can POST
    its presigned uploads (and PUT multipart parts, reading their ETag) straight to the bucket, as the
    Web stack's CORS rule allows the site's origin on AWS. Origins already allowed are kept, so two
    servers on two ports both work. Returns the origins now allowed."""
    from botocore.exceptions import ClientError

    s3 = client("s3", endpoint_url, region)
    try:
        rules = s3.get_bucket_cors(Bucket=bucket).get("CORSRules", [])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchCORSConfiguration":
            raise
        rules = []
    ours = next((r for r in rules if r.get("ID") == BROWSER_UPLOAD_RULE), None)
    allowed = list(dict.fromkeys([*(ours or {}).get("AllowedOrigins", []), *origins]))
    rule = {
        "ID": BROWSER_UPLOAD_RULE,
        "AllowedOrigins": allowed,
        # The stack's rule for the site's origin (stacks/storage.py), from the same constants.
        "AllowedMethods": list(BROWSER_CORS_METHODS),
        "AllowedHeaders": ["*"],
        "ExposeHeaders": list(BROWSER_CORS_EXPOSED_HEADERS),
        "MaxAgeSeconds": BROWSER_CORS_MAX_AGE_SECONDS,
    }
    others = [r for r in rules if r.get("ID") != BROWSER_UPLOAD_RULE]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [*others, rule]})
    return allowed


def notification_configuration(queue_arn: str) -> dict:
    """One queue configuration per suffix — what the CDK stack's add_event_notification calls produce."""
    return {
        "QueueConfigurations": [
            {
                "Id": f"lifestream-upload{suffix.replace('.', '-')}",
                "QueueArn": queue_arn,
                "Events": list(NOTIFICATION_EVENTS),
                "Filter": {
                    "Key": {
                        "FilterRules": [
                            {"Name": "prefix", "Value": UPLOAD_PREFIX},
                            {"Name": "suffix", "Value": suffix},
                        ]
                    }
                },
            }
            for suffix in NOTIFICATION_SUFFIXES
        ]
    }


def _normalise(configs: list[dict]) -> list[tuple]:
    out = []
    for c in configs:
        rules = c.get("Filter", {}).get("Key", {}).get("FilterRules", [])
        out.append(
            (
                c.get("QueueArn"),
                tuple(sorted(c.get("Events", []))),
                tuple(sorted((r["Name"].lower(), r["Value"]) for r in rules)),
            )
        )
    return sorted(out)


def _ensure_queue(sqs, name: str, attributes: dict[str, str]) -> str:
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def _queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _s3_send_policy(queue_arn: str, bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
                }
            ],
        }
    )
