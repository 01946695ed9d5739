"""`lifestream serve`: the HTTP API (uvicorn) over the local library, the local cloud when it runs, and
FAISS."""

from __future__ import annotations

import ipaddress
import socket
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


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the HTTP API (docs at /api/docs) over your library."""
    from lifestream.core.settings import load_settings

    settings = load_settings()
    check_bind(host, settings.auth)
    import uvicorn

    from lifestream.api import create_app

    app = create_app(settings)
    console.print(f"LifeStream API on http://{host}:{port}/api (sign-in: {settings.auth})", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
