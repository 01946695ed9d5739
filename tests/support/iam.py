"""A function's IAM policy, taken from the synthesized template, as the identity of a moto IAM user.

The statements are the template's own (every AWS::IAM::Policy attached to the function's role), rendered
with the local partition, account and region; the only rewrite is of the environment's resource names to
the test's own (`ResourceNames` of the synthesized env -> those of the test's local cloud), so that each
test keeps its own bucket and queues. Under `moto.core.authorization.enable_iam_authentication()` moto
then refuses every call the template does not allow.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import boto3

from lifestream.core.constants import LOCAL_ACCOUNT, ResourceNames

REGION = "us-east-1"


def _render(value: Any, imports: dict[str, str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return "${%s}" % value["Ref"]
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_render(part, imports) for part in parts)
    if isinstance(value, dict) and ("Fn::ImportValue" in value or "Fn::GetStackOutput" in value):
        # Another stack's output (an export, or the CDK's cross-stack output reference), by its name.
        export = value.get("Fn::ImportValue") or value["Fn::GetStackOutput"]["OutputName"]
        if not isinstance(export, str):
            raise Unrenderable(json.dumps(value))
        for needle, arn in imports.items():
            if needle in export:
                return arn
        raise Unrenderable(f"no local stand-in for {export!r}: add one to `imports`")
    raise Unrenderable(json.dumps(value))


class Unrenderable(ValueError):
    """A resource expression with no local meaning (another stack's output, a secret's ARN)."""


# What runs locally: statements of other services (Secrets Manager, KMS, ...) name resources the local
# cloud does not have, and the code makes no such call here; they are left out.
LOCAL_SERVICES = ("s3:", "sqs:")


def role_statements(template: dict, function_prefix: str) -> list[dict]:
    """Every statement of the policies attached to the role of the function whose logical id starts with
    `function_prefix` (its default policy, and any other the stack attaches)."""
    functions = {
        k: v
        for k, v in template["Resources"].items()
        if v["Type"] == "AWS::Lambda::Function" and k.startswith(function_prefix)
    }
    assert len(functions) == 1, f"expected one function {function_prefix}*, got {sorted(functions)}"
    role = next(iter(functions.values()))["Properties"]["Role"]["Fn::GetAtt"][0]
    statements: list[dict] = []
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        if {"Ref": role} in resource["Properties"].get("Roles", []):
            # Copies: the synthesized templates are shared by the whole session.
            statements += copy.deepcopy(resource["Properties"]["PolicyDocument"]["Statement"])
    assert statements, f"no policy is attached to the role of {function_prefix}"
    return statements


def local_policy(
    statements: list[dict],
    *,
    synthesized_env: str,
    names: ResourceNames,
    imports: dict[str, str] | None = None,
    services: tuple[str, ...] = LOCAL_SERVICES,
) -> dict:
    """The statements as a policy document for the test's local resources (those of `services`)."""
    template_names = ResourceNames(env=synthesized_env, account=LOCAL_ACCOUNT)
    renames = {
        template_names.bucket: names.bucket,
        f":{template_names.dlq}": f":{names.dlq}",
        f":{template_names.queue}": f":{names.queue}",
    }

    def localize(value: Any) -> str:
        text = _render(value, imports or {})
        for placeholder, local in (
            ("${AWS::Partition}", "aws"),
            ("${AWS::AccountId}", LOCAL_ACCOUNT),
            ("${AWS::Region}", REGION),
            ("${AWS::URLSuffix}", "amazonaws.com"),
        ):
            text = text.replace(placeholder, local)
        for old, new in renames.items():
            text = text.replace(old, new)
        return text

    rendered = []
    for statement in statements:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if not any(a.startswith(services) for a in actions):
            continue
        entry = {
            "Effect": statement["Effect"],
            "Action": actions,
            "Resource": [localize(r) for r in resources],
        }
        if "Condition" in statement:
            entry["Condition"] = statement["Condition"]
        rendered.append(entry)
    return {"Version": "2012-10-17", "Statement": rendered}


def user_with_policy(endpoint_url: str, policy: dict, *, name: str = "role") -> dict[str, str]:
    """A new IAM user holding `policy`; its access key as boto3 client keyword arguments."""
    iam = boto3.client("iam", endpoint_url=endpoint_url, region_name=REGION)
    user = f"{name}-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName=name, PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def act_as(monkeypatch, credentials: dict[str, str]) -> None:
    """Make every client created from now on (boto3's default chain) use these credentials."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["aws_secret_access_key"])
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)  # the suite's fake token belongs to no IAM user
    # boto3.client() reuses one default session, which keeps the credentials it found first.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


# --- what AWS authorizes, for the calls moto does not authorize as AWS does ------------------------------
# The IAM action(s) and resource each S3 operation needs, from the S3 API Reference's "Permissions" of each
# operation. Where moto 5.2.5 does not authorize as AWS does: DeleteObjects is authorized against the
# bucket's ARN, not per key (stricter than AWS for a role scoped to prefixes); HeadObject with a versionId
# is authorized as s3:GetObject, not s3:GetObjectVersion (laxer); presigned GETs and PUTs and POST uploads
# are answered with a 500 under IAM authentication (so they run outside it), and presigning itself sends
# no request. The tests record every S3 call and presign and hold each to the policy by these rules.


def _object(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def required(operation: str, params: dict) -> list[tuple[str, str]]:
    """(action, resource ARN) pairs AWS checks for one S3 call."""
    bucket = params.get("Bucket", "")
    key = params.get("Key", "")
    versioned = bool(params.get("VersionId"))
    per_object = {
        "HeadObject": "s3:GetObjectVersion" if versioned else "s3:GetObject",
        "GetObject": "s3:GetObjectVersion" if versioned else "s3:GetObject",
        "PutObject": "s3:PutObject",
        "CreateMultipartUpload": "s3:PutObject",
        "UploadPart": "s3:PutObject",
        "CompleteMultipartUpload": "s3:PutObject",
        "AbortMultipartUpload": "s3:AbortMultipartUpload",
        "ListParts": "s3:ListMultipartUploadParts",
        "DeleteObject": "s3:DeleteObjectVersion" if versioned else "s3:DeleteObject",
        "PostObject": "s3:PutObject",
        "PutObjectTagging": "s3:PutObjectVersionTagging" if versioned else "s3:PutObjectTagging",
        "GetObjectTagging": "s3:GetObjectVersionTagging" if versioned else "s3:GetObjectTagging",
    }
    if operation in per_object:
        return [(per_object[operation], _object(bucket, key))]
    if operation == "DeleteObjects":
        return [
            ("s3:DeleteObjectVersion" if o.get("VersionId") else "s3:DeleteObject", _object(bucket, o["Key"]))
            for o in params.get("Delete", {}).get("Objects", [])
        ]
    if operation in ("ListObjectsV2", "ListObjects"):
        return [("s3:ListBucket", f"arn:aws:s3:::{bucket}")]
    if operation == "ListObjectVersions":
        return [("s3:ListBucketVersions", f"arn:aws:s3:::{bucket}")]
    raise AssertionError(f"no AWS permission recorded here for s3:{operation}: add it to required()")


# SQS authorizes each batch operation by its single action (SQS Developer Guide, "Amazon SQS API
# permissions"); moto checks the batch's own name, so the moto user also gets the batch names.
SQS_ACTIONS = {
    "ReceiveMessage": "sqs:ReceiveMessage",
    "DeleteMessage": "sqs:DeleteMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "SendMessage": "sqs:SendMessage",
    "SendMessageBatch": "sqs:SendMessage",
    "ChangeMessageVisibility": "sqs:ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "GetQueueAttributes": "sqs:GetQueueAttributes",
    "GetQueueUrl": "sqs:GetQueueUrl",
}


def sqs_required(operation: str, params: dict) -> list[tuple[str, str]]:
    if operation not in SQS_ACTIONS:
        raise AssertionError(f"no AWS permission recorded here for sqs:{operation}: add it to SQS_ACTIONS")
    name = params.get("QueueName") or params["QueueUrl"].rstrip("/").rsplit("/", 1)[-1]
    account = params.get("QueueOwnerAWSAccountId") or LOCAL_ACCOUNT
    return [(SQS_ACTIONS[operation], f"arn:aws:sqs:{REGION}:{account}:{name}")]


def as_moto_authorizes(policy: dict, bucket: str | None = None) -> dict:
    """The policy, plus what moto needs where it does not authorize as AWS: DeleteObjects against the
    bucket's ARN, the SQS batch operations by their own names, and Secrets Manager actions against "*"
    (moto names no resource for them). The recorded calls are still held to the template's own policy, as
    AWS authorizes them (`S3Calls.refused_by`). The template's Secrets Manager statements themselves are left
    out of moto's copy: a secret imported by name is granted on `name-??????` (any 6-character suffix), and
    moto 5.2.5 turns IAM's `?` into a regular expression that does not compile (its answer is a 500)."""
    extra = []
    if bucket:
        extra.append({"Effect": "Allow", "Action": ["s3:DeleteObject"], "Resource": [f"arn:aws:s3:::{bucket}"]})
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        batches = [f"{a}Batch" for a in actions if a in ("sqs:DeleteMessage", "sqs:SendMessage", "sqs:ChangeMessageVisibility")]
        if batches:
            extra.append({"Effect": "Allow", "Action": batches, "Resource": statement["Resource"]})
        secrets = [a for a in actions if a.startswith("secretsmanager:")]
        if secrets:
            extra.append({"Effect": "Allow", "Action": secrets, "Resource": ["*"]})
    kept = [
        statement
        for statement in policy["Statement"]
        if not all(
            a.startswith("secretsmanager:")
            for a in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
        )
    ]
    return {**policy, "Statement": [*kept, *extra]}


SECRETS_ACTIONS = {"GetSecretValue": "secretsmanager:GetSecretValue", "DescribeSecret": "secretsmanager:DescribeSecret"}


def allows(policy: dict, action: str, resource: str) -> bool:
    """Whether an identity policy of Allow statements (no conditions, as the stacks write them) grants
    `action` on `resource`; IAM's wildcards * and ? in both."""
    from fnmatch import fnmatchcase

    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow" and "Condition" not in statement, statement
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if any(fnmatchcase(action.lower(), a.lower()) for a in actions) and any(
            fnmatchcase(resource, r) for r in statement["Resource"]
        ):
            return True
    return False


class S3Calls:
    """Every S3 (and SQS, Secrets Manager) call made while active, by any client, and every presign by the
    clients created while active: botocore's API-call
    entry point and its two presigners, wrapped."""

    def __init__(self, monkeypatch) -> None:
        import botocore.client
        import botocore.signers

        self.calls: list[tuple[str, dict]] = []
        make_call = botocore.client.BaseClient._make_api_call
        presign_url = botocore.signers.generate_presigned_url
        presign_post = botocore.signers.generate_presigned_post
        calls = self.calls

        def recording_call(client, operation, params):
            service = client.meta.service_model.service_name
            if service in ("s3", "sqs", "secretsmanager"):
                calls.append((operation if service == "s3" else f"{service}:{operation}", dict(params)))
            return make_call(client, operation, params)

        def recording_url(client, ClientMethod, Params=None, **kwargs):  # noqa: N803 (botocore's names)
            operation = client.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
            calls.append((operation, dict(Params or {})))
            return presign_url(client, ClientMethod, Params=Params, **kwargs)

        def recording_post(client, Bucket, Key, **kwargs):  # noqa: N803
            calls.append(("PostObject", {"Bucket": Bucket, "Key": Key}))
            return presign_post(client, Bucket, Key, **kwargs)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording_call)
        # The presigners are added to each client class when it is created (clients made from here on).
        monkeypatch.setattr(botocore.signers, "generate_presigned_url", recording_url)
        monkeypatch.setattr(botocore.signers, "generate_presigned_post", recording_post)

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]

    def refused_by(self, policy: dict, *, secret_arns: dict[str, str] | None = None) -> list[str]:
        """The recorded calls the policy does not allow as AWS authorizes them. A secret read by name is
        authorized on the secret's full ARN (name and random suffix): `secret_arns` maps names to ARNs."""
        refused = []
        for operation, params in self.calls:
            if operation.startswith("sqs:"):
                needs = sqs_required(operation.removeprefix("sqs:"), params)
            elif operation.startswith("secretsmanager:"):
                # Called with the secret's full ARN (LIFESTREAM_DATABASE_SECRET), as the policy names it.
                secret = params["SecretId"]
                needs = [(SECRETS_ACTIONS[operation.split(":", 1)[1]], (secret_arns or {}).get(secret, secret))]
            else:
                needs = required(operation, params)
            for action, resource in needs:
                if not allows(policy, action, resource):
                    refused.append(f"{operation} needs {action} on {resource}")
        return refused
