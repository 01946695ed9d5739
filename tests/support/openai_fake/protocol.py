"""What every route of the OpenAI fake shares: the refusal it raises, multipart parsing, and the log of a
call. Refusals are HTTP 400 in OpenAI's error shape, e.g. `{"error": {"message": "response_format
'verbose_json' is not compatible with model 'gpt-4o-transcribe'. Use 'json' or 'text' instead.", "type":
"invalid_request_error", "param": "response_format", "code": "unsupported_value"}}`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class BadRequest(Exception):
    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.code = code


class PlainText(Exception):  # not an error: carries the `text` format's plain answer out of the route
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


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


def lowered_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Form fields of a multipart body: text values as str (a list when the key repeats, as
    `timestamp_granularities[]` may), file parts as (filename, content_type, bytes), byte-exact."""
    if not content_type.startswith("multipart/form-data; boundary="):
        raise BadRequest(f"expected multipart/form-data with a boundary, got {content_type!r}")
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
