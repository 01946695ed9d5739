"""`POST /v1/embeddings` of the OpenAI fake.

It refuses, as the API reference documents: more than 2048 inputs, an empty string, an input over 8192
tokens or more than 300,000 tokens per request (tiktoken cl100k_base), and `dimensions` on a model without
it. The vectors are deterministic bag-of-words sums (texts sharing words are close), so search tests get
meaningful rankings; `encoding_format=base64` (the client's default) is honoured."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from typing import Any

import numpy as np

from tests.support.openai_fake.protocol import BadRequest, LoggedCall

EMBEDDING_MODELS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
MAX_INPUTS = 2048
MAX_INPUT_TOKENS = 8192
MAX_REQUEST_TOKENS = 300_000
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


def answer(body: dict[str, Any], call: LoggedCall) -> dict[str, Any]:
    from lifestream.memory.embeddings.openai_embedder import token_encoding

    model = body.get("model")
    if model not in EMBEDDING_MODELS:
        raise BadRequest(f"The model `{model}` does not exist")
    dimension = EMBEDDING_MODELS[model]
    if "dimensions" in body:
        if not model.startswith("text-embedding-3"):
            raise BadRequest("This model does not support specifying dimensions.")
        dimension = int(body["dimensions"])
    raw = body.get("input")
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not inputs:
        raise BadRequest("'input' must be a non-empty string or array")
    if len(inputs) > MAX_INPUTS:
        raise BadRequest(f"'input' array must have at most {MAX_INPUTS} items, got {len(inputs)}")
    enc = token_encoding()
    texts: list[str] = []
    total = 0
    for i, item in enumerate(inputs):
        if isinstance(item, str):
            if item == "":
                raise BadRequest(f"'$.input[{i}]' is invalid: empty string")
            n = len(enc.encode(item, disallowed_special=()))
            texts.append(item)
        elif isinstance(item, list):
            n = len(item)
            texts.append(enc.decode(item))
        else:
            raise BadRequest(f"'$.input[{i}]' must be a string or an array of tokens")
        if n > MAX_INPUT_TOKENS:
            raise BadRequest(
                f"This model's maximum context length is {MAX_INPUT_TOKENS} tokens, however you requested {n} tokens"
            )
        total += n
    if total > MAX_REQUEST_TOKENS:
        raise BadRequest(f"Requested {total} tokens, max {MAX_REQUEST_TOKENS} tokens per request")
    call.inputs, call.tokens = len(texts), total
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for i, text in enumerate(texts):
        vec = fake_embedding(text, dimension)
        embedding: Any = base64.b64encode(vec.astype("<f4").tobytes()).decode() if as_base64 else vec.tolist()
        data.append({"object": "embedding", "index": i, "embedding": embedding})
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": total, "total_tokens": total},
    }
