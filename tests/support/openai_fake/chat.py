"""`POST /v1/chat/completions` of the OpenAI fake (structured output and vision alike).

It refuses chat without model or messages, and a `json_schema` response_format without name and schema.
Structured chat (`response_format: {type: json_schema, json_schema: {name, schema, strict}}`) is answered
by `answers[name](request_json) -> dict`; plain chat by `reply(request_json) -> str`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.support.openai_fake.protocol import BadRequest


def answer(
    body: dict[str, Any],
    *,
    answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]],
    reply: Callable[[dict[str, Any]], str],
    number: int,
) -> dict[str, Any]:
    """`number` makes the completion's id (the fake passes how many calls it has logged)."""
    if not body.get("model") or not isinstance(body.get("messages"), list) or not body["messages"]:
        raise BadRequest("'model' and a non-empty 'messages' array are required")
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema") or {}
        if not spec.get("name") or not isinstance(spec.get("schema"), dict):
            raise BadRequest("'response_format.json_schema' needs a name and a schema")
        structured = answers.get(spec["name"])
        if structured is None:
            raise BadRequest(f"the fake has no answer for json_schema {spec['name']!r}")
        content = json.dumps(structured(body))
    else:
        content = reply(body)
    return {
        "id": f"chatcmpl-{number}",
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
