"""Alarms: an encrypted, TLS-only topic with an e-mail subscription; DLQ, queue-age, error, throttle and
billing alarms wired to it with the configured thresholds."""

from __future__ import annotations

from stacks.config import CONFIGS
from tests.infra.conftest import ALARM_EMAIL, only, render, resources_of


def _alarms(template: dict) -> dict[str, dict]:
    return {
        v["Properties"]["AlarmName"]: v["Properties"]
        for v in resources_of(template, "AWS::CloudWatch::Alarm").values()
    }


def test_topic_is_kms_encrypted_tls_only_and_mails_the_configured_address(synthesized, env):
    for component in ("Alarms", "Billing"):
        template = synthesized.template_json(env, component)
        topic = only(template, "AWS::SNS::Topic")["Properties"]
        assert "KmsMasterKeyId" in topic
        key = only(template, "AWS::KMS::Key")["Properties"]
        assert key["EnableKeyRotation"] is True
        # CloudWatch must be able to use the key, or alarm notifications are silently dropped.
        principals = [s.get("Principal", {}).get("Service") for s in key["KeyPolicy"]["Statement"]]
        assert "cloudwatch.amazonaws.com" in principals
        policy = only(template, "AWS::SNS::TopicPolicy")["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for s in policy
        )
        subscription = only(template, "AWS::SNS::Subscription")["Properties"]
        assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", ALARM_EMAIL)


def test_pipeline_alarms_and_thresholds(synthesized, env):
    alarms = _alarms(synthesized.template_json(env, "Alarms"))
    prefix = f"lifestream-{env}"
    dlq = alarms[f"{prefix}-dlq-not-empty"]
    assert (dlq["MetricName"], dlq["Namespace"], dlq["Threshold"]) == (
        "ApproximateNumberOfMessagesVisible",
        "AWS/SQS",
        0,
    )
    assert dlq["ComparisonOperator"] == "GreaterThanThreshold"
    assert "DeadLetter" in str(dlq["Dimensions"])
    age = alarms[f"{prefix}-queue-stalled"]
    assert age["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert age["Threshold"] == CONFIGS[env].alarm_oldest_message_seconds
    assert "DeadLetter" not in str(age["Dimensions"]) and "ProcessingQueue" in str(age["Dimensions"])
    errors = alarms[f"{prefix}-worker-errors"]
    throttles = alarms[f"{prefix}-worker-throttled"]
    assert (errors["MetricName"], errors["Namespace"]) == ("Errors", "AWS/Lambda")
    assert errors["Threshold"] == CONFIGS[env].alarm_worker_errors
    assert (throttles["MetricName"], throttles["Threshold"]) == ("Throttles", 0)
    assert all("Worker" in str(a["Dimensions"]) for a in (errors, throttles))


def test_api_alarms_watch_server_errors_and_the_function(synthesized, env):
    alarms = _alarms(synthesized.template_json(env, "Alarms"))
    prefix = f"lifestream-{env}"
    server = alarms[f"{prefix}-api-5xx"]
    assert (server["Namespace"], server["MetricName"], server["Statistic"]) == (
        "AWS/ApiGateway",
        "5xx",
        "Sum",
    )
    assert server["Threshold"] == CONFIGS[env].alarm_api_server_errors
    (dimension,) = server["Dimensions"]
    assert dimension["Name"] == "ApiId" and "RefHttpApi" in str(dimension["Value"])
    errors = alarms[f"{prefix}-api-function-errors"]
    throttles = alarms[f"{prefix}-api-function-throttled"]
    assert (errors["MetricName"], errors["Threshold"]) == ("Errors", 0)
    assert (throttles["MetricName"], throttles["Threshold"]) == ("Throttles", 0)
    for alarm in (errors, throttles):
        assert alarm["Namespace"] == "AWS/Lambda" and "ApiFunction" in str(alarm["Dimensions"])
    stacks = synthesized.stacks[env]
    assert stacks.api in stacks.alarms.dependencies


def test_every_alarm_notifies_the_topic(synthesized, env):
    for component in ("Alarms", "Billing"):
        template = synthesized.template_json(env, component)
        topic_id = next(iter(resources_of(template, "AWS::SNS::Topic")))
        for alarm in _alarms(template).values():
            assert alarm["AlarmActions"] == [{"Ref": topic_id}]
            assert alarm["TreatMissingData"] == "notBreaching"


def test_billing_alarm_lives_in_us_east_1_with_the_configured_usd_threshold(synthesized, env):
    stacks = synthesized.stacks[env]
    assert stacks.billing.region == "us-east-1"
    (alarm,) = _alarms(synthesized.template_json(env, "Billing")).values()
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Billing", "EstimatedCharges")
    assert alarm["Dimensions"] == [{"Name": "Currency", "Value": "USD"}]
    assert alarm["Threshold"] == CONFIGS[env].billing_threshold_usd
    assert CONFIGS["prod"].billing_threshold_usd > CONFIGS["dev"].billing_threshold_usd


def test_no_subscription_without_an_address():
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from stacks.alarms import AlarmTopic

    stack = cdk.Stack(cdk.App(), "Probe")
    AlarmTopic(stack, "Topic", config=CONFIGS["dev"], topic_name="probe")
    Template.from_stack(stack).resource_count_is("AWS::SNS::Subscription", 0)


def test_cloudwatch_may_use_the_key_only_for_this_environments_alarms(synthesized, env):
    for component in ("Alarms", "Billing"):
        template = synthesized.template_json(env, component)
        statements = only(template, "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"]
        (grant,) = [
            s for s in statements if s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"
        ]
        assert set(grant["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
        conditions = grant["Condition"]
        assert conditions["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        source = render(conditions["ArnLike"]["aws:SourceArn"])
        assert source == (
            "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:"
            f"lifestream-{env}-*"
        )
        # The pattern must cover every alarm the topic serves, or CloudWatch's notifications are dropped.
        for name in _alarms(template):
            assert name.startswith(f"lifestream-{env}-"), name


def test_synthesis_says_the_billing_alarm_is_account_wide(synthesized, env):
    """AWS/Billing has no per-environment dimension: the synth output and the README say so."""
    from pathlib import Path

    from stacks.composition import BILLING_SCOPE_NOTE

    metadata = synthesized.stacks[env].billing.node.metadata
    assert any(entry.type == "aws:cdk:info" and entry.data == BILLING_SCOPE_NOTE for entry in metadata)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "AWS/Billing has no dimension per environment" in readme
