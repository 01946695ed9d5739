"""The IAM tests are only as good as moto's authorization: this pins the one difference from AWS that a moto
release has shown, so that an upgrade which brings it back fails here, saying why, and not as a puzzling
AccessDenied in tests/infra/test_*_permissions.py.

AWS authorizes HeadObject by s3:GetObject ("To use HEAD, you must have the s3:GetObject permission",
HeadObject in the Amazon S3 API Reference); there is no s3:HeadObject action. moto 5.2.5 and earlier agree;
5.2.6 answers 403. requirements.in pins moto to 5.2.5 for this reason.
"""

from __future__ import annotations

import json
import uuid

import boto3
import moto
import pytest
from botocore.exceptions import ClientError
from moto.core.authorization import enable_iam_authentication

BUCKET = "authorization-probe"


def _user_with(moto_endpoint: str, actions: list[str]) -> dict:
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")
    user = f"probe-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": f"arn:aws:s3:::{BUCKET}/*"}],
    }
    iam.put_user_policy(UserName=user, PolicyName="probe", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


@pytest.fixture
def probe_object(moto_endpoint):
    admin = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    if BUCKET not in {b["Name"] for b in admin.list_buckets()["Buckets"]}:
        admin.create_bucket(Bucket=BUCKET)
    admin.put_object(Bucket=BUCKET, Key="uploads/clip.mp4", Body=b"video")
    return "uploads/clip.mp4"


def _s3(moto_endpoint: str, credentials: dict):
    # No session token: the suite's fake one belongs to no IAM user.
    return boto3.client(
        "s3", endpoint_url=moto_endpoint, region_name="us-east-1", aws_session_token=None, **credentials
    )


def test_head_object_is_authorized_by_get_object_as_on_aws(moto_endpoint, probe_object):
    s3 = _s3(moto_endpoint, _user_with(moto_endpoint, ["s3:GetObject"]))
    with enable_iam_authentication():
        try:
            s3.head_object(Bucket=BUCKET, Key=probe_object)
        except ClientError as error:  # pragma: no cover - the failure this test exists for
            pytest.fail(
                f"moto {moto.__version__} refuses HeadObject to a policy allowing s3:GetObject "
                f"({error.response['Error']['Code']}); AWS allows it. Pin moto to a release that authorizes "
                "as AWS does (requirements.in), or the IAM tests stop testing what AWS does."
            )


def test_authorization_is_really_on(moto_endpoint, probe_object):
    """The same call with a policy that does not allow s3:GetObject is refused: the check above means
    something."""
    s3 = _s3(moto_endpoint, _user_with(moto_endpoint, ["s3:PutObject"]))
    with enable_iam_authentication(), pytest.raises(ClientError) as refused:
        s3.head_object(Bucket=BUCKET, Key=probe_object)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
