"""The audits of every synthesis and the findings we accept — each with its reason.

cdk-nag AwsSolutions runs inside synthesis; checkov runs over the synthesized templates (CI, and
tests/infra/test_checkov.py). Acknowledgments are attached to the narrowest construct that produces the
finding, and to the exact finding id (`Rule[Finding]`) where the rule reports several, so a new wildcard
elsewhere still fails. checkov skips are resource metadata (`Metadata.checkov.skip`), one comment each.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, CfnResource, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

# The singleton Lambda handlers the CDK generates for its own custom resources (bucket auto-delete,
# default security group lock-down, triggers): their code, runtime and settings are the CDK's.
CDK_PROVIDER_HANDLER_MARK = "CustomResourceProvider"
CDK_PROVIDER_SKIPS = {
    "CKV_AWS_115": "CDK-generated custom-resource provider, invoked by CloudFormation only during deploys; "
    "a concurrency reservation would take from the account's unreserved pool for nothing.",
    "CKV_AWS_116": "CDK-generated custom-resource provider, invoked synchronously by CloudFormation, "
    "which reports a failure itself; a DLQ only serves asynchronous invocations.",
    "CKV_AWS_117": "CDK-generated custom-resource provider that calls AWS APIs only and holds no data; "
    "its code and settings are the CDK's (no VPC option).",
}


def enable_audit(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
    for stack in (c for c in app.node.children if isinstance(c, Stack)):
        for resource in stack.node.find_all():
            if (
                isinstance(resource, CfnResource)
                and resource.cfn_resource_type == "AWS::Lambda::Function"
                and CDK_PROVIDER_HANDLER_MARK in resource.node.path
            ):
                for check, comment in CDK_PROVIDER_SKIPS.items():
                    checkov_skip(resource, check, comment)


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


MANAGED_POLICY_PREFIX = "arn:<AWS::Partition>:iam::aws:policy/service-role/"


def acknowledge_vpc_function(function: IConstruct) -> None:
    """The findings every LifeStream function in the VPC shares: its runtime and its two AWS-managed
    execution policies."""
    acknowledge(
        function,
        "AwsSolutions-L1",
        "Runtime is pinned to python3.13 (stacks.bundling.LAMBDA_RUNTIME), the newest Python Lambda "
        "runs; the Lambda locks and the bundler are made for exactly it.",
    )
    acknowledge(
        function,
        f"AwsSolutions-IAM4[Policy::{MANAGED_POLICY_PREFIX}AWSLambdaBasicExecutionRole]",
        "AWS-maintained policy limited to creating log streams and putting log events.",
    )
    acknowledge(
        function,
        f"AwsSolutions-IAM4[Policy::{MANAGED_POLICY_PREFIX}AWSLambdaVPCAccessExecutionRole]",
        "AWS-maintained policy for a VPC function's network interfaces; those EC2 actions cannot "
        "be scoped to resources, so a custom policy would be no narrower.",
    )


NO_CMK_PER_LOG_GROUP = (
    "a CMK per group would add a key policy for logs.<region> and a monthly key cost for logs that hold "
    "no secrets."
)


def accept_service_key_logs(group: IConstruct, why: str = NO_CMK_PER_LOG_GROUP) -> None:
    """checkov's CKV_AWS_158 (a customer-managed key per log group), with `why` this group needs none."""
    service_key = "CloudWatch Logs encrypts every log group at rest with a service-owned key"
    checkov_skip(group, "CKV_AWS_158", f"{service_key}; {why}")


def nag_rendering(value: str, *, scope: IConstruct) -> str:
    """How cdk-nag prints a resolved value in finding ids: pseudo parameters as <AWS::Name>."""
    resolved = Stack.of(scope).resolve(value)
    if isinstance(resolved, str):
        return resolved
    parts = resolved["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else f"<{p['Ref']}>" for p in parts)


def checkov_skip(scope: IConstruct, check: str, comment: str) -> None:
    """Record an accepted checkov finding on the CloudFormation resource behind `scope`."""
    resource = scope if isinstance(scope, CfnResource) else scope.node.default_child
    if not isinstance(resource, CfnResource):
        raise TypeError(f"{scope.node.path} has no CloudFormation resource to carry a checkov skip")
    if not comment.strip():
        raise ValueError(f"checkov skip {check} on {scope.node.path} needs a reason")
    metadata = resource.get_metadata("checkov") or {}
    skips = [s for s in metadata.get("skip", []) if s["id"] != check]
    resource.add_metadata("checkov", {**metadata, "skip": [*skips, {"id": check, "comment": comment}]})
