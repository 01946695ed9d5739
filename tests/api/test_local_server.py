"""The local default: `lifestream serve` on loopback only (unless sign-in is on), a real uvicorn answering
over HTTP, and the local library (videos processed from files) played through the API with HTTP Range."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from lifestream.api import create_app
from lifestream.cli import app as cli_app
from lifestream.cli.serve_cmds import is_loopback
from lifestream.core.errors import ConfigError
from lifestream.core.settings import load_settings
from tests.support.postgres import free_port

runner = CliRunner()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.com"])
def test_serve_refuses_a_non_loopback_address_without_sign_in(host):
    result = runner.invoke(cli_app, ["serve", "--host", host])
    assert isinstance(result.exception, ConfigError)
    assert "LIFESTREAM_AUTH=jwt" in str(result.exception)


def test_loopback_names():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")


def test_serve_answers_over_http_on_loopback(tmp_path):
    port = free_port()
    env = {**os.environ, "LIFESTREAM_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": os.getcwd()}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), env["PYTHONPATH"]) if p)
    server = subprocess.Popen(
        [sys.executable, "-m", "lifestream", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        server.stdout.read().decode() if server.stdout else "no output"
                    ) from None
                time.sleep(0.1)
        assert health.json() == {"status": "ok"}
        listed = httpx.get(f"http://127.0.0.1:{port}/api/videos", timeout=5)
        assert listed.status_code == 200 and listed.json() == {"items": [], "next_offset": None}
        assert httpx.get(f"http://127.0.0.1:{port}/api/videos/nope", timeout=5).json()["error"] == "not_found"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_local_file_plays_through_the_api_with_range_requests(sample, monkeypatch):
    monkeypatch.setenv("LIFESTREAM_TRANSCRIBER", "subtitles")
    monkeypatch.setenv("LIFESTREAM_SUMMARIZER", "extractive")
    processed = runner.invoke(cli_app, ["process", str(sample.path)])
    assert processed.exit_code == 0, processed.output
    client = TestClient(create_app(load_settings()), raise_server_exceptions=False, base_url="http://127.0.0.1")
    (video,) = client.get("/api/videos").json()["items"]
    assert video["title"] == sample.path.name and video["status"] == "completed"
    media = client.get(f"/api/videos/{video['video_id']}/media").json()
    assert media["video_url"] == f"/api/videos/{video['video_id']}/media/file"
    data = sample.path.read_bytes()
    part = client.get(media["video_url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    whole = client.get(media["video_url"])
    assert whole.status_code == 200 and whole.content == data and whole.headers["accept-ranges"] == "bytes"
    assert media["keyframes"] and client.get(media["keyframes"][0]).headers["content-type"] == "image/jpeg"
    # The library's thumbnail of a local file is one of the keyframes the media view links, served alike.
    assert video["diary_title"] and video["thumbnail"] in media["keyframes"]
    assert client.get(video["thumbnail"]).content[:2] == b"\xff\xd8"
    # `lifestream day` prints the day's digest, each line with its moments.
    day = runner.invoke(cli_app, ["day", "2026-05-02"])
    assert day.exit_code == 0 and re.match(r"- \d\d:\d\d ", day.stdout), day.output
    assert f"[{video['video_id']}, 00:00:00" in day.stdout
    # The diary through the API is the one `lifestream show` prints.
    shown = runner.invoke(cli_app, ["show", video["video_id"]])
    assert client.get(f"/api/videos/{video['video_id']}").json()["markdown"].strip() == shown.stdout.strip()
    # Deleting forgets what LifeStream made, never the person's own file.
    assert client.delete(f"/api/videos/{video['video_id']}").status_code == 200
    assert sample.path.read_bytes() == data
    assert client.get("/api/videos").json()["items"] == []
    assert client.get("/api/search", params={"q": "compost"}).json() == []


def test_building_the_app_for_lambda_loads_nothing_heavy(tmp_path):
    # The API Lambda creates the app at import (cold start): no media, FAISS, numpy, database or SDKs yet.
    code = (
        "import sys\n"
        "from lifestream.api import create_app\n"
        "create_app()\n"
        "heavy = ('av', 'faiss', 'numpy', 'onnxruntime', 'torch', 'sqlalchemy', 'pinecone', 'openai', 'boto3')\n"
        "bad = [m for m in heavy if m in sys.modules]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    env = {**os.environ, "LIFESTREAM_AUTH": "gateway", "LIFESTREAM_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_with_sign_in_any_address_may_be_bound():
    from lifestream.cli.serve_cmds import check_bind

    check_bind("0.0.0.0", "jwt")
    with pytest.raises(ConfigError):
        check_bind("0.0.0.0", "none")
