"""Errors that say only what the caller may know: a failure of configuration or of a dependency is a
generic 503 or 500 with a reference, and its detail (database host, secret name, bucket key, the SDK's own
words, the traceback) goes to the log under that reference. A failed job shows its owner a reason about
their video, never the internal error."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from lifestream.api import create_app
from lifestream.core import errors
from lifestream.core.errors import (
    REASONS,
    RETRYING,
    ConfigError,
    CorruptVideoError,
    EmbeddingError,
    LifeStreamError,
    NoSubtitlesError,
    ObjectNotFoundError,
    StorageError,
    TransientError,
    UnsupportedFileError,
    VectorStoreError,
    user_reason,
)
from lifestream.core.settings import load_settings

SECRET_DETAIL = "postgresql+psycopg://app:***@prod.cluster-abc.eu-west-1.rds.amazonaws.com:5432/jobs"
PINECONE = (
    "Pinecone query failed: (400) Reason: Bad Request HTTP response headers: "
    "HTTPHeaderDict({'x-pinecone-request-id': '1'}) https://idx-abc.svc.pinecone.io/query"
)

# What the failures of a real deployment carry (the findings): a database URL during rotation, a
# raw Pinecone SDK exception, an S3 key, the OpenAI refusal text, and a crash with a traceback.
FAILURES = [
    pytest.param(ConfigError(f"LIFESTREAM_DATABASE_URL {SECRET_DETAIL} refused"), 500, id="config"),
    pytest.param(TransientError(f"job store unavailable ({SECRET_DETAIL})"), 503, id="transient"),
    pytest.param(VectorStoreError(PINECONE), 503, id="pinecone"),
    pytest.param(StorageError("GetObject s3://videos-1/uploads/alice/x/a.mp4: AccessDenied"), 503, id="s3"),
    pytest.param(EmbeddingError("embeddings failed (400): https://api.openai.com/v1/x"), 503, id="embed"),
    pytest.param(LifeStreamError("OpenAI chat was refused: HTTP 400: Invalid 'x'"), 500, id="other"),
    pytest.param(KeyError("results/alice/walk-1/summary.json"), 500, id="crash"),
]
ROUTES = [
    ("GET", "/api/videos", {}),
    ("GET", "/api/videos/walk-1", {}),
    ("GET", "/api/search?q=coffee", {}),
    ("POST", "/api/ask", {"json": {"question": "what did we decide?"}}),
    ("GET", "/api/jobs", {}),
    ("DELETE", "/api/videos/walk-1", {}),
    ("POST", "/api/uploads", {"json": {"filename": "a.mp4", "size": 10, "content_type": "video/mp4"}}),
]
EXCEPTION_NAMES = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, BaseException)
} | {"KeyError", "Exception", "ClientError", "PineconeApiException", "OperationalError"}


class Failing:
    """A service whose every call fails with `exc` (the routes pass it whatever the request holds)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise self.exc

        return fail


def says_nothing_internal(text: str) -> None:
    assert not re.search(r"[a-z][a-z0-9+.-]*://", text, re.I), text  # no URL of any scheme
    assert not re.search(r"s3://|\.amazonaws\.com|uploads/|results/|/tmp/|\.py\b", text), text
    assert "Traceback" not in text and 'File "' not in text, text
    named = [n for n in EXCEPTION_NAMES if re.search(rf"\b{n}\b", text)]
    assert not named, (named, text)


@pytest.mark.parametrize(("exc", "status"), FAILURES)
def test_failures_of_ours_are_generic_with_a_reference_and_logged(tmp_path, caplog, exc, status):
    app = create_app(load_settings(data_dir=tmp_path / "data"), library=Failing(exc))
    client = TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1")
    for method, path, kwargs in ROUTES:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="lifestream.api"):
            response = client.request(method, path, **kwargs)
        assert response.status_code == status, (path, response.text)
        body = response.json()
        assert body["error"] == ("unavailable" if status == 503 else "internal")
        if status == 503:
            assert response.headers["Retry-After"] == "5"
        says_nothing_internal(response.text)
        says_nothing_internal(str(dict(response.headers)))
        # The operator finds the detail, and its traceback, under the reference the caller was given.
        ref = re.search(r"reference ([0-9a-f]{12})", body["message"]).group(1)
        (record,) = [r for r in caplog.records if ref in r.getMessage()]
        assert str(exc).strip("'") in record.getMessage() and record.exc_info is not None


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (CorruptVideoError("/tmp/lambda-x/input/walk.mp4: moov atom not found"), REASONS[CorruptVideoError]),
        (NoSubtitlesError("walk.mp4 ... LIFESTREAM_TRANSCRIBER=subtitles"), REASONS[NoSubtitlesError]),
        (ObjectNotFoundError("GetObject s3://b/uploads/a/x/w.mp4: not found"), REASONS[ObjectNotFoundError]),
        (UnsupportedFileError("s3://b/k is 9 bytes", reason="9 bytes is over 8"), "9 bytes is over 8"),
        (TransientError(f"job store unavailable ({SECRET_DETAIL})"), RETRYING),
        (RuntimeError("segfault in libav at 0x7f"), RETRYING),
    ],
)
def test_a_job_keeps_a_reason_its_owner_can_read(exc, reason):
    assert user_reason(exc) == reason
    says_nothing_internal(reason)


def test_every_input_error_has_a_reason_in_words():
    for cls, reason in REASONS.items():
        says_nothing_internal(reason)
        assert reason[0].islower() and not reason.endswith(".")
        assert issubclass(cls, errors.InputError)


def test_a_failed_upload_shows_its_owner_the_reason_not_the_error(api, media):
    # GIVEN a text file uploaded as a video, processed by the real worker
    api.upload("alice", media.text_as_video())
    api.worker().run(until_idle=True)
    # THEN the job failed, and the operator's record names the exception and the file ...
    (job,) = [j for j in api.client.get("/api/jobs", headers=api.as_user("alice")).json()]
    from lifestream.jobs import JobStore

    record = JobStore(api.settings.resolved_database_url).get(job["id"])
    assert record.status == "failed" and "CorruptVideoError" in (record.error or ""), record
    # ... while the API shows alice only what is wrong with her video, in the jobs and in the library
    assert job["status"] == "failed" and job["error"] == REASONS[CorruptVideoError]
    (video,) = api.client.get("/api/videos", headers=api.as_user("alice")).json()["items"]
    assert video["error"] == REASONS[CorruptVideoError]
    single = api.client.get(f"/api/jobs/{job['id']}", headers=api.as_user("alice"))
    diary = api.client.get(f"/api/videos/{video['video_id']}", headers=api.as_user("alice"))
    for text in (single.text, diary.text):
        says_nothing_internal(text)
