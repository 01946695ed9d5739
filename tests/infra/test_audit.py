"""Audits CI relies on: cdk-nag AwsSolutions with zero unacknowledged findings in every environment,
every acknowledgment reasoned, and cfn-lint clean on every synthesized template."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import COMPONENTS, ENVIRONMENTS


def _violations(report: dict) -> list[str]:
    found = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for resource in violation.get("violatingConstructs", violation.get("violatingResources", [])):
                found.append(f"{violation['ruleName']} at {resource.get('constructPath')}")
    return found


def test_cdk_nag_reports_no_unacknowledged_findings(synthesized):
    # A failing plugin aborts synthesis after writing its report (an empty report means all passed);
    # test_cdk_nag_catches_a_violation shows the plugin does fail synthesis.
    assert _violations(synthesized.validation_report()) == []
    assert synthesized.error is None, synthesized.error
    acknowledged = [p for p in synthesized.template_paths() if "cdk_nag" in p.read_text()]
    assert acknowledged, "no cdk-nag metadata: the audit plugin was not registered"


def _acknowledgments(template: dict) -> list[dict]:
    rules = []
    for resource in template["Resources"].values():
        rules += resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    return rules


def test_every_acknowledgment_carries_a_specific_reason(synthesized):
    seen = set()
    for path in synthesized.template_paths():
        for rule in _acknowledgments(json.loads(path.read_text())):
            if not rule["id"].startswith("AwsSolutions-"):
                continue  # the CDK's own acknowledgments of its built-in CloudFormation checks
            seen.add(rule["id"].split("[")[0])
            assert len(rule["reason"]) >= 40, rule
    # The accepted findings, and nothing broader (e.g. no blanket IAM5 without a finding id).
    assert seen <= {
        "AwsSolutions-L1",
        "AwsSolutions-IAM4",
        "AwsSolutions-IAM5",
        "AwsSolutions-RDS3",
        "AwsSolutions-RDS10",
        "AwsSolutions-RDS11",
        "AwsSolutions-EC26",
        "AwsSolutions-EC28",
        "AwsSolutions-EC29",
        "AwsSolutions-COG2",
        "AwsSolutions-COG8",
        "AwsSolutions-APIG4",
        # CloudFront without geo restriction, WAF or a custom domain's TLS policy (stacks/web.py).
        "AwsSolutions-CFR1",
        "AwsSolutions-CFR2",
        "AwsSolutions-CFR4",
    }


def test_prod_acknowledges_less_than_dev(synthesized):
    def ids(env: str) -> set[str]:
        return {
            rule["id"]
            for path in synthesized.template_paths()
            if path.name.startswith(f"LifeStream-{env}-")
            for rule in _acknowledgments(json.loads(path.read_text()))
        }

    # Prod is Multi-AZ, deletion-protected, has no NAT instance, requires MFA and enforces threat
    # protection: those findings are fixed, not accepted.
    fixed_in_prod = {
        "AwsSolutions-RDS3",
        "AwsSolutions-RDS10",
        "AwsSolutions-EC26",
        "AwsSolutions-COG2",
        "AwsSolutions-COG8",
    }
    assert fixed_in_prod <= ids("dev")
    assert not fixed_in_prod & ids("prod")


def test_cfn_lint_finds_no_errors(synthesized):
    paths = [str(p) for p in synthesized.template_paths()]
    assert len(paths) == len(COMPONENTS) * len(ENVIRONMENTS)
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "--format", "json", "--", *paths], capture_output=True, text=True, timeout=300
    )
    findings = json.loads(result.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert errors == [], errors[:5]
    # Only W3005 (redundant DependsOn the CDK emits for its own roles) is tolerated among warnings.
    assert {f["Rule"]["Id"] for f in findings} <= {"W3005"}


@pytest.mark.slow
def test_cdk_nag_catches_a_violation():
    # GIVEN a bucket without TLS enforcement or access logs
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    from stacks.audit import enable_audit

    app = cdk.App()
    stack = cdk.Stack(app, "Probe")
    s3.Bucket(stack, "Careless")
    enable_audit(app)
    # WHEN synthesized, THEN the audit fails the synthesis
    with pytest.raises(Exception, match="AwsSolutions-S10"):
        app.synth()


@pytest.mark.slow
def test_audit_passes_with_a_concrete_account_and_region(tmp_path, monkeypatch):
    # Acknowledged finding ids embed rendered ARNs; they must still match when the account is literal.
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "111122223333")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    from stacks.application import create_app

    app, stacks = create_app({"aws:cdk:bundling-stacks": []}, outdir=str(tmp_path), environments=["dev"])
    app.synth()
    assert stacks["dev"].storage.account == "111122223333"
    report = (
        json.loads((tmp_path / "validation-report.json").read_text())
        if (tmp_path / "validation-report.json").exists()
        else {}
    )
    assert _violations(report) == []
