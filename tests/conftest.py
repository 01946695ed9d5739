"""Shared fixtures: a real PostgreSQL server, a moto server over HTTP, and fake AWS credentials.

Nothing here talks to the internet: OpenAI and Pinecone are faked at their HTTP boundary by the tests
that need them.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from lifestream.media.sample_media import SampleVideo, make_sample_video
from tests.support.media import MediaFactory
from tests.support.moto import start_moto
from tests.support.postgres import destroy, start_postgres

EVENTS_DIR = Path(__file__).parent / "events"
pytest_plugins = ("tests.support.cloud_fixtures",)

# Never let a test reach real AWS with a developer's credentials.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    HF_HUB_OFFLINE="1",
    TRANSFORMERS_OFFLINE="1",
)
os.environ.pop("AWS_PROFILE", None)
for _name in list(os.environ):
    if _name.startswith("LIFESTREAM_"):
        del os.environ[_name]
# The local LLM takes seconds per block: "auto" finds no model in tests unless a test names one.
os.environ["LIFESTREAM_LLM_MODEL"] = "/nonexistent/tests-name-their-local-llm.gguf"


@pytest.fixture(scope="session")
def postgres_server():
    server = start_postgres()
    yield server
    destroy(server)


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    return postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def moto_endpoint():
    server, url = start_moto()
    yield url
    server.stop()


@pytest.fixture(scope="session")
def embedder():
    """The embedder the settings choose (the local model in tests), loaded once: the worker and API
    tests index with it."""
    from lifestream.core.settings import load_settings
    from lifestream.memory.embeddings import make_embedder

    return make_embedder(load_settings())


@pytest.fixture
def openai_fake():
    """The loopback OpenAI API (tests/support/openai_fake/), for tests that exercise the cloud path."""
    from tests.support.openai_fake import OpenAIFake

    with OpenAIFake() as fake:
        yield fake


@pytest.fixture
def pinecone_fake():
    """The loopback Pinecone (tests/support/pinecone_fake.py)."""
    from tests.support.pinecone_fake import PineconeFake

    with PineconeFake() as fake:
        yield fake


@pytest.fixture
def no_sdk_backoff(monkeypatch):
    """The Pinecone SDK retries 429/5xx itself with real sleeps; make them instant in tests."""
    from pinecone._internal import http_client

    monkeypatch.setattr(http_client, "_retry_sleep", lambda seconds: None)


@pytest.fixture
def event_fixture():
    """Load a shared JSON event from tests/events/."""
    import json

    def load(name: str) -> dict:
        return json.loads((EVENTS_DIR / name).read_text())

    return load


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    # Settings default to ./.lifestream and read ./.env: keep every test's state in its own directory.
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> MediaFactory:
    """Generated test media (tests/support/media.py), made once per session."""
    return MediaFactory(tmp_path_factory.mktemp("media"))


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> SampleVideo:
    """The demo's sample video with speech and subtitles."""
    return make_sample_video(tmp_path_factory.mktemp("sample") / "my-day.mp4")
