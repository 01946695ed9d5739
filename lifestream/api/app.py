"""`create_app(settings)`: the FastAPI app — routes under /api, OpenAPI at /api/openapi.json, errors as
JSON bodies that name the field (`ErrorBody`), never a traceback.

Only errors about the request itself say what they are (401, 404, 413, 422: the caller can fix them).
Every other failure is a configuration or a dependency of ours, and its text is for the operator: it can
hold a database host, a secret's name, a bucket key or a library's own words. Those answers are generic
(503 with Retry-After when a dependency failed, else 500) and carry a reference; the detail is logged
under it."""

from __future__ import annotations

import logging
import math
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifestream.api.auth import Authenticator, Unauthorized
from lifestream.api.limits import RateLimits
from lifestream.api.local_guard import LocalOnly
from lifestream.api.routes import ErrorBody, router
from lifestream.core.errors import (
    ConfigError,
    EmbeddingError,
    LifeStreamError,
    LimitExceeded,
    NotFoundError,
    RequestError,
    StorageError,
    TransientError,
    UnsupportedFilterError,
    VectorStoreError,
)
from lifestream.core.settings import Settings, load_settings

logger = logging.getLogger("lifestream.api")


def _error(status: int, code: str, message: str, field: str | None = None, **headers: str) -> JSONResponse:
    body = ErrorBody(error=code, message=message, field=field)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers or None)


def _logged(request: Request, exc: Exception, level: int, what: str) -> str:
    """Log `exc` with its traceback under a fresh reference, and return the reference for the answer."""
    ref = uuid.uuid4().hex[:12]
    logger.log(
        level,
        "%s [%s] on %s %s: %s: %s",
        what,
        ref,
        request.method,
        request.url.path,
        type(exc).__name__,
        exc,
        exc_info=exc,
    )
    return ref


def _field_of(loc: tuple) -> str:
    # ("query", "date_from") -> "date_from"; ("body", "names", "Speaker 1") -> "names.Speaker 1"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def create_app(
    settings: Settings | None = None,
    *,
    library=None,
    web_dir: Path | None = None,
    local_hosts: Iterable[str] = (),
) -> FastAPI:
    """The API over `settings` (read from the environment when omitted). `library` replaces the service
    object (tests and benchmarks inject one with their own stores). `web_dir`: also serve the built web
    app from there, with /config.json (`lifestream serve`; the Lambda API never does). `local_hosts`:
    host names besides the loopback ones that local mode answers to (the name `serve` was bound to)."""
    from lifestream.service import Library

    settings = settings or load_settings()
    if settings.auth == "none" and os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        # Behind API Gateway "none" would make every caller on the internet the one local user.
        raise ConfigError(
            "LIFESTREAM_AUTH=none is for one machine's loopback; in Lambda set LIFESTREAM_AUTH=gateway "
            "(behind the JWT authorizer) or jwt"
        )
    app = FastAPI(
        title="LifeStream",
        version="1",
        description="Your videos as a diary you can search and ask questions of.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.library = library or Library(settings)
    app.state.auth = Authenticator(settings)
    app.state.limits = RateLimits(settings, app.state.library)
    app.include_router(router)
    if web_dir is not None:
        from lifestream.api.web import mount_web

        mount_web(app, settings, web_dir)
    if settings.auth == "none":
        app.add_middleware(LocalOnly, extra_hosts=local_hosts)

    @app.exception_handler(Unauthorized)
    def unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
        return _error(401, "unauthorized", str(exc), "Authorization", **{"WWW-Authenticate": "Bearer"})

    @app.exception_handler(NotFoundError)
    def not_found(request: Request, exc: NotFoundError) -> JSONResponse:
        return _error(404, "not_found", str(exc))

    @app.exception_handler(RequestError)
    def bad_request(request: Request, exc: RequestError) -> JSONResponse:
        status = 413 if exc.field == "size" and "over the limit" in exc.reason else 422
        return _error(status, "invalid", exc.reason, exc.field)

    @app.exception_handler(LimitExceeded)
    def limited(request: Request, exc: LimitExceeded) -> JSONResponse:
        if exc.retry_after is None:  # never fits: retrying the same request will not help
            return _error(413, "too_large", str(exc), exc.field or "size")
        return _error(
            429, "too_many", str(exc), exc.field, **{"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
        )

    @app.exception_handler(UnsupportedFilterError)
    def bad_filter(request: Request, exc: UnsupportedFilterError) -> JSONResponse:
        return _error(422, "invalid", str(exc), exc.field)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        return _error(422, "invalid", str(first.get("msg")), _field_of(tuple(first.get("loc", ()))))

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(StorageError)
    @app.exception_handler(TransientError)
    @app.exception_handler(VectorStoreError)
    @app.exception_handler(EmbeddingError)
    def unavailable(request: Request, exc: Exception) -> JSONResponse:
        ref = _logged(request, exc, logging.WARNING, "dependency unavailable")
        return _error(
            503,
            "unavailable",
            f"a service LifeStream depends on is unavailable; try again in a moment (reference {ref})",
            **{"Retry-After": "5"},
        )

    # ConfigError, and whatever else LifeStream raised that the caller cannot fix; then anything at all.
    @app.exception_handler(LifeStreamError)
    @app.exception_handler(Exception)
    def internal(request: Request, exc: Exception) -> JSONResponse:
        ref = _logged(request, exc, logging.ERROR, "request failed")
        return _error(
            500,
            "internal",
            f"LifeStream could not do this; the server's log has the details (reference {ref})",
        )

    return app
