"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

console = Console()
console_err = Console(stderr=True)


def dump_json(data: Any) -> None:
    # Plain print: rich would wrap long lines and break the JSON for scripts.
    print(json.dumps(data, indent=2, default=str))
