"""The app as a whole: stack set and names per environment, dependency direction, outputs, tags,
and synthesis through the npm CDK CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import COMPONENTS, REPO_ROOT


def test_each_environment_has_its_own_stacks(synthesized, env):
    names = {stack.stack_name for stack in synthesized.stacks[env].all()}
    assert names == {f"LifeStream-{env}-{component}" for component in COMPONENTS}


def test_synthesis_has_no_cycles_and_the_expected_order(synthesized, env):
    stacks = synthesized.stacks[env]
    assert synthesized.error is None, synthesized.error
    assert stacks.queue.dependencies == []
    assert stacks.database.dependencies == []
    assert set(stacks.processing.dependencies) == {stacks.queue, stacks.storage, stacks.database}
    assert {stacks.queue, stacks.processing} <= set(stacks.alarms.dependencies)
    assert stacks.billing.dependencies == []
    # Users outlive any API deployment: the pool's stack depends only on the site its client returns to.
    assert stacks.auth.dependencies == [stacks.web]
    assert stacks.web.dependencies == []
    # The API runs after the migrations (processing) against the bucket (storage) and the database, on
    # the HTTP API resource of the Web stack.
    assert set(stacks.api.dependencies) == {
        stacks.auth,
        stacks.storage,
        stacks.database,
        stacks.processing,
        stacks.web,
    }


@pytest.mark.parametrize(
    ("component", "outputs"),
    [
        ("Storage", {"BucketName"}),
        ("Queue", {"QueueUrl", "DlqUrl"}),
        ("Database", {"DatabaseEndpoint", "DatabaseSecretArn"}),
        ("Alarms", {"AlarmTopicArn"}),
        ("Auth", {"UserPoolId", "UserPoolClientId", "UserPoolIssuer", "AuthDomain"}),
        ("Api", {"ApiUrl", "ApiFunctionName"}),
        ("Web", {"SiteUrl", "DistributionId", "SiteBucketName"}),
    ],
)
def test_stack_outputs(synthesized, env, component, outputs):
    assert outputs <= set(synthesized.template_json(env, component).get("Outputs", {}))


def test_resources_are_tagged_with_the_environment(synthesized, env):
    bucket = next(
        v
        for v in synthesized.template_json(env, "Storage")["Resources"].values()
        if v["Type"] == "AWS::S3::Bucket"
    )
    tags = {t["Key"]: t["Value"] for t in bucket["Properties"]["Tags"]}
    assert tags["Environment"] == env and tags["Project"] == "lifestream"


def test_prod_stacks_are_termination_protected(synthesized):
    assert all(stack.termination_protection for stack in synthesized.stacks["prod"].all())
    assert not any(stack.termination_protection for stack in synthesized.stacks["dev"].all())


def test_unknown_environment_fails_with_the_valid_names(tmp_path):
    env = {**os.environ, "CDK_OUTDIR": str(tmp_path), "CDK_CONTEXT_JSON": json.dumps({"env": "qa"})}
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "app.py")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "unknown environment 'qa'" in result.stderr
    assert "dev, staging, prod" in result.stderr
    assert "Traceback" not in result.stderr


CDK_CLI = REPO_ROOT / "node_modules" / ".bin" / "cdk"


@pytest.mark.slow
@pytest.mark.skipif(
    not CDK_CLI.exists() or shutil.which("node") is None, reason="run `npm ci` for the CDK CLI"
)
def test_cdk_cli_synthesizes_offline(tmp_path):
    # GIVEN the pinned npm CLI, telemetry and version checks off (no network)
    env = {
        **os.environ,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "CDK_DISABLE_VERSION_CHECK": "1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    # WHEN synthesizing staging through it, asset bundling skipped
    result = subprocess.run(
        [
            str(CDK_CLI),
            "synth",
            "-q",
            "--no-notices",
            "-c",
            "env=staging",
            "-c",
            "bundling=skip",
            "-o",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # THEN it succeeds (cdk-nag included) and writes that environment's templates
    assert result.returncode == 0, result.stderr[-3000:]
    written = {p.name for p in Path(tmp_path).glob("*.template.json")}
    assert written == {f"LifeStream-staging-{c}.template.json" for c in COMPONENTS}


def test_summary_lists_every_stack_with_its_outputs(synthesized):
    from rich.console import Console

    from stacks.summary import summarize

    console = Console(width=200, record=True)
    console.print(summarize(synthesized.outdir, ["dev", "prod"]))
    text = console.export_text()
    for component in COMPONENTS:
        assert text.count(f" {component} ") >= 2, component
    assert "BucketName" in text and "DatabaseSecretArn" in text and "us-east-1" in text
    assert "PublishOutput" not in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ["dev"]),
        ("prod", ["prod"]),
        ("dev,prod", ["dev", "prod"]),
        ("all", ["dev", "staging", "prod"]),
    ],
)
def test_one_synthesis_can_hold_several_environments(value, expected):
    from stacks.application import create_app

    context = {"aws:cdk:bundling-stacks": []} | ({"env": value} if value else {})
    _, built = create_app(context)
    assert list(built) == expected
