"""The video bucket: private, encrypted, TLS-only, versioned, with CORS, lifecycle, logs, notifications."""

from __future__ import annotations

from aws_cdk.assertions import Match

from lifestream.core.constants import (
    FAILED_UPLOAD_TAG,
    DLQ_RETENTION_DAYS,
    NOTIFICATION_EVENTS,
    NOTIFICATION_SUFFIXES,
    RESULTS_PREFIX,
    STATE_PREFIX,
    UPLOAD_PREFIX,
)
from stacks.config import CONFIGS
from tests.infra.conftest import resources_of


def _videos_bucket(template: dict) -> dict:
    buckets = {k: v for k, v in resources_of(template, "AWS::S3::Bucket").items() if "Videos" in k}
    assert len(buckets) == 1
    return next(iter(buckets.values()))


def test_bucket_is_named_per_environment_and_account(synthesized, env):
    props = _videos_bucket(synthesized.template_json(env, "Storage"))["Properties"]
    assert props["BucketName"] == {"Fn::Join": ["", [f"lifestream-{env}-videos-", {"Ref": "AWS::AccountId"}]]}


def test_bucket_blocks_public_access_encrypts_and_versions(synthesized, env):
    synthesized.template(env, "Storage").has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": Match.any_value(),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "LoggingConfiguration": {"LogFilePrefix": "videos/", "DestinationBucketName": Match.any_value()},
        },
    )


def test_every_bucket_denies_plain_http(synthesized, env):
    template = synthesized.template_json(env, "Storage")
    buckets = set(resources_of(template, "AWS::S3::Bucket"))
    policies = resources_of(template, "AWS::S3::BucketPolicy").values()
    denied = set()
    for policy in policies:
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement.get("Condition") == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                denied.add(policy["Properties"]["Bucket"]["Ref"])
    assert denied == buckets


def test_cors_allows_browser_uploads_from_configured_origins_only(synthesized, env):
    cors = _videos_bucket(synthesized.template_json(env, "Storage"))["Properties"]["CorsConfiguration"]
    # The web app's own origin has a rule of its own (tests/infra/test_web.py).
    rule, _site = cors["CorsRules"]
    assert sorted(rule["AllowedMethods"]) == ["GET", "HEAD", "POST", "PUT"]
    assert rule["AllowedOrigins"] == list(CONFIGS[env].cors_origins)
    assert "*" not in rule["AllowedOrigins"]
    assert rule["ExposedHeaders"] == ["ETag"]


def test_the_web_apps_cors_rule_is_the_one_serve_applies_to_the_local_bucket(synthesized, env, cloud):
    """The browser PUTs the parts of a multipart upload (over 5 GB): the site's rule must allow PUT, and
    the local bucket, where the browser tests upload, gets the very same rule."""
    from lifestream.local.resources import allow_browser_uploads

    cors = _videos_bucket(synthesized.template_json(env, "Storage"))["Properties"]["CorsConfiguration"]
    (site,) = [r for r in cors["CorsRules"] if r.get("Id") == "web-app"]
    assert "PUT" in site["AllowedMethods"] and "POST" in site["AllowedMethods"]
    allow_browser_uploads(cloud.resources.endpoint_url, cloud.resources.bucket, ["http://127.0.0.1:8765"])
    (local,) = cloud.s3.get_bucket_cors(Bucket=cloud.resources.bucket)["CORSRules"]
    assert sorted(local["AllowedMethods"]) == sorted(site["AllowedMethods"])
    assert local["ExposeHeaders"] == site["ExposedHeaders"] and local["AllowedHeaders"] == site["AllowedHeaders"]
    assert local["MaxAgeSeconds"] == site["MaxAge"]


def test_lifecycle_expires_uploads_noncurrent_versions_and_multipart_leftovers(synthesized, env):
    rules = _videos_bucket(synthesized.template_json(env, "Storage"))["Properties"]["LifecycleConfiguration"][
        "Rules"
    ]
    by_id = {rule["Id"]: rule for rule in rules}
    # No rule expires an upload a diary plays (the player presigns it): only one whose job failed for good,
    # which the worker tags; the others move to a cheaper storage class that still plays at once.
    config = CONFIGS[env]
    failed = by_id["expire-failed-uploads"]
    assert failed["Prefix"] == UPLOAD_PREFIX
    assert failed["TagFilters"] == [{"Key": FAILED_UPLOAD_TAG[0], "Value": FAILED_UPLOAD_TAG[1]}]
    assert failed["ExpirationInDays"] == config.failed_upload_expiry_days
    untagged_expiry = [
        r for r in rules if r.get("Prefix", "") in ("", UPLOAD_PREFIX) and "ExpirationInDays" in r and not r.get("TagFilters")
    ]
    assert untagged_expiry == []
    (transition,) = by_id["uploads-to-cheaper-storage"]["Transitions"]
    assert transition["StorageClass"] == config.upload_storage_class
    assert transition["TransitionInDays"] == config.upload_transition_days
    assert by_id["expire-noncurrent-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] > 0
    assert (
        by_id["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        >= 1
    )
    assert all(rule["Status"] == "Enabled" for rule in rules)


def test_abandoned_checkpoints_expire_but_outlive_a_dead_letter(synthesized, env):
    rules = _videos_bucket(synthesized.template_json(env, "Storage"))["Properties"]["LifecycleConfiguration"][
        "Rules"
    ]
    (rule,) = [r for r in rules if r.get("Prefix") == STATE_PREFIX]
    # A redrive from the DLQ (kept DLQ_RETENTION_DAYS) must still find the checkpoint to resume from.
    assert rule["ExpirationInDays"] == CONFIGS[env].state_expiry_days >= DLQ_RETENTION_DAYS
    assert rule["Status"] == "Enabled"
    assert not any(r.get("Prefix") == RESULTS_PREFIX for r in rules), "results are the product: kept"


def test_notifications_cover_each_video_suffix_in_both_cases_under_uploads(synthesized, env):
    props = _videos_bucket(synthesized.template_json(env, "Storage"))["Properties"]
    configurations = props["NotificationConfiguration"]["QueueConfigurations"]
    seen = set()
    for configuration in configurations:
        rules = {r["Name"]: r["Value"] for r in configuration["Filter"]["S3Key"]["Rules"]}
        assert rules["prefix"] == UPLOAD_PREFIX
        assert configuration["Event"] in NOTIFICATION_EVENTS
        # The destination is the processing queue from the queue stack.
        assert "LifeStream-%s-Queue" % env in str(configuration["Queue"])
        seen.add(rules["suffix"])
    assert seen == set(NOTIFICATION_SUFFIXES)
    assert {".mp4", ".MP4", ".mov", ".MOV", ".avi", ".AVI", ".mkv", ".MKV"} <= seen
    assert len(configurations) == len(NOTIFICATION_SUFFIXES) * len(NOTIFICATION_EVENTS)


def test_no_notification_custom_resource_is_needed(synthesized, env):
    # Native NotificationConfiguration: no Lambda-backed Custom::S3BucketNotifications (and no cycle).
    assert not resources_of(synthesized.template_json(env, "Storage"), "Custom::S3BucketNotifications")


def test_dev_data_is_disposable_and_prod_data_is_kept(synthesized):
    dev = synthesized.template_json("dev", "Storage")
    prod = synthesized.template_json("prod", "Storage")
    assert _videos_bucket(dev)["DeletionPolicy"] == "Delete"
    assert resources_of(dev, "Custom::S3AutoDeleteObjects")
    assert _videos_bucket(prod)["DeletionPolicy"] == "Retain"
    assert all(b["DeletionPolicy"] == "Retain" for b in resources_of(prod, "AWS::S3::Bucket").values())
    assert not resources_of(prod, "Custom::S3AutoDeleteObjects")


def test_access_logs_are_versioned_and_old_versions_expire(synthesized, env):
    template = synthesized.template_json(env, "Storage")
    (logs,) = [v for k, v in resources_of(template, "AWS::S3::Bucket").items() if "AccessLogs" in k]
    assert logs["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = logs["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == CONFIGS[env].access_log_expiry_days
    assert (
        rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == CONFIGS[env].noncurrent_version_expiry_days
    )
