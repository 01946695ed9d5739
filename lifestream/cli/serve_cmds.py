"""`lifestream serve`: the HTTP API (uvicorn) and the web app from one origin, over the local library, the
local cloud when it runs, and FAISS."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Annotated

import typer

from lifestream.cli.common import console
from lifestream.core.errors import ConfigError


def is_loopback(host: str) -> bool:
    """True when every address `host` names is a loopback address (a name is resolved first)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def check_bind(host: str, auth: str) -> None:
    if auth == "none" and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve on {host} without sign-in: anyone who can reach it would be you. Bind "
            "127.0.0.1, or set LIFESTREAM_AUTH=jwt (with LIFESTREAM_AUTH_ISSUER, _AUDIENCE and _JWKS)"
        )


def with_local_cloud(settings, origins: list[str]):
    """`settings` pointed at the local cloud when it runs (and no endpoint is configured), with `origins`
    allowed by the bucket's CORS rule so the page's presigned uploads reach it."""
    from lifestream.local import cloud as local_cloud

    if settings.aws_endpoint_url is None and settings.queue_url and settings.bucket:
        return settings, None  # a real AWS deployment configured by environment: no local rule to add
    cloud = local_cloud.status(local_cloud.default_state_dir(settings))
    if cloud is not None:
        settings = local_cloud.settings_for(settings, cloud.resources)
    if settings.aws_endpoint_url is None:
        return settings, None
    if not is_loopback(_host(settings.aws_endpoint_url)):
        return settings, None
    local_cloud.allow_browser_uploads(
        settings.aws_endpoint_url, settings.resolved_bucket, origins, region=settings.aws_region
    )
    return settings, settings.aws_endpoint_url


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    web_dir: Annotated[
        Path | None,
        typer.Option("--web-dir", help="The built web app (default: web/dist of this checkout)."),
    ] = None,
) -> None:
    """Serve the web app at / and the HTTP API at /api (docs at /api/docs) over your library."""
    from lifestream.core.settings import load_settings

    settings = load_settings()
    check_bind(host, settings.auth)
    import uvicorn

    from lifestream.api import create_app
    from lifestream.api.web import DEFAULT_WEB_DIR

    shown = f"[{host}]" if ":" in host else host
    origin = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}"
    # The same server is reached as localhost too; a browser's Origin is the name it was opened by.
    origins = [origin, *([f"http://localhost:{port}"] if host in ("127.0.0.1", "localhost") else [])]
    settings, endpoint = with_local_cloud(settings, origins)
    web = web_dir or DEFAULT_WEB_DIR
    # A name the operator chose to bind (one that resolves to loopback only) is answered too.
    chosen = [] if host in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::") else [host]
    app = create_app(settings, web_dir=web, local_hosts=chosen)
    if endpoint:
        console.print(
            f"uploads go to the local cloud at {endpoint} (CORS allows {', '.join(origins)})", highlight=False
        )
    elif settings.aws_endpoint_url is None and not settings.queue_url:
        console.print("uploads need the local cloud: run `lifestream local up` first", highlight=False)
    if not (web / "index.html").is_file():
        console.print(f"the web app is not built ({web}): cd web && npm ci && npm run build", highlight=False)
    console.print(f"LifeStream on {origin}/ (API at {origin}/api, sign-in: {settings.auth})", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
