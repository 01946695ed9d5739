"""The web app's API types come from the committed OpenAPI document; it must be the app's current one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import openapi


def test_the_committed_openapi_document_is_the_apps():
    committed = json.loads(openapi.TARGET.read_text())
    current = json.loads(openapi.document())
    assert committed == current, "run python scripts/openapi.py, then npm run gen in web/"


def test_the_generated_types_name_every_path():
    # schema.d.ts is generated from the document by `npm run gen`; a path missing there means it is stale.
    types = (ROOT / "web" / "src" / "api" / "schema.d.ts").read_text()
    for path in json.loads(openapi.TARGET.read_text())["paths"]:
        assert f'"{path}"' in types, f"{path} missing from schema.d.ts: run npm run gen in web/"
