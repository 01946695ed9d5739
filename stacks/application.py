"""Builds the CDK app: the chosen environment's stacks (or several, for tests) plus the cdk-nag audit."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App

from stacks.audit import enable_audit
from stacks.composition import LifeStreamStacks, build_environment
from stacks.config import CONFIGS, EnvConfig, config_for

# `-c bundling=skip`: synthesize without building the worker asset (fast, offline; not deployable).
SKIP_BUNDLING_CONTEXT = "bundling"
BUNDLING_STACKS = "aws:cdk:bundling-stacks"
# `-c env=all`: every environment's stacks in one synthesis.
ALL_ENVIRONMENTS = "all"
CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


def default_context() -> dict[str, Any]:
    """cdk.json's context (feature flags), so `python app.py` synthesizes exactly what `cdk synth` does."""
    return dict(json.loads(CDK_JSON.read_text()).get("context", {}))


def create_app(
    context: Mapping[str, Any] | None = None,
    *,
    outdir: str | None = None,
    environments: Iterable[str] | None = None,
) -> tuple[App, dict[str, LifeStreamStacks]]:
    """An app with the stacks of `environments` (default: the `env` context value, else dev), audited.

    Context given here is overridden by the CLI's `-c` values, as in any CDK app.
    """
    context = {**default_context(), **(context or {})}
    app = App(context=context, outdir=outdir)
    if str(app.node.try_get_context(SKIP_BUNDLING_CONTEXT)).lower() in {"skip", "false", "0", "no"}:
        # Takes precedence over the CLI, which asks for every stack to be bundled on `cdk synth`.
        app = App(context=context, outdir=outdir, post_cli_context={BUNDLING_STACKS: []})
    if environments is None:
        environments = environments_from_context(app.node.try_get_context("env"))
    built: dict[str, LifeStreamStacks] = {}
    for name in environments:
        config = configure(app, name)
        built[config.name] = build_environment(app, config)
    enable_audit(app)
    return app, built


def environments_from_context(value: Any) -> list[str | None]:
    """`-c env=dev` (default dev), `-c env=dev,prod`, or `-c env=all`: several environments in one app
    cost one synthesis (one Node process, one asset build) instead of one each."""
    if value is None:
        return [None]
    names = [name.strip() for name in str(value).split(",") if name.strip()]
    if names == [ALL_ENVIRONMENTS]:
        return list(CONFIGS)
    return list(dict.fromkeys(names)) or [None]


# `-c reserved_concurrency=off`: no reserved concurrency for this deploy (a new account's quota is 10).
RESERVED_CONCURRENCY_CONTEXT = "reserved_concurrency"
# `-c lambda_concurrency_quota=N`: the account's quota, so synthesis refuses reservations it cannot hold.
CONCURRENCY_QUOTA_CONTEXT = "lambda_concurrency_quota"


def configure(app: App, name: str | None) -> EnvConfig:
    reserve = app.node.try_get_context(RESERVED_CONCURRENCY_CONTEXT)
    quota = app.node.try_get_context(CONCURRENCY_QUOTA_CONTEXT)
    return config_for(
        name,
        alarm_email=app.node.try_get_context("alarm_email"),
        reserve_concurrency=None if reserve is None else str(reserve).lower() not in {"off", "false", "0", "no"},
        lambda_concurrency_quota=None if quota is None else int(quota),
    )
