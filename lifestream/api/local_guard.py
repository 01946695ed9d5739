"""Local mode's guard against other web pages (`LIFESTREAM_AUTH=none`).

Without sign-in, being able to reach the server is the only credential, and a browser on this machine can
reach it on behalf of any page it shows. Two ways in, two checks:

- **DNS rebinding.** A page on `evil.example` re-points that name to 127.0.0.1; its script is then
  same-origin with this server, and the browser sends `Host: evil.example`. Only loopback host names
  are answered (`lifestream.core.loopback`), and names the operator bound to explicitly
  (`lifestream serve --host`).
- **Cross-site requests.** A page of another origin (another site, or another port of this machine)
  can send requests without reading the answers: forms, `no-cors` fetches, `<video>` and `<img>`. State
  changes (POST, PUT, PATCH, DELETE) are refused when `Origin` is not this server's own origin or
  `Sec-Fetch-Site` says the request is not same-origin; any other request whose `Sec-Fetch-Site` says
  another site made it is refused too, except a top-level navigation (a link to the app is fine; the
  page then talks to its own origin). A request without these headers is not from a browser page
  (curl, the CLI, tests) and is let through.

On AWS (`gateway`, `jwt`) none of this applies: the bearer token is the credential, and a browser never
adds it on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from lifestream.core.loopback import host_name, is_loopback_name

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a browser says for a request made by another origin's page ("same-site" is another port or
# subdomain: still not this app).
OTHER_ORIGIN = frozenset({"cross-site", "same-site"})
DEFAULT_PORTS = {"http": "80", "https": "443"}


def _netloc(scheme: str, host_header: str) -> str:
    host = host_header.strip().lower()
    name, sep, port = host.rpartition(":")
    if sep and "]" not in port and port == DEFAULT_PORTS.get(scheme):
        return name
    return host


def same_origin(origin: str, scheme: str, host_header: str) -> bool:
    """True when `origin` (the Origin header) is this server as the browser reached it."""
    parts = urlsplit(origin)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        return False  # "null" (sandboxed frames, file: pages) and anything odd
    return parts.scheme == scheme and _netloc(parts.scheme, parts.netloc) == _netloc(scheme, host_header)


def refusal(
    method: str, scheme: str, headers: Headers, extra_hosts: Iterable[str]
) -> tuple[int, str, str] | None:
    """(status, code, message) when the request must be refused, else None."""
    host = headers.get("host", "")
    name = host_name(host)
    if not name or not is_loopback_name(name, extra_hosts):
        return (
            400,
            "invalid_host",
            "without sign-in LifeStream answers only to loopback names: open it as http://127.0.0.1:<port>/ "
            "or http://localhost:<port>/ (another name needs LIFESTREAM_AUTH=jwt)",
        )
    site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    if method in STATE_CHANGING:
        if site in OTHER_ORIGIN or (origin is not None and not same_origin(origin, scheme, host)):
            return (403, "forbidden", "refused: another web page than LifeStream's own sent this")
    elif site in OTHER_ORIGIN and headers.get("sec-fetch-mode") != "navigate":
        return (403, "forbidden", "refused: another web page asked for this; open LifeStream itself instead")
    return None


class LocalOnly:
    """ASGI middleware applying `refusal` to every HTTP request (the API, the page and its config)."""

    def __init__(self, app: ASGIApp, *, extra_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.extra_hosts = frozenset(h.lower().strip("[]") for h in extra_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refused = refusal(scope["method"], scope.get("scheme", "http"), headers, self.extra_hosts)
        if refused is None:
            await self.app(scope, receive, send)
            return
        status, code, message = refused
        body = json.dumps({"error": code, "message": message, "field": None}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"vary", b"Origin, Sec-Fetch-Site"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
