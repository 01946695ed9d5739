"""moto's HTTP server on 127.0.0.1: the same boto3 code paths as AWS, S3 -> SQS notifications included."""

from __future__ import annotations

from moto.server import ThreadedMotoServer

from tests.support.postgres import free_port


def start_moto() -> tuple[ThreadedMotoServer, str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"
