"""A loopback HTTP server that stands in for OpenAI's API, answering in the documented shapes.

(respx cannot be used: the `openai` 3.x client sends its requests with `httpx2`, which respx does not
patch. A real server on 127.0.0.1, reached through `LIFESTREAM_OPENAI_BASE_URL`, exercises the real client,
its multipart encoding, retries and response parsing.)

Requests are recorded and checked against the API reference: multipart `POST /v1/audio/transcriptions`
(file, model, response_format, timestamp_granularities[] / chunking_strategy) and JSON
`POST /v1/chat/completions` with `response_format: {type: json_schema, json_schema: {name, schema, strict}}`.
The transcription fake really listens: it finds the voiced stretches of the WAV it receives (by energy), so
merged timestamps can be compared with the truth. Faults (HTTP status for the next N calls) can be queued.
"""

from __future__ import annotations

import io
import json
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from tests.support.postgres import free_port

API_KEY = "sk-test-not-a-real-key"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    content: bytes


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def parse_multipart(request: Request) -> dict[str, Any]:
    """Form fields of a multipart body: text values as str, file parts as (filename, content_type, bytes)."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary="), content_type
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields: dict[str, Any] = {}
    for part in request.content.split(b"--" + boundary):
        part = part.strip(b"\r\n")
        if not part or part == b"--":
            continue
        head, _, body = part.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n") if ": " in line)
        disposition = headers.get("Content-Disposition", headers.get("content-disposition", ""))
        params = dict(p.strip().split("=", 1) for p in disposition.split(";")[1:])
        name = params["name"].strip('"')
        if "filename" in params:
            fields[name] = (params["filename"].strip('"'), headers.get("Content-Type"), body)
        else:
            value = body.decode()
            if name in fields:  # repeated keys, e.g. timestamp_granularities[]
                existing = fields[name]
                fields[name] = (existing if isinstance(existing, list) else [existing]) + [value]
            else:
                fields[name] = value
    return fields


def voiced_spans(wav: bytes, *, threshold: float = 0.01, min_gap: float = 0.3) -> list[tuple[float, float]]:
    with wave.open(io.BytesIO(wav)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    frame = 320  # 20 ms
    usable = samples[: len(samples) // frame * frame].reshape(-1, frame)
    loud = np.sqrt(np.square(usable).mean(axis=1)) > threshold
    spans: list[list[float]] = []
    for i, on in enumerate(loud):
        if not on:
            continue
        t = i * 0.02
        if spans and t - spans[-1][1] <= min_gap:
            spans[-1][1] = t + 0.02
        else:
            spans.append([t, t + 0.02])
    return [(round(a, 2), round(b, 2)) for a, b in spans if b - a >= 0.1]


@dataclass
class FakeOpenAI:
    """Records calls; `chat_answers` maps a json_schema name to a function(request_json) -> parsed dict."""

    transcriptions: list[dict[str, Any]] = field(default_factory=list)
    chats: list[dict[str, Any]] = field(default_factory=list)
    faults: list[int] = field(default_factory=list)
    chat_answers: dict[str, Callable[[dict], dict]] = field(default_factory=dict)
    speakers: tuple[str, ...] = ("A", "B")

    def fail_next(self, status: int, times: int = 1) -> None:
        self.faults += [status] * times

    _server: ThreadingHTTPServer | None = None
    port: int = 0

    def _fault(self) -> Response | None:
        if self.faults:
            status = self.faults.pop(0)
            # retry-after-ms keeps the SDK's backoff short in tests.
            return Response(
                status,
                {"error": {"message": "injected", "type": "server_error", "code": None}},
                {"retry-after-ms": "5"},
            )
        return None

    def transcription(self, request: Request) -> Response:
        form = parse_multipart(request)
        self.transcriptions.append(form)
        fault = self._fault()
        if fault is not None:
            return fault
        filename, content_type, body = form["file"]
        spans = voiced_spans(body)
        duration = len(body) / 32000
        if form.get("response_format") == "diarized_json":
            known = form.get("known_speaker_names[]", [])
            known = [known] if isinstance(known, str) else known
            # A "recognised" voice comes back under its known name, as the API documents.
            labels = tuple(known) or self.speakers
            segments = [
                {
                    "type": "transcript.text.segment",
                    "id": f"seg_{i}",
                    "start": a,
                    "end": b,
                    "speaker": labels[i % len(labels)],
                    "text": f"utterance {i}",
                }
                for i, (a, b) in enumerate(spans)
            ]
            payload = {
                "task": "transcribe",
                "duration": duration,
                "text": " ".join(s["text"] for s in segments),
                "segments": segments,
            }
        else:
            segments = [
                {
                    "id": i,
                    "seek": 0,
                    "start": a,
                    "end": b,
                    "text": f" utterance lasting {b - a:.1f} seconds",
                    "tokens": [1, 2],
                    "temperature": 0.0,
                    "avg_logprob": -0.2,
                    "compression_ratio": 1.1,
                    "no_speech_prob": 0.01,
                }
                for i, (a, b) in enumerate(spans)
            ]
            payload = {
                "task": "transcribe",
                "language": "english",
                "duration": duration,
                "text": "".join(s["text"] for s in segments),
                "segments": segments,
            }
        return Response(200, payload)

    def chat(self, request: Request) -> Response:
        body = json.loads(request.content)
        assert request.headers["content-type"].startswith("application/json")
        self.chats.append(body)
        fault = self._fault()
        if fault is not None:
            return fault
        schema = body["response_format"]["json_schema"]["name"]
        parsed = self.chat_answers[schema](body)
        return Response(
            200,
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {"role": "assistant", "content": json.dumps(parsed), "refusal": None},
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            },
        )

    def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return Response(
                401,
                {
                    "error": {
                        "message": "Incorrect API key",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            )
        if request.path.endswith("/audio/transcriptions"):
            return self.transcription(request)
        if request.path.endswith("/chat/completions"):
            return self.chat(request)
        return Response(
            404, {"error": {"message": f"no route {request.path}", "type": "not_found", "code": None}}
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                response = fake.handle(Request(self.path, headers, body))
                data = json.dumps(response.body).encode()
                self.send_response(response.status)
                for key, value in {"content-type": "application/json", **response.headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="openai-fake", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
