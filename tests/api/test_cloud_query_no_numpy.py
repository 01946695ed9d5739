"""The API's Lambda asset ships no numpy: the handler in gateway mode, on the cloud backends (OpenAI
embeddings over HTTP, Pinecone, PostgreSQL), imports none and serves its vector paths without it.

Each case runs in a fresh interpreter, since a module imported by another test would hide an import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.openai_fake import DEFAULT_API_KEY as OPENAI_KEY
from tests.support.pinecone_fake import DEFAULT_API_KEY as PINECONE_KEY

REPO_ROOT = Path(__file__).resolve().parents[2]
HANDLERS = REPO_ROOT / "lambda_src"

IMPORT_ONLY = """
import json, sys
sys.path.insert(0, HANDLERS)
import api
print(json.dumps(sorted(m for m in sys.modules if m == "numpy" or m.startswith("numpy."))))
"""

# numpy made unimportable, as in the asset; then what the API does with vectors: a video indexed (what a
# speaker rename does: embed the renamed chunks, upsert them, drop the stale ones), a search, an answer.
SERVE_WITHOUT_NUMPY = """
import json, sys

class NoNumpy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ModuleNotFoundError("No module named 'numpy' (the API asset leaves it out)", name=name)

sys.meta_path.insert(0, NoNumpy())
sys.path.insert(0, HANDLERS)
import api
from lifestream.core.constants import API_SCOPE
from lifestream.core.models import Chunk, ChunkType
from lifestream.core.settings import load_settings
from lifestream.service import Library

library = Library(load_settings())
job = library.jobs.claim(bucket="b", key="uploads/alice/walk.mp4", version="v1", worker_id="w",
                         stale_after=60, owner="alice").job
chunks = [
    Chunk(id=f"{job.video_id}#summary#0000", text="Walked the dog by the river in the morning.",
          video_id=job.video_id, chunk_type=ChunkType.SUMMARY, start=0, end=30, recorded_date="2026-11-24"),
    Chunk(id=f"{job.video_id}#transcript#0001", text="We planned the garden party for Saturday.",
          video_id=job.video_id, chunk_type=ChunkType.TRANSCRIPT, start=30, end=60, recorded_date="2026-11-24"),
]
written = library.index("alice").index(job.video_id, chunks)
library.jobs.complete(job.id, worker_id="w", result_keys={}, duration=60.0, recorded_at=None, chunk_count=2)


def call(method, path, query="", body=None):
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": {"host": "api.test", "content-type": "application/json"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.test",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "1.2.3.4",
                     "userAgent": "test"},
            "requestId": "r", "routeKey": "$default", "stage": "$default",
            "time": "01/Dec/2026:10:00:00 +0000", "timeEpoch": 0,
            "authorizer": {"jwt": {"claims": {"sub": "alice", "token_use": "access",
                                              "scope": "openid " + API_SCOPE}, "scopes": None}},
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = json.dumps(body)
    response = api.handler(event, None)
    return response["statusCode"], json.loads(response["body"])


search = call("GET", "/api/search", "q=dog%20river&mode=dense&top_k=2")
ask = call("POST", "/api/ask", body={"question": "Where did I walk the dog?"})
print(json.dumps({"written": written, "search": search, "ask": ask,
                  "numpy": sorted(m for m in sys.modules if m.startswith("numpy"))}))
"""


def _run(code: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", f"HANDLERS = {str(HANDLERS)!r}\n" + code],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout.strip().splitlines()[-1]


def _cloud_env(tmp_path: Path, *, openai_url: str, pinecone_url: str, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIFESTREAM_", "PYTHON"))}
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        LIFESTREAM_AUTH="gateway",
        LIFESTREAM_DATA_DIR=str(tmp_path / "data"),
        LIFESTREAM_DATABASE_URL=database_url,
        LIFESTREAM_VECTOR_STORE="pinecone",
        LIFESTREAM_PINECONE_API_KEY=PINECONE_KEY,
        LIFESTREAM_PINECONE_CONTROL_HOST=pinecone_url,
        LIFESTREAM_EMBEDDING_PROVIDER="openai",
        LIFESTREAM_OPENAI_API_KEY=OPENAI_KEY,
        LIFESTREAM_OPENAI_BASE_URL=openai_url,
        # The extractive answer ranks sentences by the embedder's vectors: the path that used numpy.
        LIFESTREAM_SUMMARIZER="extractive",
        LIFESTREAM_TIMEZONE="UTC",
    )
    return env


def test_importing_the_handler_in_gateway_cloud_mode_imports_no_numpy(
    tmp_path, openai_fake, pinecone_fake, postgres_url
):
    env = _cloud_env(
        tmp_path, openai_url=openai_fake.base_url, pinecone_url=pinecone_fake.url, database_url=postgres_url
    )
    assert json.loads(_run(IMPORT_ONLY, env, tmp_path)) == []


def test_the_cloud_query_path_serves_without_numpy(tmp_path, openai_fake, pinecone_fake, postgres_url):
    from lifestream.jobs import JobStore

    store = JobStore(postgres_url)
    store.migrate()  # on AWS, the deploy-time migration function
    store.close()
    env = _cloud_env(
        tmp_path, openai_url=openai_fake.base_url, pinecone_url=pinecone_fake.url, database_url=postgres_url
    )
    out = json.loads(_run(SERVE_WITHOUT_NUMPY, env, tmp_path))
    assert out["numpy"] == []
    assert out["written"] == 2
    status, hits = out["search"]
    assert status == 200, hits
    assert hits and hits[0]["text"].startswith("Walked the dog")
    status, answer = out["ask"]
    assert status == 200, answer
    assert answer["citations"], answer
