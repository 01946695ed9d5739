"""The OpenAI fake's server: routing, the bearer key, the call log, and injected faults and delays. The
routes' own rules are in embeddings.py, chat.py and transcriptions.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from tests.support.loopback_http import LoopbackFake, Reply
from tests.support.openai_fake import chat, embeddings, transcriptions
from tests.support.openai_fake.protocol import (
    BadRequest,
    LoggedCall,
    PlainText,
    lowered_headers,
    parse_multipart,
)
from tests.support.openai_fake.speakers import speaker_labels

DEFAULT_API_KEY = "sk-test-key"
EMBEDDINGS, CHAT, TRANSCRIPTIONS = "/embeddings", "/chat/completions", "/audio/transcriptions"


class OpenAIFake(LoopbackFake):
    thread_name = "openai-fake"
    # How diarization tells voices apart: "alternate" or "pitch" (see speakers.py).
    voices = "alternate"

    def __init__(self, *, api_key: str = DEFAULT_API_KEY, speakers: tuple[str, ...] = ("A", "B")) -> None:
        super().__init__()
        self.api_key = api_key
        # The labels a diarizing model gives voices it was not told the names of.
        self.speakers = speakers
        self.calls: list[LoggedCall] = []
        self.chat_answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self.chat_reply: Callable[[dict[str, Any]], str] = lambda body: "ok"
        self._faults: list[list[Any]] = []
        self._delays: list[tuple[float, str | None]] = []
        self._stopped = threading.Event()
        self._lock = threading.RLock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

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
        """Answer the next n requests (to paths ending in `path`, or any) with `status`."""
        with self._lock:
            self._faults.append([n, status, retry_after, retry_after_ms, path])

    def delay(self, seconds: float, *, path: str | None = None) -> None:
        """Hold every answer to paths ending in `path` (or all) for `seconds` before sending it."""
        with self._lock:
            self._delays.append((seconds, path))

    def stop(self) -> None:
        self._stopped.set()  # held answers end now, so their threads do not outlive the test
        super().stop()

    def calls_to(self, suffix: str, *, ok_only: bool = True) -> list[LoggedCall]:
        return [c for c in self.calls if c.path.endswith(suffix) and (c.status == 200 or not ok_only)]

    @property
    def transcriptions(self) -> list[dict[str, Any]]:
        return self._parsed_bodies(TRANSCRIPTIONS)

    @property
    def chats(self) -> list[dict[str, Any]]:
        return self._parsed_bodies(CHAT)

    def _parsed_bodies(self, suffix: str) -> list[dict[str, Any]]:
        # Requests rejected before parsing (wrong key, malformed body) have no body: they never reached
        # the route, so they are not attempts the code under test made in a valid shape.
        return [c.body for c in self.calls if c.path.endswith(suffix) and c.body]

    # --- dispatch ----------------------------------------------------------------------------------------
    def respond(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        path = urlsplit(raw_path).path
        lowered = lowered_headers(headers)
        call = LoggedCall(method=method, path=path, status=200, headers=lowered, received_at=time.monotonic())
        with self._lock:
            self.calls.append(call)
            held = sum(seconds for seconds, only in self._delays if only is None or path.endswith(only))
        if held:
            self._stopped.wait(held)
        if lowered.get("authorization") != f"Bearer {self.api_key}":
            return self._error(call, 401, "Incorrect API key provided", "invalid_api_key")
        content_type = lowered.get("content-type", "")
        try:
            if method != "POST" or not path.endswith((EMBEDDINGS, CHAT, TRANSCRIPTIONS)):
                return self._error(call, 404, f"no route {method} {path}", "not_found")
            # The body is parsed (and logged) before a fault is injected, so failed attempts are visible.
            if path.endswith(TRANSCRIPTIONS):
                call.body = parse_multipart(content_type, body)
            else:
                if not content_type.startswith("application/json"):
                    raise BadRequest(f"expected application/json, got {content_type!r}")
                call.body = json.loads(body)
            with self._lock:
                fault = self._take_fault(path)
            if fault is not None:
                return self._fault(call, *fault)
            if path.endswith(EMBEDDINGS):
                return self._ok(embeddings.answer(call.body, call))
            if path.endswith(CHAT):
                return self._ok(
                    chat.answer(
                        call.body, answers=self.chat_answers, reply=self.chat_reply, number=len(self.calls)
                    )
                )
            try:
                return self._ok(transcriptions.answer(call.body, self._speaker_labels))
            except PlainText as plain:
                return 200, {"content-type": "text/plain; charset=utf-8"}, plain.text.encode()
        except BadRequest as exc:
            return self._error(
                call, 400, str(exc), exc.code, param=exc.param, error_type="invalid_request_error"
            )

    def _speaker_labels(
        self, audio: bytes, spans: list[tuple[float, float]], form: dict[str, Any]
    ) -> list[str]:
        return speaker_labels(audio, spans, form, voices=self.voices, speakers=self.speakers)

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

    def _fault(self, call: LoggedCall, status: int, retry_after: float | None, retry_after_ms: float | None):
        extra = {}
        if retry_after is not None:
            extra["retry-after"] = str(retry_after)
        if retry_after_ms is not None:
            extra["retry-after-ms"] = str(retry_after_ms)
        code = "rate_limit_exceeded" if status == 429 else "server_error"
        return self._error(call, status, f"injected {status}", code, extra)

    @staticmethod
    def _ok(payload: dict[str, Any]) -> Reply:
        return 200, {"content-type": "application/json"}, json.dumps(payload).encode()

    @staticmethod
    def _error(
        call: LoggedCall,
        status: int,
        message: str,
        code: str | None,
        extra: dict | None = None,
        *,
        param: str | None = None,
        error_type: str | None = None,
    ) -> Reply:
        call.status = status
        body = {"error": {"message": message, "type": error_type or code, "param": param, "code": code}}
        return status, {"content-type": "application/json", **(extra or {})}, json.dumps(body).encode()
