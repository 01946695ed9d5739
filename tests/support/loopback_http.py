"""The HTTP plumbing shared by the service fakes (OpenAI, Pinecone): a threaded server on 127.0.0.1.

The fakes are reached over real HTTP so that the real SDKs run unchanged (their transports, encoders,
retries and response parsing). A fake subclasses `LoopbackFake` and implements `respond`; this module
only moves bytes.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

Reply = tuple[int, dict[str, str], bytes]


class LoopbackFake:
    """Start with `with Fake() as fake:` (or `start()`/`stop()`); `port` is set while it runs."""

    thread_name = "loopback-fake"

    def __init__(self) -> None:
        self.port = 0
        self._server: ThreadingHTTPServer | None = None

    def respond(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        raise NotImplementedError

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as the SDKs' connection pools expect.
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, data = fake.respond(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PATCH = _serve  # noqa: N815

        # Port 0: the kernel picks a free port, so parallel fakes never race for one.
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=self.thread_name, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
