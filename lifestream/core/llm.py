"""One place that builds the OpenAI client for the pipeline stages (speech, vision, summaries, answers).

The SDK retries 408/409/429/5xx and connection errors itself with exponential backoff; what is still
failing after that is raised as `TransientError` so the worker lets SQS redeliver the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from lifestream.core.errors import ConfigError, LifeStreamError, TransientError
from lifestream.core.settings import Settings

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 120.0
DEFAULT_MAX_RETRIES = 3


def openai_client(
    settings: Settings, *, max_retries: int = DEFAULT_MAX_RETRIES, timeout: float = DEFAULT_TIMEOUT_SECONDS
):
    from openai import OpenAI

    key = settings.openai_key()
    if not key:
        raise ConfigError(
            "this step needs OpenAI: set LIFESTREAM_OPENAI_API_KEY (or LIFESTREAM_OPENAI_API_KEY_SECRET)"
        )
    return OpenAI(api_key=key, base_url=settings.openai_base_url, max_retries=max_retries, timeout=timeout)


def call_openai(what: str, fn: Callable[[], T]) -> T:
    """Run one SDK call, turning SDK failures into LifeStream's retry classes."""
    import openai

    try:
        return fn()
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
