"""A fake OpenAI API for tests, over real HTTP on 127.0.0.1; import it from here.

(respx cannot be used: the `openai` 3.x client sends its requests with `httpx2`, which respx does not
patch. A loopback server, reached with `base_url=fake.base_url` or LIFESTREAM_OPENAI_BASE_URL, exercises
the real client: its encoders, multipart bodies, retries and response parsing.)

It rejects what the API reference documents as invalid, with HTTP 400 in OpenAI's error shape
(protocol.py): a JSON route's body without `application/json`, and a missing or wrong bearer key (401).
One module per API, each saying what it refuses and how it answers: embeddings.py (bag-of-words
vectors), chat.py (chat completions, structured output and vision), transcriptions.py (it listens to the
WAV it receives: audio.py), and speakers.py (gpt-4o-transcribe-diarize's labels, set by `fake.voices`).

Every request is logged in `calls`; `transcriptions` and `chats` are the parsed bodies of the requests that
reached a route, including those answered with an injected fault (so retries can be counted).
Faults: `fail_next(n, status=429, retry_after=None, retry_after_ms=None, path=None)`; a slow service:
`delay(seconds, path=None)` holds every answer (to paths ending in `path`) that long, or until the fake
stops. Each call keeps its request headers and its arrival time (`time.monotonic()`), so tests can read the
timeout the client announced (`x-stainless-read-timeout`) against the time it had left.
"""

from tests.support.openai_fake.audio import voiced_spans
from tests.support.openai_fake.embeddings import fake_embedding
from tests.support.openai_fake.protocol import LoggedCall
from tests.support.openai_fake.server import CHAT, DEFAULT_API_KEY, EMBEDDINGS, TRANSCRIPTIONS, OpenAIFake

__all__ = [
    "CHAT",
    "DEFAULT_API_KEY",
    "EMBEDDINGS",
    "TRANSCRIPTIONS",
    "LoggedCall",
    "OpenAIFake",
    "fake_embedding",
    "voiced_spans",
]
