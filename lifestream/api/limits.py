"""Per-user rate limits: a token bucket per user in the job database (`lifestream.jobs.usage`), so every
API function on AWS counts the same tokens. Every signed-in request spends one token of the user's
`requests` bucket; `ask`, which runs a model on every call, also spends one of their `asks` bucket.
Over the limit the answer is 429 with `Retry-After`, and nothing else is done for the request.

The stage's own throttling (API Gateway rate and burst) still bounds everyone together; these buckets
keep one user from using all of it. Local mode (one user) has none: there is nobody to share with.
"""

from __future__ import annotations

from fastapi import Request

from lifestream.core.errors import LimitExceeded
from lifestream.core.settings import Settings

# Routes whose every call runs a model: (method, path).
MODEL_ROUTES = frozenset({("POST", "/api/ask")})


class RateLimits:
    def __init__(self, settings: Settings, library) -> None:
        self.settings, self.library = settings, library
        self.on = settings.auth != "none"

    def spend(self, owner: str, request: Request) -> None:
        if not self.on:
            return
        s = self.settings
        buckets = [("requests", s.rate_requests_per_minute, s.rate_requests_burst)]
        if (request.method, request.url.path) in MODEL_ROUTES:
            buckets.append(("asks", s.rate_asks_per_minute, s.rate_asks_burst))
        for bucket, per_minute, burst in buckets:
            if not per_minute:
                continue
            wait = self.library.jobs.usage.take(owner, bucket, per_minute=per_minute, burst=burst)
            if wait > 0:
                what = "questions" if bucket == "asks" else "requests"
                raise LimitExceeded(
                    f"too many {what}: at most {per_minute} a minute (bursts of {burst}); try again in "
                    f"{max(1, round(wait))} s",
                    retry_after=wait,
                )
