"""Sign-in: tokens are verified as API Gateway's JWT authorizer verifies them (RSA signature by a JWKS key
named by kid, iss, aud or client_id, exp, nbf, iat), must be access tokens with the API's scope, and must
not name a reserved user; anything else is 401 with a JSON body."""

from __future__ import annotations

import base64
import json
import sys
import time

import jwt
import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.core.constants import API_SCOPE
from lifestream.core.errors import ConfigError
from lifestream.core.settings import load_settings
from tests.api.conftest import AUDIENCE, ISSUER


@pytest.fixture
def client(keys, tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keys.jwks()))
    settings = load_settings(
        data_dir=tmp_path / "data",
        auth="jwt",
        auth_issuer=ISSUER,
        auth_audience=AUDIENCE,
        auth_jwks=str(jwks),
    )
    return TestClient(create_app(settings), raise_server_exceptions=False)


def _get(client, token: str | None, scheme: str = "Bearer "):
    headers = {} if token is None else {"Authorization": f"{scheme}{token}"}
    return client.get("/api/videos", headers=headers)


def _forged(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def test_a_valid_token_signs_in(client, keys):
    assert _get(client, keys.token("alice")).status_code == 200
    # The authorizer takes the token with or without the Bearer prefix.
    assert _get(client, keys.token("alice"), scheme="").status_code == 200
    # A Cognito access token has no aud but the app client's id in client_id.
    assert _get(client, keys.token("alice", aud=None, client_id=AUDIENCE)).status_code == 200


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda k: None, id="no token"),
        pytest.param(lambda k: "not-a-jwt", id="garbage"),
        pytest.param(lambda k: _forged(k.token("alice")), id="forged claims"),
        pytest.param(lambda k: k.token("alice", exp=int(time.time()) - 1), id="expired"),
        pytest.param(lambda k: k.token("alice", aud="someone-elses-app"), id="wrong audience"),
        pytest.param(lambda k: k.token("alice", aud=None, client_id="other"), id="wrong client_id"),
        pytest.param(lambda k: k.token("alice", aud=None), id="no audience at all"),
        pytest.param(lambda k: k.token("alice", key=k.wrong), id="wrong key"),
        pytest.param(lambda k: k.token("alice", kid="k2"), id="unknown kid"),
        pytest.param(lambda k: k.token("alice", iss="https://evil.test/pool"), id="wrong issuer"),
        pytest.param(lambda k: k.token("alice", nbf=int(time.time()) + 300), id="not yet valid"),
        pytest.param(lambda k: k.token("alice", iat=int(time.time()) + 300), id="issued in the future"),
        pytest.param(lambda k: k.token("alice", exp=None), id="no expiry"),
        pytest.param(lambda k: k.token("../bob"), id="sub that is a path"),
        # Cognito ID tokens name the app client in aud, as the configured audience expects.
        pytest.param(lambda k: k.token("alice", token_use="id", scope=None), id="ID token"),
        pytest.param(lambda k: k.token("alice", token_use=None), id="no token_use"),
        pytest.param(lambda k: k.token("alice", scope=None), id="no scope"),
        pytest.param(lambda k: k.token("alice", scope="openid email"), id="without the API scope"),
        pytest.param(lambda k: k.token("alice", scope=f"{API_SCOPE}x"), id="a scope that only starts alike"),
        pytest.param(lambda k: k.token("local"), id="the local user"),
        pytest.param(lambda k: k.token("LOCAL"), id="the local user in capitals"),
        pytest.param(lambda k: k.token("default"), id="the default namespace"),
        pytest.param(lambda k: k.token("results"), id="a word of the storage layout"),
        pytest.param(
            lambda k: jwt.encode(
                {"sub": "alice", "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60},
                "a-shared-secret-of-at-least-32-bytes!!",
                algorithm="HS256",
                headers={"kid": "k1"},
            ),
            id="HMAC instead of RSA",
        ),
    ],
)
def test_bad_tokens_are_401(client, keys, make):
    response = _get(client, make(keys))
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthorized" and body["field"] == "Authorization"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_health_needs_no_token(client):
    assert client.get("/api/health").json() == {"status": "ok"}


def test_jwt_mode_without_its_settings_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="LIFESTREAM_AUTH_ISSUER"):
        load_settings(data_dir=tmp_path, auth="jwt")


def test_jwt_mode_without_pyjwt_says_what_to_install(tmp_path, monkeypatch):
    from lifestream.api.auth import TokenVerifier

    monkeypatch.setitem(sys.modules, "jwt", None)  # as in the API's Lambda asset: not installed
    settings = load_settings(
        data_dir=tmp_path, auth="jwt", auth_issuer="https://issuer", auth_audience="web", auth_jwks="keys.json"
    )
    with pytest.raises(ConfigError, match=r"PyJWT\[crypto\]"):
        TokenVerifier.from_settings(settings)


@pytest.mark.parametrize("asset", [False, True], ids=["local-install", "lambda-asset-without-pyjwt"])
def test_gateway_mode_reads_the_authorizers_claims_and_refuses_requests_without(tmp_path, monkeypatch, asset):
    if asset:
        # The API's Lambda asset has neither PyJWT nor cryptography: gateway mode must not need them.
        monkeypatch.setitem(sys.modules, "jwt", None)
        monkeypatch.setitem(sys.modules, "cryptography", None)
    app = create_app(load_settings(data_dir=tmp_path / "data", auth="gateway"))

    async def call(event: dict | None) -> tuple[int, dict]:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/api/videos",
            "raw_path": b"/api/videos",
            "query_string": b"",
            "headers": [],
            "http_version": "1.1",
            "scheme": "https",
            "server": ("api.test", 443),
            "client": ("1.2.3.4", 1234),
            "root_path": "",
        }
        if event is not None:
            scope["aws.event"] = event  # what Mangum puts there
        sent: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        await app(scope, receive, send)
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return sent[0]["status"], json.loads(body)

    import asyncio

    def authorized(claims: dict) -> dict:
        return {"requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": [API_SCOPE]}}}}

    access = {"sub": "alice", "token_use": "access", "scope": f"openid {API_SCOPE}"}
    assert asyncio.run(call(authorized(access))) == (200, {"items": [], "next_offset": None})
    status, body = asyncio.run(call(None))
    assert status == 401 and body["field"] == "Authorization"
    # The authorizer also passes ID tokens and any scope the route does not ask for: the app refuses them,
    # and the reserved ids, as in jwt mode.
    for claims in (
        {},
        {**access, "token_use": "id"},
        {**access, "scope": "openid"},
        {**access, "sub": "local"},
    ):
        status, _ = asyncio.run(call(authorized(claims)))
        assert status == 401, claims


def test_through_mangum_the_user_is_the_authorizers_sub(tmp_path):
    # The Lambda handler's shape (lambda_src/api.py): an HTTP API (payload 2.0) event after the JWT
    # authorizer, through Mangum, into the app.
    from mangum import Mangum

    handler = Mangum(create_app(load_settings(data_dir=tmp_path / "data", auth="gateway")), lifespan="off")

    def event(claims: dict | None) -> dict:
        context = {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.test",
            "http": {
                "method": "GET",
                "path": "/api/jobs/1",
                "protocol": "HTTP/1.1",
                "sourceIp": "1.2.3.4",
                "userAgent": "test",
            },
            "requestId": "r",
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Dec/2026:10:00:00 +0000",
            "timeEpoch": 0,
        }
        if claims is not None:
            context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        return {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": "/api/jobs/1",
            "rawQueryString": "",
            "headers": {"host": "api.test"},
            "requestContext": context,
            "isBase64Encoded": False,
        }

    signed_in = handler(
        event({"sub": "alice", "iss": ISSUER, "token_use": "access", "scope": f"openid {API_SCOPE}"}), None
    )
    assert signed_in["statusCode"] == 404 and json.loads(signed_in["body"])["error"] == "not_found"
    anonymous = handler(event(None), None)
    assert anonymous["statusCode"] == 401 and json.loads(anonymous["body"])["field"] == "Authorization"


@pytest.mark.parametrize(
    ("jwks", "ok"),
    [
        ("https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json", True),
        ("http://127.0.0.1:9000/jwks.json", True),
        ("http://localhost:9000/jwks.json", True),
        ("http://[::1]:9000/jwks.json", True),
        ("http://issuer.example/jwks.json", False),
        ("HTTP://issuer.example/jwks.json", False),
        ("http://127.0.0.1.evil.example/jwks.json", False),
    ],
)
def test_keys_come_over_https_unless_the_issuer_is_on_this_machine(tmp_path, jwks, ok):
    def make():
        return load_settings(
            data_dir=tmp_path, auth="jwt", auth_issuer=ISSUER, auth_audience=AUDIENCE, auth_jwks=jwks
        )

    if ok:
        assert make().auth_jwks == jwks
    else:
        with pytest.raises(ConfigError, match="LIFESTREAM_AUTH_JWKS.*https://"):
            make()
