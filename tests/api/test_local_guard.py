"""Local mode answers only this machine's own pages: a foreign Host (DNS rebinding) is refused, and so is a
state change sent by another origin's page; AUTH=none is refused in Lambda. The real-browser version of
both attacks is tests/web/test_other_pages.py."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.core.errors import ConfigError
from lifestream.core.settings import load_settings
from tests.api.conftest import AUDIENCE, ISSUER


@pytest.fixture
def local(tmp_path) -> TestClient:
    app = create_app(load_settings(data_dir=tmp_path / "data"), local_hosts=["lifestream.home.arpa"])
    return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8000",
        "127.0.0.1",
        "localhost:8000",
        "LOCALHOST:8000",
        "app.localhost:8000",
        "[::1]:8000",
        "127.0.0.2:9000",
        "lifestream.home.arpa:8000",
    ],
)
def test_loopback_names_are_answered(local, host):
    response = local.get("/api/videos", headers={"Host": host})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:8000",
        "evil.example",
        "127.0.0.1.evil.example:8000",
        "localhost.evil.example",
        "10.0.0.1:8000",
        "evil.example@127.0.0.1:8000",
        "127.0.0.1/x",
        "",
        "[::2]:8000",
    ],
)
def test_a_foreign_host_is_refused_everywhere(local, host):
    # GIVEN a page whose name was re-pointed to 127.0.0.1 (DNS rebinding): its requests name its own host.
    for method, path in (
        ("GET", "/api/videos"),
        ("GET", "/api/jobs"),
        ("DELETE", "/api/videos/walk-1"),
        ("GET", "/"),
    ):
        response = local.request(method, path, headers={"Host": host})
        assert response.status_code == 400, (method, path, response.text)
        assert response.json()["error"] == "invalid_host"
        assert "127.0.0.1" in response.json()["message"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("DELETE", "/api/videos/walk-1", None),
        ("PATCH", "/api/videos/walk-1/speakers", {"names": {"Speaker 1": "Mallory"}}),
        ("POST", "/api/ask", {"question": "what did I say?"}),
        ("POST", "/api/uploads", {"filename": "a.mp4", "size": 10, "content_type": "video/mp4"}),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": "http://evil.example"}, id="foreign origin"),
        pytest.param({"Origin": "http://127.0.0.1:9999"}, id="another port"),
        pytest.param({"Origin": "https://127.0.0.1:8000"}, id="another scheme"),
        pytest.param({"Origin": "null"}, id="opaque origin"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, id="cross-site"),
        pytest.param({"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:8000"}, id="same-site"),
    ],
)
def test_state_changes_from_another_origin_are_refused(local, method, path, body, headers):
    response = local.request(method, path, json=body, headers=headers)
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, the CLI, scripts: no browser page involved
        {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://localhost:8000", "Host": "localhost:8000"},
        {"Origin": "http://localhost", "Host": "localhost:80"},
    ],
)
def test_the_apps_own_requests_go_through(local, headers):
    # A missing video is the route's own answer: the guard let the request in.
    response = local.delete("/api/videos/walk-1", headers=headers)
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_reads_by_other_pages_are_refused_but_links_to_the_app_work(local):
    # <img>/<video>/no-cors fetch from another site: the page cannot read it, but could probe and time it.
    embedded = local.get(
        "/api/videos", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
    )
    assert embedded.status_code == 403
    # A link followed from elsewhere opens the app; the page then talks to its own origin.
    link = local.get("/api/health", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})
    assert link.status_code == 200


def test_signed_in_modes_are_not_host_bound(tmp_path, keys):
    # Behind API Gateway or a reverse proxy the host is whatever the deployment names; the token decides.
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keys.jwks()))
    settings = load_settings(
        data_dir=tmp_path / "data",
        auth="jwt",
        auth_issuer=ISSUER,
        auth_audience=AUDIENCE,
        auth_jwks=str(jwks),
    )
    client = TestClient(create_app(settings), raise_server_exceptions=False, base_url="https://api.example")
    token = keys.token("alice", token_use="access", scope="lifestream/api")
    assert client.get("/api/videos", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_no_sign_in_is_refused_in_lambda(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "lifestream-dev-api")
    with pytest.raises(ConfigError, match="LIFESTREAM_AUTH=gateway"):
        create_app(load_settings(data_dir=tmp_path / "data", auth="none"))
    assert create_app(load_settings(data_dir=tmp_path / "data", auth="gateway")) is not None
