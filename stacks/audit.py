"""cdk-nag AwsSolutions checks for every synthesis, and the findings we accept — each with its reason.

Acknowledgments are attached to the narrowest construct that produces the finding, and to the exact
finding id (`Rule[Finding]`) where the rule reports several, so a new wildcard elsewhere still fails.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def enable_audit(app: App) -> None:
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
