"""Fixtures for the HTTP API tests: two signed-in users (tokens signed by a test RSA key, published in a
JWKS file, verified by the app in LIFESTREAM_AUTH=jwt mode), the local cloud on the moto server, a real
PostgreSQL job store, FAISS, and the real worker turning API uploads into diaries."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from lifestream.core.constants import API_SCOPE
from lifestream.core.settings import Settings
from lifestream.jobs import JobStore
from lifestream.local.worker import LocalWorker

ISSUER = "https://issuer.test/pool"
AUDIENCE = "lifestream-web"


def _rsa():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Keys:
    good: object = field(default_factory=_rsa)
    wrong: object = field(default_factory=_rsa)

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.good.public_key()))
        return {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}

    def token(self, sub: str, *, key=None, kid: str = "k1", **claims) -> str:
        now = int(time.time())
        body = {
            "sub": sub,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 600,
            # What a Cognito access token for this API carries (an ID token says "id" and has no scope).
            "token_use": "access",
            "scope": f"openid {API_SCOPE}",
            **claims,
        }
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.good, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


@dataclass
class Api:
    client: TestClient
    settings: Settings
    cloud: object
    keys: Keys
    embedder: object
    tmp: Path

    def as_user(self, sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys.token(sub)}"}

    def worker(self) -> LocalWorker:
        return LocalWorker(
            self.settings,
            wait_seconds=0,
            function_timeout=120.0,
            runtime_parts={"embedder": self.embedder, "tmp_root": self.tmp},
        )

    def upload(
        self, user: str, path: Path, *, subtitles: Path | None = None, content_type="video/mp4"
    ) -> str:
        """The browser's flow: a ticket per file from the API, then a multipart POST straight to S3."""
        headers = self.as_user(user)
        ticket = self.client.post(
            "/api/uploads",
            json={"filename": path.name, "size": path.stat().st_size, "content_type": content_type},
            headers=headers,
        )
        assert ticket.status_code == 201, ticket.text
        video = ticket.json()
        if subtitles is not None:
            sub = self.client.post(
                "/api/uploads",
                json={
                    "filename": subtitles.name,
                    "size": subtitles.stat().st_size,
                    "content_type": "application/x-subrip",
                    "beside": video["key"],
                },
                headers=headers,
            )
            assert sub.status_code == 201, sub.text
            assert post_form(sub.json(), subtitles).status_code in (200, 204)
        assert post_form(video, path).status_code in (200, 204)
        return video["key"]

    def keys_under(self, prefix: str) -> list[str]:
        s3, bucket = self.cloud.s3, self.cloud.resources.bucket
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(v["Key"] for p in pages for v in p.get("Versions", []) + p.get("DeleteMarkers", []))


def post_form(ticket: dict, path: Path, *, body: bytes | None = None, **field_overrides) -> httpx.Response:
    fields = {**ticket["fields"], **field_overrides}
    data = body if body is not None else path.read_bytes()
    return httpx.post(ticket["url"], data=fields, files={"file": (path.name, data)}, timeout=30)


@pytest.fixture
def jwt_settings(cloud, settings_for, postgres_url, keys, tmp_path):
    """Settings of an API function on the local cloud and the migrated job database, signing in with
    `keys`' tokens (settings overrides as keywords)."""
    JobStore(postgres_url).migrate()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keys.jwks()))

    def make(**overrides):
        return settings_for(
            cloud,
            database_url=postgres_url,
            faiss_dir=tmp_path / "faiss",
            auth="jwt",
            auth_issuer=ISSUER,
            auth_audience=AUDIENCE,
            auth_jwks=str(jwks),
            **overrides,
        )

    return make


@pytest.fixture
def api(cloud, jwt_settings, keys, embedder, tmp_path) -> Api:
    from lifestream.api import create_app
    from lifestream.service import Library

    settings = jwt_settings()
    lambda_tmp = tmp_path / "lambda-tmp"
    lambda_tmp.mkdir()
    library = Library(settings, embedder=embedder)
    client = TestClient(create_app(settings, library=library), raise_server_exceptions=False)
    yield Api(client, settings, cloud, keys, embedder, lambda_tmp)
    library.close()
