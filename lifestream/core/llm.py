"""One place that builds the OpenAI client for the pipeline stages (speech, vision, summaries, answers).

Retries are LifeStream's, not the SDK's: the SDK may wait up to two minutes on a Retry-After and its
worst case (attempts x timeout + waits) knows nothing of the invocation's end. `call_openai` retries
408/409/429/5xx, connection errors and timeouts with exponential backoff, and when given the client
sends every attempt with `timeout` cut to the current time budget (`lifestream.core.budget`); a retry
that would not fit raises `DeadlineReached`. What is still failing after the last attempt is raised as
`TransientError` so the worker lets SQS redeliver the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lifestream.core.budget import retry_within_budget
from lifestream.core.errors import ConfigError, LifeStreamError, TransientError
from lifestream.core.settings import Settings

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_MAX_RETRIES = 3


def openai_client(
    settings: Settings, *, max_retries: int = DEFAULT_MAX_RETRIES, timeout: float = DEFAULT_TIMEOUT_SECONDS
):
    """A client whose `max_retries` and `timeout` are the ceilings `call_openai` works within."""
    from openai import OpenAI

    key = settings.openai_key()
    if not key:
        raise ConfigError(
            "this step needs OpenAI: set LIFESTREAM_OPENAI_API_KEY (or LIFESTREAM_OPENAI_API_KEY_SECRET)"
        )
    return OpenAI(api_key=key, base_url=settings.openai_base_url, max_retries=max_retries, timeout=timeout)


def _retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return False


def retry_after(exc: Exception) -> float | None:
    """The wait an OpenAI error response asks for (`retry-after-ms`, else `retry-after`), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return float(ms) / 1000.0
        if (seconds := headers.get("retry-after")) is not None:
            return float(seconds)
    except ValueError:
        return None
    return None


def call_openai(what: str, fn: Callable[..., T], *, client: Any = None) -> T:
    """Run one SDK call, turning SDK failures into LifeStream's retry classes.

    With `client`, `fn(attempt_client)` is called with a copy of it that does not retry by itself and
    whose timeout fits the time budget, up to `client.max_retries + 1` times. Without, `fn()` runs once
    with whatever retries its own client does (callers outside a pipeline run)."""
    import openai

    try:
        if client is None:
            return fn()
        ceiling = client.timeout if isinstance(client.timeout, int | float) else DEFAULT_TIMEOUT_SECONDS
        return retry_within_budget(
            f"OpenAI {what}",
            lambda timeout: fn(client.with_options(timeout=timeout, max_retries=0)),
            attempts=int(client.max_retries) + 1,
            timeout=float(ceiling),
            is_retryable=_retryable,
            retry_after=retry_after,
            # Retry-After is honoured up to a minute (the budget check still applies to it).
            max_delay=60.0,
        )
    except LifeStreamError:
        raise
    except (
        openai.APIConnectionError,
        openai.RateLimitError,
        openai.InternalServerError,
        openai.APITimeoutError,
    ) as exc:
        raise TransientError(f"OpenAI {what} failed after retries: {type(exc).__name__}: {exc}") from exc
    except openai.AuthenticationError as exc:
        raise ConfigError(
            f"OpenAI rejected the API key during {what}: check LIFESTREAM_OPENAI_API_KEY"
        ) from exc
    except openai.APIStatusError as exc:
        if exc.status_code >= 500 or exc.status_code in (408, 409, 429):
            raise TransientError(f"OpenAI {what} failed: HTTP {exc.status_code}") from exc
        raise LifeStreamError(f"OpenAI {what} was refused: HTTP {exc.status_code}: {exc.message}") from exc
