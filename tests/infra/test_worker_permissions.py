"""The worker's S3 code under exactly the S3 statements the stack gives its role, enforced by moto's IAM
simulation (moto server, in this process): everything the worker does works, nothing more is allowed.
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core.authorization import enable_iam_authentication

from lifestream.core.constants import LOCAL_ACCOUNT
from lifestream.core.errors import AccessDeniedError
from lifestream.storage.s3_service import S3Service
from lifestream.storage.s3_checkpoint import S3Checkpoint
from tests.infra.conftest import render, resources_of

BUCKET = f"lifestream-dev-videos-{LOCAL_ACCOUNT}"


def _s3_policy(synthesized) -> dict:
    template = synthesized.template_json("dev", "Processing")
    policy = next(
        v for k, v in resources_of(template, "AWS::IAM::Policy").items() if k.startswith("WorkerFunction")
    )
    statements = []
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if not any(a.startswith("s3:") for a in actions):
            continue
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        rendered = [
            render(r).replace("${AWS::Partition}", "aws").replace("${AWS::AccountId}", LOCAL_ACCOUNT)
            for r in resources
        ]
        statements.append({"Effect": statement["Effect"], "Action": actions, "Resource": rendered})
    return {"Version": "2012-10-17", "Statement": statements}


@pytest.fixture
def worker_s3(synthesized, moto_endpoint, monkeypatch, tmp_path):
    """Credentials of an IAM user holding only the worker's S3 statements, and an upload to work on."""
    admin = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    if BUCKET not in {b["Name"] for b in admin.list_buckets()["Buckets"]}:
        admin.create_bucket(Bucket=BUCKET)
        admin.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version = admin.put_object(Bucket=BUCKET, Key="uploads/talk.mp4", Body=b"video bytes")["VersionId"]
    admin.put_object(Bucket=BUCKET, Key="uploads/talk.srt", Body=b"1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")
    user = f"worker-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user, PolicyName="worker-s3", PolicyDocument=json.dumps(_s3_policy(synthesized))
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)  # the suite's fake token belongs to no IAM user
    service = S3Service(BUCKET, region="us-east-1", endpoint_url=moto_endpoint)
    with enable_iam_authentication():
        yield service, version


def test_everything_the_worker_does_with_s3_is_allowed(worker_s3, tmp_path):
    s3, version = worker_s3
    # uploads/: head (latest and the event's version), download that version, list for sidecars
    assert s3.get_file_metadata("uploads/talk.mp4").size == len(b"video bytes")
    assert s3.get_file_metadata("uploads/talk.mp4", version_id=version).version_id == version
    s3.download_file("uploads/talk.mp4", tmp_path / "in" / "talk.mp4", version_id=version)
    assert [o.key for o in s3.iter_files("uploads/talk.")] == ["uploads/talk.mp4", "uploads/talk.srt"]
    assert s3.file_exists("uploads/talk.srt") and not s3.file_exists("uploads/talk.vtt")
    # results/: upload (then head what was written)
    (tmp_path / "summary.json").write_text("{}")
    assert s3.upload_file(tmp_path / "summary.json", "results/v1/summary.json").size == 2
    # state/: the checkpoint's whole life
    checkpoint = S3Checkpoint(s3.client, BUCKET, "v1")
    checkpoint.save("probe", {"duration": 3.0})
    assert checkpoint.load("probe") == {"duration": 3.0} and checkpoint.load("scenes") is None
    (tmp_path / "frames").mkdir()
    (tmp_path / "frames" / "f1.jpg").write_bytes(b"\xff\xd8jpeg")
    assert checkpoint.save_files("keyframes", tmp_path / "frames") == 1
    assert checkpoint.restore_files("keyframes", tmp_path / "restored") == 1
    # A new version replaces the old one's memory: its results/ and state/ objects are deleted. The
    # worker's remove_results and checkpoint.clear send DeleteObjects, which AWS authorizes per key
    # (s3:DeleteObject on each object) but moto against the bucket ARN; a single delete per key checks the
    # same action on the same resources.
    doomed = [o.key for prefix in ("results/v1/", "state/v1/") for o in s3.iter_files(prefix)]
    assert len(doomed) == 3
    for key in doomed:
        s3.client.delete_object(Bucket=BUCKET, Key=key)
    assert [o.key for o in s3.iter_files("results/v1/")] == [] == [o.key for o in s3.iter_files("state/v1/")]


def test_the_worker_cannot_touch_uploads_write_elsewhere_or_purge_versions(worker_s3, tmp_path):
    s3, _ = worker_s3
    planted = tmp_path / "planted.mp4"
    planted.write_bytes(b"not a video")
    with pytest.raises(AccessDeniedError):
        s3.upload_file(planted, "uploads/planted.mp4")
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.client.delete_object(Bucket=BUCKET, Key="uploads/talk.mp4")
    with pytest.raises(AccessDeniedError):
        s3.upload_file(planted, "elsewhere/file.txt")
    checkpoint = tmp_path / "probe.json"
    checkpoint.write_text("{}")
    checkpoint_version = s3.upload_file(checkpoint, "state/v2/probe.json").version_id
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.client.delete_object(Bucket=BUCKET, Key="state/v2/probe.json", VersionId=checkpoint_version)
