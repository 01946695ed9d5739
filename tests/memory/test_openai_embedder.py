"""OpenAI embeddings through the real `openai` client against the loopback fake."""

from __future__ import annotations

import numpy as np
import pytest

from lifestream.core.errors import ConfigError, EmbeddingError, TransientError
from lifestream.core.settings import load_settings
from lifestream.memory.embeddings import make_embedder
from lifestream.memory.embeddings.openai_embedder import OpenAIEmbedder, token_encoding
from tests.support.openai_fake import DEFAULT_API_KEY, fake_embedding


def embedder(fake, **kwargs):
    kwargs.setdefault("sleep", lambda s: None)
    return OpenAIEmbedder(api_key=DEFAULT_API_KEY, base_url=fake.base_url, **kwargs)


def rows(out) -> np.ndarray:
    """The embedder's plain rows (no numpy: the API's asset has none) as the array the checks read."""
    assert isinstance(out, list) and all(isinstance(row, list) for row in out)
    matrix = np.asarray(out, dtype=np.float64)
    assert np.array_equal(matrix.astype(np.float32).astype(np.float64), matrix), "not float32 values"
    return matrix


def test_vectors_are_normalised_in_input_order(openai_fake):
    texts = [f"note number {i} about {'cats' if i % 2 else 'dogs'}" for i in range(50)]
    out = rows(embedder(openai_fake).embed(texts))
    assert out.shape == (50, 1536)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    for i in (0, 17, 49):
        assert np.allclose(out[i], fake_embedding(texts[i], 1536), atol=1e-5)
    assert embedder(openai_fake).embed([]) == []


def test_requests_respect_input_and_token_limits_with_minimal_count(openai_fake):
    # GIVEN 5000 short texts (input-count bound) and 90 long ones (token bound)
    e = embedder(openai_fake, dimension=32)  # limits do not depend on the width; keeps the test fast
    e.embed([f"short text {i}" for i in range(5000)])
    counts = [c.inputs for c in openai_fake.calls_to("/embeddings")]
    assert counts == [2048, 2048, 904]

    openai_fake.calls.clear()
    long_texts = [f"{i} " + "lorem ipsum dolor sit amet " * 1200 for i in range(70)]
    e.embed(long_texts)
    calls = openai_fake.calls_to("/embeddings")
    tokens = [len(token_encoding().encode(t)) for t in long_texts]
    assert all(c.tokens <= 300_000 and c.inputs <= 2048 for c in calls)
    assert len(calls) <= OpenAIEmbedder.optimum_requests(tokens) + 1
    assert len(calls) >= 2 and sum(c.inputs for c in calls) == 70


def test_long_inputs_are_truncated_and_reported(openai_fake, caplog):
    e = embedder(openai_fake)
    text = "alpha beta gamma " * 4000  # ~12k tokens
    out = rows(e.embed(["short", text]))
    assert e.last_report.truncated == [1]
    assert "truncated 1 input(s)" in caplog.text
    sent = openai_fake.calls_to("/embeddings")[-1]
    assert sent.tokens <= 1 + 8191
    assert out.shape == (2, 1536)


def test_long_inputs_can_be_split_and_averaged(openai_fake):
    e = embedder(openai_fake, long_input="split")
    text = "alpha beta " * 6000 + " omega"
    out = rows(e.embed([text]))
    assert e.last_report.split == [0]
    call = openai_fake.calls_to("/embeddings")[-1]
    assert call.inputs >= 2
    assert np.isclose(np.linalg.norm(out[0]), 1.0)
    # The token-weighted mean of the pieces' vectors, as numpy computes it.
    pieces = call.body["input"]
    weights = np.asarray([len(token_encoding().encode(p, disallowed_special=())) for p in pieces])[:, None]
    mean = (np.asarray([fake_embedding(p, 1536) for p in pieces], dtype=np.float64) * weights).sum(axis=0)
    assert np.allclose(out[0], mean / np.linalg.norm(mean), atol=1e-6)


def test_rate_limits_are_retried_honouring_retry_after(openai_fake):
    sleeps = []
    e = embedder(openai_fake, sleep=sleeps.append)
    openai_fake.fail_next(2, status=429, retry_after=3)
    openai_fake.fail_next(1, status=503, retry_after_ms=1500)
    out = rows(e.embed(["hello there"]))
    assert out.shape == (1, 1536)
    assert e.last_report.requests == 4 and e.last_report.retries == 3
    assert sleeps[0] >= 3 and sleeps[1] >= 3 and sleeps[2] >= 1.5


def test_backoff_grows_and_gives_up_with_a_transient_error(openai_fake):
    sleeps = []
    e = embedder(openai_fake, sleep=sleeps.append, max_attempts=4, base_delay=1.0)
    openai_fake.fail_next(10, status=500)
    with pytest.raises(TransientError, match="after 4 attempts"):
        e.embed(["x"])
    assert len(sleeps) == 3 and all(0 <= s <= 1.0 * 2**i for i, s in enumerate(sleeps))


def test_bad_key_and_bad_requests_are_not_retried(openai_fake):
    with pytest.raises(ConfigError, match="API key"):
        OpenAIEmbedder(api_key="sk-wrong", base_url=openai_fake.base_url).embed(["x"])
    with pytest.raises(EmbeddingError, match="does not exist"):
        embedder(openai_fake, model="text-embedding-9", dimension=8).embed(["x"])
    assert len(openai_fake.calls) == 2


def test_dimension_parameter_is_sent_only_when_it_changes_something(openai_fake):
    small = embedder(openai_fake, dimension=256)
    assert rows(small.embed(["x"])).shape == (1, 256) and small.name == "text-embedding-3-small@256"
    assert openai_fake.calls_to("/embeddings")[-1].body["dimensions"] == 256
    embedder(openai_fake).embed(["x"])
    assert "dimensions" not in openai_fake.calls_to("/embeddings")[-1].body


def test_blank_texts_are_sent_as_a_space_not_rejected(openai_fake):
    assert rows(embedder(openai_fake).embed(["", "  "])).shape == (2, 1536)


def test_make_embedder_from_settings(openai_fake, monkeypatch):
    settings = load_settings(
        embedding_provider="openai", openai_api_key=DEFAULT_API_KEY, openai_base_url=openai_fake.base_url
    )
    e = make_embedder(settings)
    assert e.name == "text-embedding-3-small" and e.dimension == 1536
    assert rows(e.embed(["hi"])).shape == (1, 1536)


# --- the invocation's time budget ------------------------------------------------------------------------
def test_each_request_is_sent_with_a_timeout_within_the_time_left(openai_fake):
    from lifestream.core.budget import Budget

    # GIVEN 5 s left before the hand-over margin (the embedder's own timeout is 60 s)
    with Budget(lambda: 65.0, margin=60.0).active():
        embedder(openai_fake).embed(["one text"])

    (call,) = openai_fake.calls_to("/embeddings")
    assert float(call.headers["x-stainless-read-timeout"]) <= 5.0


def test_a_retry_that_would_outlast_the_budget_is_not_waited_for(openai_fake):
    from lifestream.core.budget import Budget, DeadlineReached

    # GIVEN throttling that asks for 30 s and only 10 s left in the invocation
    openai_fake.fail_next(10, status=429, retry_after=30)
    waits: list[float] = []

    with Budget(lambda: 70.0, margin=60.0).active(), pytest.raises(DeadlineReached, match="no time left"):
        embedder(openai_fake, sleep=waits.append).embed(["one text"])

    # THEN it gave up at once, as a transient error, instead of sleeping past the invocation's end
    assert waits == [] and len(openai_fake.calls_to("/embeddings", ok_only=False)) == 1
    assert issubclass(DeadlineReached, TransientError)
