"""Per-environment configuration: selection, validation, and the dev/prod differences that matter."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aws_cdk import RemovalPolicy

from lifestream.core.constants import VISIBILITY_TIMEOUT_FACTOR
from lifestream.core.errors import ConfigError
from stacks.config import CONFIGS, DEV, PROD, config_for


def test_three_environments_are_defined():
    assert set(CONFIGS) == {"dev", "staging", "prod"}


def test_default_environment_is_dev():
    assert config_for(None).name == "dev"


def test_unknown_environment_names_the_valid_ones():
    with pytest.raises(ConfigError) as excinfo:
        config_for("qa")
    message = str(excinfo.value)
    assert "'qa'" in message
    for name in ("dev", "staging", "prod"):
        assert name in message


def test_configs_are_frozen_and_keyword_only():
    with pytest.raises(Exception):
        DEV.worker_memory_mb = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        type(DEV)("dev")  # type: ignore[call-arg]


def test_account_and_region_come_from_the_cdk_variables(monkeypatch):
    # GIVEN the CLI's usual variables
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "111122223333")
    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    # WHEN the configuration is chosen
    config = config_for("prod")
    # THEN the stacks are pinned to them
    assert (config.account, config.region) == ("111122223333", "eu-west-1")


def test_without_cdk_variables_the_stacks_stay_environment_agnostic(monkeypatch):
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    monkeypatch.delenv("CDK_DEFAULT_REGION", raising=False)
    assert (config_for("dev").account, config_for("dev").region) == (None, None)


def test_dev_is_disposable_and_prod_keeps_data():
    assert DEV.removal_policy is RemovalPolicy.DESTROY and DEV.auto_delete_objects
    assert not DEV.deletion_protection and not DEV.db_multi_az
    assert PROD.removal_policy is RemovalPolicy.RETAIN and not PROD.auto_delete_objects
    assert PROD.database_removal_policy is RemovalPolicy.SNAPSHOT
    assert PROD.deletion_protection and PROD.db_multi_az
    assert PROD.db_backup_days > DEV.db_backup_days
    assert DEV.nat == "instance" and PROD.nat == "gateway" and PROD.nat_count >= 2


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_derived_limits_hold_in_every_environment(name):
    config = CONFIGS[name]
    assert config.visibility_timeout_seconds == VISIBILITY_TIMEOUT_FACTOR * config.worker_timeout_seconds
    # The video must fit on /tmp with room to spare for audio and keyframes.
    assert 0 < config.max_video_bytes < config.worker_ephemeral_mb * 1024 * 1024
    # Uploads are never expired while a diary plays them; only a failed one is (tagged by the worker).
    assert not hasattr(config, "upload_expiry_days") and config.failed_upload_expiry_days >= 1
    assert config.openai_api_key_secret.startswith(f"lifestream/{name}/")
    assert config.pinecone_api_key_secret.startswith(f"lifestream/{name}/")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"worker_timeout_seconds": 901}, "worker_timeout_seconds"),
        ({"worker_ephemeral_mb": 600}, "worker_ephemeral_mb"),
        ({"sqs_batch_size": 11}, "sqs_batch_size"),
        ({"sqs_max_concurrency": 1}, "sqs_max_concurrency"),
        ({"worker_reserved_concurrency": 5, "sqs_max_concurrency": 10}, "worker_reserved_concurrency"),
        ({"nat_count": 0}, "nat_count"),
        ({"billing_threshold_usd": 0}, "billing_threshold_usd"),
        ({"state_expiry_days": 3}, "state_expiry_days"),
    ],
)
def test_invalid_values_are_rejected_with_the_field_named(change, fragment):
    with pytest.raises(ConfigError, match=fragment):
        replace(DEV, **change)


def test_alarm_email_can_be_given_at_deploy_time():
    assert DEV.alarm_email is None
    assert config_for("dev", alarm_email="me@example.com").alarm_email == "me@example.com"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"api_timeout_seconds": 30}, "api_timeout_seconds must be 1..29"),
        ({"api_memory_mb": 64}, "api_memory_mb"),
        ({"api_throttle_rate": 0}, "api_throttle_rate"),
        ({"api_throttle_burst": 0}, "api_throttle_burst"),
        ({"access_token_minutes": 2}, "access_token_minutes"),
        ({"refresh_token_days": 0}, "refresh_token_days"),
    ],
)
def test_api_and_sign_in_settings_are_validated(change, problem):
    with pytest.raises(ConfigError, match=problem):
        replace(PROD, **change)


def test_prod_requires_mfa_and_threat_protection_and_dev_stays_cheap():
    assert PROD.mfa_required and PROD.threat_protection and not PROD.self_sign_up
    assert not DEV.mfa_required and not DEV.threat_protection and not DEV.self_sign_up


def test_reserved_concurrency_is_a_per_environment_setting_that_can_be_switched_off():
    prod = config_for("prod")
    assert (prod.worker_reservation, prod.api_reservation, prod.reserved_total) == (20, 20, 40)
    off = config_for("prod", reserve_concurrency=False)
    assert (off.worker_reservation, off.api_reservation, off.reserved_total) == (None, None, 0)
    assert config_for("dev").reserved_total == 0


def test_a_quota_too_small_for_the_reservations_is_refused_saying_how_to_deploy():
    # Lambda keeps 100 unreserved: prod's 20 + 20 needs a quota of 140; a new account has 10.
    with pytest.raises(ConfigError, match="reserved_concurrency=off") as excinfo:
        config_for("prod", lambda_concurrency_quota=10)
    assert "140" in str(excinfo.value)
    assert config_for("prod", lambda_concurrency_quota=140).reserved_total == 40
    assert config_for("prod", reserve_concurrency=False, lambda_concurrency_quota=10).reserved_total == 0
    assert config_for("dev", lambda_concurrency_quota=10).reserved_total == 0


def test_the_deploy_switches_come_from_the_cdk_context():
    from aws_cdk import App

    from stacks.application import configure

    off = configure(App(context={"reserved_concurrency": "off", "lambda_concurrency_quota": "10"}), "prod")
    assert off.reserved_total == 0 and off.lambda_concurrency_quota == 10
    assert configure(App(), "prod").reserved_total == 40
    with pytest.raises(ConfigError, match="reserved_concurrency=off"):
        configure(App(context={"lambda_concurrency_quota": "10"}), "prod")


def test_without_reservations_no_function_reserves_concurrency(tmp_path):
    from aws_cdk import App
    from aws_cdk.assertions import Template

    from stacks.application import default_context
    from stacks.composition import build_environment

    app = App(context={**default_context(), "aws:cdk:bundling-stacks": []}, outdir=str(tmp_path))
    built = build_environment(app, config_for("prod", reserve_concurrency=False))
    for stack in (built.processing, built.api):
        functions = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
        assert functions and not [n for n, f in functions.items() if "ReservedConcurrentExecutions" in f["Properties"]]


def test_standard_ia_needs_thirty_days_in_standard_first():
    with pytest.raises(ConfigError, match="upload_transition_days"):
        replace(DEV, upload_storage_class="STANDARD_IA", upload_transition_days=7)
    assert replace(DEV, upload_storage_class="GLACIER_IR", upload_transition_days=0).upload_transition_days == 0
    assert replace(DEV, upload_storage_class=None).upload_storage_class is None
