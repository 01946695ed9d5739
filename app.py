#!/usr/bin/env python3
"""LifeStream's CDK app: `cdk synth|deploy -c env=dev|staging|prod` (default dev); `-c env=all` (or
`-c env=dev,prod`) puts several environments into one synthesis, which is much faster than one each.

Works offline as `python app.py` too (set CDK_OUTDIR to choose the output directory).
"""

import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from lifestream.core.errors import ConfigError  # noqa: E402
from stacks.application import create_app  # noqa: E402


def main() -> None:
    try:
        app, _ = create_app()
    except ConfigError as exc:
        sys.exit(f"error: {exc}")
    app.synth()


if __name__ == "__main__":
    main()
