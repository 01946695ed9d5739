"""The invocation's time budget, and retries that fit inside it.

A Lambda invocation ends at a fixed moment; the work before it must stop `margin` seconds early so that the
hand-over (checkpoint, job release, continuation message) still fits. `Budget.remaining()` is the time left
before that point. A run makes its budget current (`with budget.active():`), and the remote calls deep
below it (OpenAI requests, embeddings) read it with `current_budget()` instead of having a deadline passed
through every signature: each attempt's timeout is cut to what is left, and a retry that would not fit
raises `DeadlineReached` instead of sleeping past the end.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from lifestream.core.errors import TransientError

T = TypeVar("T")

# An attempt given less than this cannot do useful work (TLS handshake, upload of a request body).
MIN_ATTEMPT_SECONDS = 1.0


class DeadlineReached(TransientError):
    """The time budget ran out inside a remote call or its retries.

    Transient by class: with nothing else to go on, the work is retried later. The pipeline turns it into
    `OutOfTime` (a continuation) when the invocation had already made progress."""


class Budget:
    """Seconds left before the hand-over must start: `time_left() - margin`; unlimited without a clock."""

    def __init__(self, time_left: Callable[[], float] | None = None, margin: float = 0.0) -> None:
        self._time_left = time_left
        self.margin = margin

    @property
    def limited(self) -> bool:
        return self._time_left is not None

    def remaining(self) -> float:
        if self._time_left is None:
            return math.inf
        return self._time_left() - self.margin

    def expired(self) -> bool:
        return self.remaining() <= 0

    @contextmanager
    def active(self) -> Iterator[Budget]:
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)


UNLIMITED = Budget()
_current: ContextVar[Budget] = ContextVar("lifestream_budget", default=UNLIMITED)


def current_budget() -> Budget:
    return _current.get()


def retry_within_budget(
    what: str,
    attempt: Callable[[float], T],
    *,
    attempts: int,
    timeout: float,
    is_retryable: Callable[[Exception], bool],
    retry_after: Callable[[Exception], float | None] = lambda exc: None,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[Exception, int, float], None] | None = None,
    budget: Budget | None = None,
) -> T:
    """`attempt(timeout)` up to `attempts` times with exponential backoff and full jitter (at least what
    the server's Retry-After asks, at most `max_delay`).

    Every attempt gets `min(timeout, remaining budget)`; no attempt starts with less than
    `MIN_ATTEMPT_SECONDS` left and no wait runs past the budget — `DeadlineReached` is raised instead. A
    non-retryable error, or the last attempt's error, is re-raised as it is for the caller to translate."""
    budget = budget or current_budget()
    delay = base_delay
    for number in range(1, attempts + 1):
        left = budget.remaining()
        if left < MIN_ATTEMPT_SECONDS:
            raise DeadlineReached(f"{what}: no time left in this invocation for attempt {number}")
        try:
            return attempt(min(timeout, left))
        except Exception as exc:
            if not is_retryable(exc) or number == attempts:
                if budget.remaining() < MIN_ATTEMPT_SECONDS and is_retryable(exc):
                    # Cut short by the budget, not by the service: the next invocation may well succeed.
                    raise DeadlineReached(f"{what}: the time budget ran out: {exc}") from exc
                raise
            failure = exc
        wait = min(max_delay, max(retry_after(failure) or 0.0, random.uniform(0, delay)))
        if wait + MIN_ATTEMPT_SECONDS > budget.remaining():
            raise DeadlineReached(
                f"{what}: no time left to retry ({type(failure).__name__}: {failure})"
            ) from failure
        if on_retry is not None:
            on_retry(failure, number, wait)
        sleep(wait)
        delay = min(max_delay, delay * 2)
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
