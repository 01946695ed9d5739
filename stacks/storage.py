"""The video bucket: private, encrypted, versioned, with browser-upload CORS, lifecycle rules, access logs
and S3 -> SQS notifications for video uploads."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from lifestream.core.constants import (
    BROWSER_CORS_EXPOSED_HEADERS,
    BROWSER_CORS_MAX_AGE_SECONDS,
    BROWSER_CORS_METHODS,
    FAILED_UPLOAD_TAG,
    NOTIFICATION_EVENTS,
    NOTIFICATION_SUFFIXES,
    STATE_PREFIX,
    UPLOAD_PREFIX,
)
from stacks.audit import checkov_skip
from stacks.config import EnvConfig
from stacks.log_bucket import log_bucket


STORAGE_CLASSES = {
    "STANDARD_IA": s3.StorageClass.INFREQUENT_ACCESS,
    "GLACIER_IR": s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
}


class VideoStorage(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvConfig,
        bucket_name: str,
        queue: sqs.IQueue,
        site_origin: str | None = None,
    ) -> None:
        """`site_origin` is the web app's origin (`https://<distribution domain>`): the only origin, beside
        the configured ones, whose browser may POST presigned uploads and GET presigned media."""
        super().__init__(scope, construct_id)

        # Server access logs are delivered by the log-delivery service, which needs no ACL.
        self.access_logs = log_bucket(
            self, "AccessLogs", config=config, object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED
        )

        checkov_skip(
            self.access_logs,
            "CKV_AWS_18",
            "This is the access-log bucket itself: logging it into itself would log its own log writes.",
        )

        self.bucket = s3.Bucket(
            self,
            "Videos",
            bucket_name=bucket_name,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="videos/",
            cors=[
                s3.CorsRule(
                    allowed_methods=[
                        s3.HttpMethods.PUT,
                        s3.HttpMethods.POST,
                        s3.HttpMethods.GET,
                        s3.HttpMethods.HEAD,
                    ],
                    allowed_origins=list(config.cors_origins),
                    allowed_headers=["*"],
                    # Multipart browser uploads need each part's ETag to complete the upload.
                    exposed_headers=["ETag"],
                    max_age=3000,
                ),
                *(
                    [
                        # The browser's rule, the one `lifestream serve` adds locally: PUT too, or the
                        # part uploads of a multipart upload (over 5 GB) fail their CORS check.
                        s3.CorsRule(
                            id="web-app",
                            allowed_methods=[s3.HttpMethods(m) for m in BROWSER_CORS_METHODS],
                            allowed_origins=[site_origin],
                            allowed_headers=["*"],
                            exposed_headers=list(BROWSER_CORS_EXPOSED_HEADERS),
                            max_age=BROWSER_CORS_MAX_AGE_SECONDS,
                        )
                    ]
                    if site_origin
                    else []
                ),
            ],
            lifecycle_rules=[
                # Never "expire uploads": the player presigns the video a diary points to. Only an upload
                # whose job failed for good (the worker tags it) goes; the rest moves to a cheaper class.
                s3.LifecycleRule(
                    id="expire-failed-uploads",
                    prefix=UPLOAD_PREFIX,
                    tag_filters={FAILED_UPLOAD_TAG[0]: FAILED_UPLOAD_TAG[1]},
                    expiration=Duration.days(config.failed_upload_expiry_days),
                ),
                *(
                    [
                        s3.LifecycleRule(
                            id="uploads-to-cheaper-storage",
                            prefix=UPLOAD_PREFIX,
                            transitions=[
                                s3.Transition(
                                    storage_class=STORAGE_CLASSES[config.upload_storage_class],
                                    transition_after=Duration.days(config.upload_transition_days),
                                )
                            ],
                        )
                    ]
                    if config.upload_storage_class
                    else []
                ),
                # A finished job deletes its checkpoint; one that never finishes would leave it forever.
                s3.LifecycleRule(
                    id="expire-abandoned-checkpoints",
                    prefix=STATE_PREFIX,
                    expiration=Duration.days(config.state_expiry_days),
                ),
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(config.noncurrent_version_expiry_days),
                ),
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(config.abort_multipart_days),
                ),
            ],
            removal_policy=config.removal_policy,
            auto_delete_objects=config.auto_delete_objects,
        )
        self._notify(queue)

    def _notify(self, queue: sqs.IQueue) -> None:
        """Native `NotificationConfiguration` on the bucket instead of `add_event_notification`.

        `add_event_notification(SqsDestination(queue))` would (a) edit the queue's policy from this stack,
        making the queue stack depend back on this one — the cross-stack cycle of aws-cdk#11245 — and
        (b) add a notification custom resource backed by a Lambda. The queue stack instead grants S3 by
        the bucket's deterministic ARN, so here the bucket only *references* the queue: one direction.
        One rule per suffix (and per case: S3 suffix filters are case-sensitive); same prefix with
        non-overlapping suffixes is allowed by S3.
        """
        cfn_bucket: s3.CfnBucket = self.bucket.node.default_child  # type: ignore[assignment]
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event=event,
                    queue=queue.queue_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(
                        s3_key=s3.CfnBucket.S3KeyFilterProperty(
                            rules=[
                                s3.CfnBucket.FilterRuleProperty(name="prefix", value=UPLOAD_PREFIX),
                                s3.CfnBucket.FilterRuleProperty(name="suffix", value=suffix),
                            ]
                        )
                    ),
                )
                for event in NOTIFICATION_EVENTS
                for suffix in NOTIFICATION_SUFFIXES
            ]
        )
