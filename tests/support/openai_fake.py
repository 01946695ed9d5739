"""A fake OpenAI API for tests: embeddings, chat completions (structured output, vision) and audio
transcriptions, over real HTTP on 127.0.0.1.

(respx cannot be used: the `openai` 3.x client sends its requests with `httpx2`, which respx does not
patch. A loopback server, reached with `base_url=fake.base_url` or LIFESTREAM_OPENAI_BASE_URL, exercises
the real client: its encoders, multipart bodies, retries and response parsing.)

It rejects what the API reference documents as invalid: a missing/wrong bearer key; JSON routes without
`application/json`; embeddings with more than 2048 inputs, an empty string, an input over 8192 tokens or
more than 300,000 tokens per request (tiktoken cl100k_base), `dimensions` on a model without it; chat
without model/messages, or a `json_schema` response_format without name and schema; transcriptions that
are not multipart/form-data, lack file or model, or exceed 25 MB; and, per model, what the reference
(openai/types/audio/transcription_create_params.py) rules out: `gpt-4o-transcribe`, `gpt-4o-mini-transcribe`
and the other GPT transcribers answer `json` or `text` only (the reference says `json`; the speech-to-text
guide adds `text`), with no `timestamp_granularities`; `timestamp_granularities` needs `verbose_json`,
which only `whisper-1` has; `gpt-4o-transcribe-diarize` answers `json`, `text` or `diarized_json`, takes
no `timestamp_granularities` and no `prompt`, and needs `chunking_strategy` above 30 s; `diarized_json`
and known speakers are the diarize model's alone. Refusals are HTTP 400 in OpenAI's error shape, e.g.
`{"error": {"message": "response_format 'verbose_json' is not compatible with model
'gpt-4o-transcribe'. Use 'json' or 'text' instead.", "type": "invalid_request_error",
"param": "response_format", "code": "unsupported_value"}}`.

Answers:
- embeddings are deterministic bag-of-words vectors (texts sharing words are close), so search tests get
  meaningful rankings; `encoding_format=base64` (the client's default) is honoured;
- structured chat (`response_format: {type: json_schema, json_schema: {name, schema, strict}}`) is answered
  by `fake.chat_answers[name](request_json) -> dict`; plain chat by `fake.chat_reply(request_json) -> str`;
- transcription really listens: it finds the voiced stretches of the 16 kHz mono WAV it receives (by
  energy), so merged timestamps can be compared with the truth; `diarized_json` labels them by speaker
  (see "Speakers" below); `json` and `text` carry the text alone (one phrase per voiced stretch), as the
  GPT transcribers' answers do, with no time in them.

Speakers (gpt-4o-transcribe-diarize, `response_format=diarized_json`). The API reference documents a
segment's `speaker` as: "When known speakers are provided, the label matches `known_speaker_names[]`.
Otherwise speakers are labeled sequentially using capital letters (A, B, ...)" (as generated into the
`openai` package, openai/types/audio/transcription_diarized_segment.py; mirrored at
https://hexdocs.pm/ex_openai/2.0.0-beta/ExOpenAI.Components.TranscriptionDiarizedSegment.html). So a
voice that matches one of the `known_speaker_references[]` comes back under that reference's name, and
every other voice under a letter, in order of first appearance: one known speaker and one stranger give
"<name>" and "A". The mixed case is not spelled out; letters for the others is what the sentence implies
(users report "A", "B" without references: https://ndurner.github.io/gpt-4o-diarize). The fake refuses
what the reference (openai/types/audio/transcription_create_params.py) refuses: more than 4 known
speakers, names and references of different counts, references that are not audio data URLs of 2 to 10
seconds (users report the service's own lower bound as 1.2 s: https://community.openai.com/t/
gpt-4o-transcribe-diarize-returns-chunking-strategy-is-required-any-working-example-or-schema/1364231).

How the fake tells voices apart is set by `fake.voices`:
- "alternate" (default): the test media speak with one espeak-ng voice, so the fake pretends there are
  `len(fake.speakers)` voices taking turns, one voiced stretch each; known reference j is voice j.
- "pitch": it listens. Each voiced stretch, and each reference clip, is given its median fundamental
  frequency (autocorrelation over 40 ms frames); two are the same voice when those differ by less than
  25%. espeak-ng's default English voice (~100 Hz) and its "+f3" variant (~210 Hz) are two voices;
  one voice is one voice however many lines it says.

Every request is logged in `calls`; `transcriptions` and `chats` are the parsed bodies of the requests that
reached a route, including those answered with an injected fault (so retries can be counted).
Faults: `fail_next(n, status=429, retry_after=None, retry_after_ms=None, path=None)`; a slow service:
`delay(seconds, path=None)` holds every answer (to paths ending in `path`) that long, or until the fake
stops. Each call keeps its request headers and its arrival time (`time.monotonic()`), so tests can read the
timeout the client announced (`x-stainless-read-timeout`) against the time it had left.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import re
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from tests.support.loopback_http import LoopbackFake, Reply

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
WHISPER = "whisper-1"
DIARIZE = "gpt-4o-transcribe-diarize"
# Every transcription model the reference names (openai/types/audio/audio_model.py).
TRANSCRIPTION_MODELS = frozenset(
    {
        WHISPER,
        "gpt-transcribe",
        "gpt-4o-transcribe",
        "gpt-4o-mini-transcribe",
        "gpt-4o-mini-transcribe-2025-12-15",
        DIARIZE,
    }
)
RESPONSE_FORMATS = {
    WHISPER: ("json", "text", "srt", "verbose_json", "vtt"),
    DIARIZE: ("json", "text", "diarized_json"),
}
GPT_RESPONSE_FORMATS = ("json", "text")
DIARIZE_UNCHUNKED_SECONDS = 30.0
EMBEDDINGS, CHAT, TRANSCRIPTIONS = "/embeddings", "/chat/completions", "/audio/transcriptions"
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


def voiced_spans(wav: bytes, *, threshold: float = 0.01, min_gap: float = 0.3) -> list[tuple[float, float]]:
    """(start, end) seconds of the loud stretches of a 16 kHz mono 16-bit WAV, by 20 ms frame energy."""
    with wave.open(io.BytesIO(wav)) as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, 16000):
            raise _BadRequest("the fake transcriber understands 16 kHz mono 16-bit WAV only")
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


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Form fields of a multipart body: text values as str (a list when the key repeats, as
    `timestamp_granularities[]` may), file parts as (filename, content_type, bytes), byte-exact."""
    if not content_type.startswith("multipart/form-data; boundary="):
        raise _BadRequest(f"expected multipart/form-data with a boundary, got {content_type!r}")
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields: dict[str, Any] = {}
    for part in body.split(b"--" + boundary):
        # Only the framing CRLFs are removed: the file bytes themselves may end in \r or \n.
        part = part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        if not part or part.startswith(b"--"):
            continue
        head, _, value = part.partition(b"\r\n\r\n")
        lines = [line.split(": ", 1) for line in head.decode().split("\r\n") if ": " in line]
        headers = {k.lower(): v for k, v in lines}
        params = dict(p.strip().split("=", 1) for p in headers.get("content-disposition", "").split(";")[1:])
        name = params["name"].strip('"')
        if "filename" in params:
            fields[name] = (params["filename"].strip('"'), headers.get("content-type"), value)
        elif name in fields:
            existing = fields[name]
            fields[name] = (existing if isinstance(existing, list) else [existing]) + [value.decode()]
        else:
            fields[name] = value.decode()
    return fields


@dataclass
class LoggedCall:
    method: str
    path: str
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    inputs: int = 0
    tokens: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    received_at: float = 0.0


class OpenAIFake(LoopbackFake):
    thread_name = "openai-fake"
    # How diarization tells voices apart: "alternate" or "pitch" (see the module docstring).
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
        lowered = {k.lower(): v for k, v in headers.items()}
        call = LoggedCall(
            method=method,
            path=path,
            status=200,
            headers=lowered_headers(headers),
            received_at=time.monotonic(),
        )
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
                    raise _BadRequest(f"expected application/json, got {content_type!r}")
                call.body = json.loads(body)
            with self._lock:
                fault = self._take_fault(path)
            if fault is not None:
                return self._fault(call, *fault)
            if path.endswith(EMBEDDINGS):
                return self._ok(self._embeddings(call.body, call))
            if path.endswith(CHAT):
                return self._ok(self._chat(call.body))
            try:
                return self._ok(self._transcription(call.body))
            except _PlainText as plain:
                return 200, {"content-type": "text/plain; charset=utf-8"}, plain.text.encode()
        except _BadRequest as exc:
            return self._error(
                call, 400, str(exc), exc.code, param=exc.param, error_type="invalid_request_error"
            )

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

    # --- routes ------------------------------------------------------------------------------------------
    def _embeddings(self, body: dict[str, Any], call: LoggedCall) -> dict[str, Any]:
        from lifestream.memory.embeddings.openai_embedder import token_encoding

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
        response_format = body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            spec = response_format.get("json_schema") or {}
            if not spec.get("name") or not isinstance(spec.get("schema"), dict):
                raise _BadRequest("'response_format.json_schema' needs a name and a schema")
            answer = self.chat_answers.get(spec["name"])
            if answer is None:
                raise _BadRequest(f"the fake has no answer for json_schema {spec['name']!r}")
            content = json.dumps(answer(body))
        else:
            content = self.chat_reply(body)
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

    def _transcription(self, form: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(form.get("file"), tuple):
            raise _BadRequest("'file' is required")
        if not form.get("model"):
            raise _BadRequest("'model' is required")
        _, _, audio = form["file"]
        if len(audio) > MAX_AUDIO_BYTES:
            raise _BadRequest(f"Maximum content size limit ({MAX_AUDIO_BYTES}) exceeded ({len(audio)} bytes)")
        spans = voiced_spans(audio)
        duration = len(audio) / 32000
        response_format = _check_transcription_shape(form, duration)
        if response_format in ("json", "text"):
            text = " ".join(f"utterance lasting {b - a:.1f} seconds" for a, b in spans)
            if response_format == "text":
                raise _PlainText(text)
            payload: dict[str, Any] = {"text": text}
            if form["model"] != WHISPER:
                # The GPT transcribers bill by token and say so (openai/types/audio/transcription.py).
                audio_tokens = max(1, int(duration * 10))
                payload["usage"] = {
                    "type": "tokens",
                    "input_tokens": audio_tokens,
                    "input_token_details": {"audio_tokens": audio_tokens, "text_tokens": 0},
                    "output_tokens": max(1, len(text.split())),
                    "total_tokens": audio_tokens + max(1, len(text.split())),
                }
            return payload
        if response_format in ("srt", "vtt"):
            raise _BadRequest(f"the fake does not render {response_format}", param="response_format")
        if response_format == "diarized_json":
            labels = self._speaker_labels(audio, spans, form)
            segments = [
                {
                    "type": "transcript.text.segment",
                    "id": f"seg_{i}",
                    "start": a,
                    "end": b,
                    "speaker": label,
                    "text": f"utterance {i}",
                }
                for i, ((a, b), label) in enumerate(zip(spans, labels, strict=True))
            ]
            return {
                "task": "transcribe",
                "duration": duration,
                "text": " ".join(s["text"] for s in segments),
                "segments": segments,
            }
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
        return {
            "task": "transcribe",
            "language": "english",
            "duration": duration,
            "text": "".join(s["text"] for s in segments),
            "segments": segments,
        }

    # --- diarization -------------------------------------------------------------------------------------
    def _speaker_labels(
        self, audio: bytes, spans: list[tuple[float, float]], form: dict[str, Any]
    ) -> list[str]:
        """One label per voiced stretch: a known speaker's name when the stretch is that voice, else the
        next capital letter for each new unknown voice."""
        names, references = _known_speakers(form)
        if self.voices == "pitch":
            samples = _wav_samples(audio)
            heard = [_median_pitch(samples[int(a * 16000) : int(b * 16000)]) for a, b in spans]
            known = [_median_pitch(_wav_samples(clip)) for clip in references]
            voice_of = _pitch_voices(heard, known)
        else:
            count = max(1, len(self.speakers))
            voice_of = [i % count for i in range(len(spans))]  # reference j is voice j
        labels: list[str] = []
        letters: dict[int, str] = {}
        for voice in voice_of:
            if voice < len(names):
                labels.append(names[voice])
            else:
                letters.setdefault(voice, _letter(len(letters)))
                labels.append(letters[voice])
        return labels


def _letter(n: int) -> str:
    return chr(ord("A") + n) if n < 26 else f"A{n}"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _known_speakers(form: dict[str, Any]) -> tuple[list[str], list[bytes]]:
    """The known speakers' names and reference WAVs, checked as the API reference documents them."""
    names = _as_list(form.get("known_speaker_names[]"))
    urls = _as_list(form.get("known_speaker_references[]"))
    if len(names) != len(urls):
        raise _BadRequest(
            f"known_speaker_names[] has {len(names)} entries but known_speaker_references[] has {len(urls)}"
        )
    if len(names) > 4:
        raise _BadRequest(f"At most 4 known speakers are supported, got {len(names)}")
    clips = []
    for url in urls:
        head, _, data = url.partition(",")
        if not head.startswith("data:audio/") or not head.endswith(";base64"):
            raise _BadRequest("known_speaker_references[] must be audio data URLs")
        clip = base64.b64decode(data)
        seconds = len(_wav_samples(clip)) / 16000
        if not 2.0 <= seconds <= 10.0:
            raise _BadRequest(
                f"Known speaker references has duration {seconds:.2f} seconds, but must be between 2 and 10 seconds"
            )
        clips.append(clip)
    return names, clips


def _wav_samples(wav: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(wav)) as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, 16000):
            raise _BadRequest("the fake transcriber understands 16 kHz mono 16-bit WAV only")
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768


def _median_pitch(samples: np.ndarray, rate: int = 16000) -> float | None:
    """Median fundamental frequency (Hz) of the clearly voiced 40 ms frames, by autocorrelation."""
    frame, hop = 640, 320
    shortest, longest = rate // 400, rate // 60  # 60-400 Hz: speaking voices
    found = []
    for start in range(0, len(samples) - frame, hop):
        chunk = samples[start : start + frame]
        if np.sqrt(np.square(chunk).mean()) < 0.02:
            continue
        chunk = chunk - chunk.mean()
        ac = np.correlate(chunk, chunk, "full")[frame - 1 :]
        lag = shortest + int(np.argmax(ac[shortest:longest]))
        if ac[lag] > 0.3 * ac[0]:
            found.append(rate / lag)
    return float(np.median(found)) if found else None


def _same_voice(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(np.log(a / b)) < np.log(1.25)


def _pitch_voices(heard: list[float | None], known: list[float | None]) -> list[int]:
    """Voice number per stretch: j < len(known) for known reference j, else a new number per new pitch."""
    voices: list[int] = []
    strangers: list[tuple[float | None, int]] = []
    for pitch in heard:
        matches = [j for j, ref in enumerate(known) if _same_voice(pitch, ref)]
        if matches:
            voices.append(min(matches, key=lambda j: abs(np.log(pitch / known[j]))))  # type: ignore[operator]
            continue
        # Stretches with no measurable pitch are taken to be one (unknown) voice together.
        voice = next(
            (v for ref, v in strangers if (ref is None and pitch is None) or _same_voice(pitch, ref)), None
        )
        if voice is None:
            voice = len(known) + len(strangers)
            strangers.append((pitch, voice))
        voices.append(voice)
    return voices


def lowered_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


class _BadRequest(Exception):
    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.code = code


class _PlainText(Exception):  # not an error: carries the `text` format's plain answer out of the route
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _check_transcription_shape(form: dict[str, Any], duration: float) -> str:
    """The request's response_format (default json), after refusing what the model does not take."""
    model = form["model"]
    if model not in TRANSCRIPTION_MODELS:
        raise _BadRequest(
            f"The model `{model}` does not exist or you do not have access to it.",
            param="model",
            code="model_not_found",
        )
    response_format = form.get("response_format") or "json"
    allowed = RESPONSE_FORMATS.get(model, GPT_RESPONSE_FORMATS)
    if response_format not in allowed:
        raise _BadRequest(
            f"response_format '{response_format}' is not compatible with model '{model}'. "
            f"Use {' or '.join(repr(f) for f in allowed)} instead.",
            param="response_format",
            code="unsupported_value",
        )
    if "timestamp_granularities[]" in form:
        if model != WHISPER:
            raise _BadRequest(
                f"timestamp_granularities is not supported with model '{model}'.",
                param="timestamp_granularities",
                code="unsupported_parameter",
            )
        if response_format != "verbose_json":
            raise _BadRequest(
                "timestamp_granularities requires response_format 'verbose_json'.",
                param="timestamp_granularities",
                code="unsupported_value",
            )
    if model != DIARIZE and any(k.startswith("known_speaker") for k in form):
        raise _BadRequest(
            f"known speakers are not supported with model '{model}'.",
            param="known_speaker_names",
            code="unsupported_parameter",
        )
    if model == DIARIZE:
        if "prompt" in form:
            raise _BadRequest(
                f"prompt is not supported with model '{model}'.", param="prompt", code="unsupported_parameter"
            )
        if duration > DIARIZE_UNCHUNKED_SECONDS and not form.get("chunking_strategy"):
            raise _BadRequest(
                "chunking_strategy is required for diarization models when audio is longer than 30 seconds.",
                param="chunking_strategy",
                code="invalid_value",
            )
    return response_format
