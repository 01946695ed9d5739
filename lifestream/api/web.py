"""The web app from the same origin as the API (`lifestream serve`): the built SPA (`web/dist`) at `/`,
every other non-API path answered with its index.html (deep links such as /day/2026-05-02 are the
page's own routes), and `/config.json` — where the API is, how to sign in, the upload limits — made from
the settings, so the page never carries a value of its own. On AWS the CDK Web construct serves the
same files from S3 behind CloudFront and writes config.json by the same function
(lifestream.core.browser_config); the Lambda API never mounts this.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from lifestream.core.browser_config import browser_config
from lifestream.core.errors import NotFoundError
from lifestream.core.settings import Settings

DEFAULT_WEB_DIR = Path(__file__).resolve().parents[2] / "web" / "dist"

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LifeStream</title></head>
<body><main><h1>The web app is not built yet</h1>
<p>The API is running (<a href="/api/docs">/api/docs</a>). To build the page, run</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>(or <code>./scripts/setup.sh</code>), then reload. Looked for <code>{where}</code>.</p></main></body></html>
"""

# Hashed asset names never change content: cache them for good. index.html and config.json are
# revalidated every time, so a new build or setting shows up at the next load.
IMMUTABLE = "public, max-age=31536000, immutable"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def web_config(settings: Settings) -> dict[str, Any]:
    """The page's /config.json from the settings, by the function the CDK's WebContent uses too. Local
    sign-in is `none`; the Cognito client (AWS) is named by the CDK construct. Never holds a secret."""
    return browser_config(
        api_url="",
        auth="none" if settings.auth == "none" else "cognito",
        timezone=settings.timezone,
        max_video_bytes=settings.max_video_bytes,
    )


def content_security_policy(settings: Settings) -> str:
    """The page's CSP, as strict as the one CloudFront sends on AWS (no inline script or style), so a
    page that breaks it fails here first. The storage endpoint (the local moto server) is where the
    browser POSTs uploads and plays presigned media from."""
    from urllib.parse import urlsplit

    storage = ""
    if settings.aws_endpoint_url:
        parts = urlsplit(settings.aws_endpoint_url)
        storage = f" {parts.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{storage}",
            f"media-src 'self'{storage}",
            f"connect-src 'self'{storage}",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ]
    )


def mount_web(app: FastAPI, settings: Settings, web_dir: Path) -> None:
    """Add `/config.json` and the SPA (with its fallback) to `app`, after every /api route."""
    root = web_dir.resolve()
    page_headers = {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": content_security_policy(settings),
        **SECURITY_HEADERS,
    }

    @app.get("/config.json", include_in_schema=False)
    def config_json() -> JSONResponse:
        return JSONResponse(web_config(settings), headers={"Cache-Control": "no-cache", **SECURITY_HEADERS})

    @app.get("/{path:path}", include_in_schema=False)
    def page(path: str, request: Request):
        if path == "api" or path.startswith("api/"):
            # An unknown API path stays a JSON 404, never the page.
            raise NotFoundError(f"no route {request.url.path}")
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT.format(where=root), status_code=503, headers=SECURITY_HEADERS)
        if path:
            candidate = (root / path).resolve()
            # Only files inside the build; `..` or a link out of it falls back to the page.
            if candidate.is_file() and candidate.is_relative_to(root):
                cache = IMMUTABLE if path.startswith("assets/") else "no-cache"
                return FileResponse(candidate, headers={"Cache-Control": cache, **SECURITY_HEADERS})
            if path.startswith("assets/"):
                raise NotFoundError(f"no asset {path!r} (rebuild the web app?)")
        return FileResponse(index, headers=page_headers)
