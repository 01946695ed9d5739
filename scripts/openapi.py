"""Write the HTTP API's OpenAPI document to web/src/api/openapi.json, which `npm run gen` (in web/) turns
into the TypeScript types the web app is written against. tests/web/test_openapi_sync.py fails when the
committed document and the app's differ, so the page and the API cannot drift apart.

    python scripts/openapi.py          # rewrite the file
    python scripts/openapi.py --check  # exit 1 when it is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "web" / "src" / "api" / "openapi.json"


def document() -> str:
    from lifestream.api import create_app
    from lifestream.core.settings import load_settings

    # The document depends on the routes only, never on where data lives or who signs in.
    app = create_app(load_settings(auth="none"))
    return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = document()
    if "--check" in argv:
        if not TARGET.is_file() or TARGET.read_text() != text:
            print(f"{TARGET} is out of date: run python scripts/openapi.py, then npm run gen in web/")
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
