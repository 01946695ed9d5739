"""Synthesizes every environment once per test session (bundling skipped) and hands out templates.

Synthesis costs seconds, so all three environments share one app and one `synth()`: cdk-nag runs as
part of it, and its report is kept for `test_audit.py` instead of aborting the whole session.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# Offline and environment-agnostic, whatever the developer's shell says.
for _name in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"):
    os.environ.pop(_name, None)

REPO_ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("dev", "staging", "prod")
COMPONENTS = ("Queue", "Storage", "Database", "Processing", "Alarms", "Billing", "Auth", "Api", "Web", "Site")
ALARM_EMAIL = "alerts@example.com"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.infra)


@dataclass
class Synthesized:
    outdir: Path
    stacks: dict[str, Any]
    error: str | None = None
    templates: dict[tuple[str, str], dict] = field(default_factory=dict)

    def template_json(self, env: str, component: str) -> dict:
        key = (env, component)
        if key not in self.templates:
            path = self.outdir / f"LifeStream-{env}-{component}.template.json"
            self.templates[key] = json.loads(path.read_text())
        return self.templates[key]

    def template(self, env: str, component: str):
        from aws_cdk.assertions import Template

        return Template.from_json(self.template_json(env, component))

    def validation_report(self) -> dict:
        path = self.outdir / "validation-report.json"
        return json.loads(path.read_text()) if path.exists() else {"pluginReports": []}

    def template_paths(self) -> list[Path]:
        return sorted(self.outdir.glob("*.template.json"))


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory) -> Synthesized:
    from stacks.application import create_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stacks = create_app(
        {"aws:cdk:bundling-stacks": [], "alarm_email": ALARM_EMAIL},
        outdir=str(outdir),
        environments=ENVIRONMENTS,
    )
    result = Synthesized(outdir=outdir, stacks=stacks)
    try:
        app.synth()
    except Exception as exc:  # cdk-nag violations surface as a jsii RuntimeError after writing the report
        result.error = str(exc)
    return result


@pytest.fixture(params=ENVIRONMENTS)
def env(request) -> str:
    return request.param


def resources_of(template: dict, type_name: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_name}


def only(template: dict, type_name: str, contains: str = "") -> dict:
    found = {k: v for k, v in resources_of(template, type_name).items() if contains in k}
    assert len(found) == 1, f"expected one {type_name} matching {contains!r}, got {sorted(found)}"
    return next(iter(found.values()))


def render(value: Any) -> str:
    """A Fn::Join / Ref expression as one string with ${Ref} placeholders, for comparisons."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return "${%s}" % value["Ref"]
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(render(part) for part in parts)
    return json.dumps(value, sort_keys=True)
