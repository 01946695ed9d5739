"""A fake OpenAI API for tests: embeddings, chat completions and audio transcriptions.

The `openai` package (3.x) sends its requests with `httpx2`, which respx cannot intercept, so the
fake is reachable two ways, both through the real client:
- over real HTTP on 127.0.0.1: `with OpenAIFake() as fake:` then `base_url=fake.base_url`
  (or LIFESTREAM_OPENAI_BASE_URL) — works for any code that builds its own client;
- in process: `openai.OpenAI(api_key=..., http_client=fake.http_client())` (an httpx2 MockTransport).

It rejects what the API documents as invalid: missing/wrong bearer key; embeddings with more than
2048 inputs, an empty string, an input over 8192 tokens or more than 300,000 tokens per request
(counted with tiktoken cl100k_base), `dimensions` on a model without it; audio files over 25 MB.
Embeddings are deterministic bag-of-words vectors (texts sharing words are close), so search tests
get meaningful rankings. `encoding_format=base64` is honoured (the client's default).

Faults: `fail_next(n, status=429, retry_after=None, retry_after_ms=None, path=None)`.
Chat: set `fake.chat_reply = callable(request_json) -> str | dict` (a dict is sent as JSON content).
Transcription: set `fake.transcribe = callable(filename, data, form) -> dict` (verbose_json body).
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import functools
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from tests.support.postgres import free_port

DEFAULT_API_KEY = "sk-test-key"
EMBEDDING_MODELS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
MAX_INPUTS = 2048
MAX_INPUT_TOKENS = 8192
MAX_REQUEST_TOKENS = 300_000
MAX_AUDIO_BYTES = 25 * 1024 * 1024
_WORD = re.compile(r"[a-z0-9]+")


@functools.lru_cache(maxsize=65536)
def _word_vector(word: str, dimension: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(dimension)


def fake_embedding(text: str, dimension: int) -> np.ndarray:
    """Sum of one fixed random vector per word: shared words -> high cosine; deterministic."""
    total = np.zeros(dimension, dtype=np.float64)
    words = _WORD.findall(text.lower()) or [text]
    for word in words:
        total += _word_vector(word, dimension)
    norm = np.linalg.norm(total)
    return (total / norm if norm else total).astype(np.float32)


@dataclass
class LoggedCall:
    method: str
    path: str
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    inputs: int = 0
    tokens: int = 0


class OpenAIFake:
    def __init__(self, *, api_key: str = DEFAULT_API_KEY) -> None:
        self.api_key = api_key
        self.calls: list[LoggedCall] = []
        self.chat_reply: Callable[[dict[str, Any]], str | dict] = lambda body: "ok"
        self.transcribe: Callable[[str, bytes, dict[str, str]], dict[str, Any]] = lambda name, data, form: {
            "text": "",
            "language": "english",
            "duration": 0.0,
            "segments": [],
        }
        self._faults: list[list[Any]] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    # --- transports --------------------------------------------------------------------------------------
    def start(self) -> OpenAIFake:
        self.port = free_port()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, data = fake.handle("POST", self.path, dict(self.headers), body)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="openai-fake", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> OpenAIFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def http_client(self):
        """An httpx2 client that answers in process (for `openai.OpenAI(http_client=...)`)."""
        import httpx2

        def handler(request):
            status, headers, data = self.handle(
                request.method, request.url.raw_path.decode(), dict(request.headers), request.read()
            )
            return httpx2.Response(status, headers=headers, content=data)

        return httpx2.Client(transport=httpx2.MockTransport(handler), base_url="http://openai.fake/v1")

    # --- controls ----------------------------------------------------------------------------------------
    def fail_next(
        self,
        n: int,
        *,
        status: int = 429,
        retry_after: float | None = None,
        retry_after_ms: float | None = None,
        path: str | None = None,
    ) -> None:
        with self._lock:
            self._faults.append([n, status, retry_after, retry_after_ms, path])

    def calls_to(self, suffix: str, *, ok_only: bool = True) -> list[LoggedCall]:
        return [c for c in self.calls if c.path.endswith(suffix) and (c.status == 200 or not ok_only)]

    # --- dispatch ----------------------------------------------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict, bytes]:
        path = urlsplit(raw_path).path
        lowered = {k.lower(): v for k, v in headers.items()}
        call = LoggedCall(method=method, path=path, status=200)
        with self._lock:
            self.calls.append(call)
            if lowered.get("authorization") != f"Bearer {self.api_key}":
                return self._error(call, 401, "Incorrect API key provided", "invalid_api_key")
            fault = self._take_fault(path)
        if fault is not None:
            status, retry_after, retry_after_ms = fault
            extra = {}
            if retry_after is not None:
                extra["retry-after"] = str(retry_after)
            if retry_after_ms is not None:
                extra["retry-after-ms"] = str(retry_after_ms)
            return self._error(call, status, f"injected {status}", "rate_limit_exceeded", extra)
        try:
            if path.endswith("/embeddings"):
                payload = json.loads(body)
                call.body = payload
                return self._ok(call, self._embeddings(payload, call))
            if path.endswith("/chat/completions"):
                payload = json.loads(body)
                call.body = payload
                return self._ok(call, self._chat(payload))
            if path.endswith("/audio/transcriptions"):
                return self._ok(call, self._transcription(lowered.get("content-type", ""), body, call))
        except _BadRequest as exc:
            return self._error(call, 400, str(exc), "invalid_request_error")
        return self._error(call, 404, f"no route {method} {path}", "not_found")

    def _take_fault(self, path: str) -> tuple[int, float | None, float | None] | None:
        for i, fault in enumerate(self._faults):
            n, status, retry_after, retry_after_ms, only = fault
            if only is None or path.endswith(only):
                if n <= 1:
                    self._faults.pop(i)
                else:
                    fault[0] -= 1
                return status, retry_after, retry_after_ms
        return None

    @staticmethod
    def _ok(call: LoggedCall, payload: dict[str, Any]) -> tuple[int, dict, bytes]:
        return 200, {"content-type": "application/json"}, json.dumps(payload).encode()

    @staticmethod
    def _error(call: LoggedCall, status: int, message: str, code: str, extra: dict | None = None):
        call.status = status
        body = {"error": {"message": message, "type": code, "param": None, "code": code}}
        return status, {"content-type": "application/json", **(extra or {})}, json.dumps(body).encode()

    # --- routes ------------------------------------------------------------------------------------------
    def _embeddings(self, body: dict[str, Any], call: LoggedCall) -> dict[str, Any]:
        from lifestream.embeddings.openai_embedder import token_encoding

        model = body.get("model")
        if model not in EMBEDDING_MODELS:
            raise _BadRequest(f"The model `{model}` does not exist")
        dimension = EMBEDDING_MODELS[model]
        if "dimensions" in body:
            if not model.startswith("text-embedding-3"):
                raise _BadRequest("This model does not support specifying dimensions.")
            dimension = int(body["dimensions"])
        raw = body.get("input")
        inputs = [raw] if isinstance(raw, str) else raw
        if not isinstance(inputs, list) or not inputs:
            raise _BadRequest("'input' must be a non-empty string or array")
        if len(inputs) > MAX_INPUTS:
            raise _BadRequest(f"'input' array must have at most {MAX_INPUTS} items, got {len(inputs)}")
        enc = token_encoding()
        texts: list[str] = []
        total = 0
        for i, item in enumerate(inputs):
            if isinstance(item, str):
                if item == "":
                    raise _BadRequest(f"'$.input[{i}]' is invalid: empty string")
                n = len(enc.encode(item, disallowed_special=()))
                texts.append(item)
            elif isinstance(item, list):
                n = len(item)
                texts.append(enc.decode(item))
            else:
                raise _BadRequest(f"'$.input[{i}]' must be a string or an array of tokens")
            if n > MAX_INPUT_TOKENS:
                raise _BadRequest(
                    f"This model's maximum context length is {MAX_INPUT_TOKENS} tokens, however you requested {n} tokens"
                )
            total += n
        if total > MAX_REQUEST_TOKENS:
            raise _BadRequest(f"Requested {total} tokens, max {MAX_REQUEST_TOKENS} tokens per request")
        call.inputs, call.tokens = len(texts), total
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for i, text in enumerate(texts):
            vec = fake_embedding(text, dimension)
            embedding: Any = (
                base64.b64encode(vec.astype("<f4").tobytes()).decode() if as_base64 else vec.tolist()
            )
            data.append({"object": "embedding", "index": i, "embedding": embedding})
        return {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": total, "total_tokens": total},
        }

    def _chat(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("model") or not isinstance(body.get("messages"), list) or not body["messages"]:
            raise _BadRequest("'model' and a non-empty 'messages' array are required")
        reply = self.chat_reply(body)
        content = reply if isinstance(reply, str) else json.dumps(reply)
        return {
            "id": f"chatcmpl-{len(self.calls)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }

    def _transcription(self, content_type: str, body: bytes, call: LoggedCall) -> dict[str, Any]:
        if not content_type.startswith("multipart/form-data"):
            raise _BadRequest("audio/transcriptions expects multipart/form-data")
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + body
        )
        form: dict[str, str] = {}
        filename, data = None, b""
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if part.get_filename():
                filename, data = part.get_filename(), part.get_payload(decode=True) or b""
            elif name:
                form[str(name)] = (part.get_payload(decode=True) or b"").decode()
        if filename is None:
            raise _BadRequest("'file' is required")
        if len(data) > MAX_AUDIO_BYTES:
            raise _BadRequest(f"Maximum content size limit ({MAX_AUDIO_BYTES}) exceeded ({len(data)} bytes)")
        if not form.get("model"):
            raise _BadRequest("'model' is required")
        call.body = {"filename": filename, "bytes": len(data), **form}
        return self.transcribe(filename, data, form)


class _BadRequest(Exception):
    pass
