"""checkov over every synthesized template (beside cdk-nag): no failed check, and every accepted finding
recorded on its resource (`Metadata.checkov.skip`) with a reason.

checkov lives in its own venv (.cache/checkov-venv, made by `scripts/setup.sh --dev`): its pins would
downgrade boto3, networkx and packaging in the project's venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.infra.conftest import COMPONENTS, ENVIRONMENTS, REPO_ROOT

CHECKOV_VENV = REPO_ROOT / ".cache" / "checkov-venv" / "bin" / "checkov"


def _checkov() -> str:
    found = os.environ.get("CHECKOV") or (str(CHECKOV_VENV) if CHECKOV_VENV.exists() else None)
    found = found or shutil.which("checkov")
    if found is None:
        message = "checkov is not installed: run scripts/setup.sh --dev"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing audit must not pass as skipped
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def checkov_report(synthesized) -> dict:
    assert synthesized.error is None, synthesized.error
    result = subprocess.run(
        # --skip-download: no Prisma Cloud lookups (offline); the checks themselves ship with checkov.
        [
            _checkov(),
            "-d",
            ".",
            "--framework",
            "cloudformation",
            "--skip-download",
            "--compact",
            "-o",
            "json",
        ],
        cwd=synthesized.outdir,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report = json.loads(result.stdout)
    (cloudformation,) = report if isinstance(report, list) else [report]
    return cloudformation


def test_checkov_finds_no_failed_check(checkov_report, synthesized):
    failed = [
        f"{c['check_id']} {c['resource']} ({Path(c['file_path']).name}): {c['check_name']}"
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert failed == []
    summary = checkov_report["summary"]
    assert summary["failed"] == 0 and summary["parsing_errors"] == 0
    # It really read every environment's templates.
    results = checkov_report["results"]
    scanned = {Path(c["file_path"]).name for c in results["passed_checks"] + results["skipped_checks"]}
    # checkov has no CloudFormation check for Cognito, so the Auth templates (nothing else in them)
    # yield no result; cdk-nag's COG rules audit them instead (test_audit.py).
    unchecked = {p.name for p in synthesized.template_paths() if _only_cognito(p)}
    assert unchecked == {f"LifeStream-{env}-Auth.template.json" for env in ENVIRONMENTS}
    assert scanned == {p.name for p in synthesized.template_paths()} - unchecked
    assert len(scanned) == (len(COMPONENTS) - 1) * len(ENVIRONMENTS)


def _only_cognito(path: Path) -> bool:
    types = {r["Type"] for r in json.loads(path.read_text())["Resources"].values()}
    return all(t.startswith("AWS::Cognito::") for t in types)


def test_every_checkov_skip_is_explained(checkov_report, synthesized):
    skipped = checkov_report["results"]["skipped_checks"]
    assert skipped, "no skips reported: the metadata is not reaching checkov"
    for check in skipped:
        comment = (check.get("check_result", {}).get("suppress_comment") or "").strip()
        assert len(comment) >= 40, (check["check_id"], check["resource"], comment)
    # And in the templates themselves: every skip entry carries an id and a reason.
    for path in synthesized.template_paths():
        for resource in json.loads(path.read_text())["Resources"].values():
            for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
                assert skip["id"].startswith("CKV_") and skip["comment"].strip(), (path.name, skip)


def test_prod_skips_fewer_checks_than_dev(checkov_report):
    def skipped(env: str) -> set[tuple[str, str]]:
        return {
            (c["check_id"], c["resource"])
            for c in checkov_report["results"]["skipped_checks"]
            if Path(c["file_path"]).name.startswith(f"LifeStream-{env}-")
        }

    # Multi-AZ and the worker's reserved concurrency are fixed in prod, not accepted.
    dev_only = {check for check, _ in skipped("dev") - skipped("prod")}
    assert {"CKV_AWS_157", "CKV_AWS_115"} <= dev_only


def test_a_skip_without_a_reason_is_refused():
    import aws_cdk as cdk
    from aws_cdk import aws_sqs as sqs

    from stacks.audit import checkov_skip

    queue = sqs.Queue(cdk.Stack(cdk.App(), "Probe"), "Q")
    with pytest.raises(ValueError, match="needs a reason"):
        checkov_skip(queue, "CKV_AWS_27", "  ")
