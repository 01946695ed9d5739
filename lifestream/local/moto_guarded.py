"""The local cloud's moto server, answering this machine only (`python -m lifestream.local.moto_guarded`).

moto accepts unsigned requests, so without a guard any web page could reach the bucket through the
browser: re-point its own name to 127.0.0.1 (DNS rebinding) and list and download the raw videos, or
POST a form into the bucket (moto does not check a presigned POST's signature), which the worker would
then turn into a diary of yours. So, as `lifestream.api.local_guard` does for the API:

- only loopback host names are answered;
- a request with an `Origin` (every cross-origin POST and CORS read a browser makes) must come from a
  loopback origin: the web app served by `lifestream serve` is one, whichever loopback name it was opened
  by. SDK clients send no `Origin`.

What stays open: a page may still embed a `<video>` or `<img>` whose key it can guess (it cannot read
the bytes), as with any server that answers GETs without credentials.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from lifestream.core.loopback import host_name, is_loopback_name


def _refusal(environ: dict[str, Any]) -> tuple[str, str] | None:
    name = host_name(environ.get("HTTP_HOST", ""))
    if not name or not is_loopback_name(name):
        return "400 Bad Request", "the local cloud answers only to loopback names (127.0.0.1, localhost)"
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        try:
            origin_host = urlsplit(origin).hostname or ""
        except ValueError:
            origin_host = ""
        if not origin_host or not is_loopback_name(origin_host):
            return "403 Forbidden", "the local cloud answers only pages served from this machine"
    return None


def guarded(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """`app` behind the checks above (a WSGI middleware)."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        refused = _refusal(environ)
        if refused is None:
            return app(environ, start_response)
        status, message = refused
        body = json.dumps({"error": status.split(" ", 1)[1], "message": message}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi


def main(argv: list[str] | None = None) -> None:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)
    if not is_loopback_name(args.host):
        sys.exit(f"the local cloud binds to loopback only, not {args.host}")
    # As moto's own server does: the port moto writes into the URLs it returns (queue URLs), and a clean
    # exit on SIGTERM (`lifestream local down`).
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, guarded(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
