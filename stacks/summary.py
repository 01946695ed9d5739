"""Synthesize environments offline (no asset bundling) and print what each stack would create.

    .venv/bin/python -m stacks.summary                 # all environments
    .venv/bin/python -m stacks.summary dev prod        # some

Runs the same cdk-nag audit as `cdk synth`; exits 1 with the findings if it fails.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from stacks.application import BUNDLING_STACKS, create_app  # noqa: E402
from stacks.config import CONFIGS  # noqa: E402


def summarize(outdir: Path, environments: list[str]) -> Table:
    table = Table(title="LifeStream stacks (synthesized offline; cdk-nag AwsSolutions passed)")
    for column in ("env", "stack", "region", "resources", "largest kinds", "outputs"):
        table.add_column(column)
    manifest = json.loads((outdir / "manifest.json").read_text())["artifacts"]
    for env in environments:
        for path in sorted(outdir.glob(f"LifeStream-{env}-*.template.json")):
            name = path.name.removesuffix(".template.json")
            template = json.loads(path.read_text())
            kinds = Counter(r["Type"].split("::")[-1] for r in template["Resources"].values())
            largest = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common(3))
            region = manifest[name]["environment"].rsplit("/", 1)[-1].replace("unknown-region", "(deploy)")
            # PublishOutput* are the CDK's own cross-stack reference outputs.
            outputs = ", ".join(o for o in template.get("Outputs", {}) if not o.startswith("PublishOutput"))
            table.add_row(
                env,
                name.removeprefix(f"LifeStream-{env}-"),
                region,
                str(sum(kinds.values())),
                largest,
                outputs,
            )
    return table


def main(argv: list[str] | None = None) -> int:
    environments = list(argv if argv is not None else sys.argv[1:]) or list(CONFIGS)
    console = Console()
    with tempfile.TemporaryDirectory(prefix="lifestream-synth-") as tmp:
        try:
            app, _ = create_app({BUNDLING_STACKS: []}, outdir=tmp, environments=environments)
            with console.status(f"synthesizing {', '.join(environments)}…"):
                app.synth()
        except Exception as exc:  # ConfigError for a bad name, or the cdk-nag report
            console.print(f"[red]synthesis failed:[/] {exc}")
            return 1
        console.print(summarize(Path(tmp), environments))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
