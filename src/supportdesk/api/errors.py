"""Rendering errors in the envelope of the surface a request was addressed to.

Each surface supplies an ``ErrorRenderer``; its routes carry it (``surface_route``) and
its path prefix names it for requests that match no route. The handlers here turn any
failure — a domain error, invalid input, an unknown path, a constraint the database
enforced — into one ``ApiError`` and hand it to that renderer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from supportdesk.api.allow import allowed_methods
from supportdesk.api.bodies import NOT_SENT_AS_JSON
from supportdesk.api.idempotency import IdempotentRoute
from supportdesk.api.routing import owns
from supportdesk.api.validation import validation_details
from supportdesk.core.db import (
    DRIVER_CONNECTION_ERRORS,
    LOCK_NOT_AVAILABLE,
    database_outage,
    is_connection_error,
    sqlstate,
)
from supportdesk.core.errors import (
    DomainError,
    Forbidden,
    IdempotencyKeyInUse,
    MissingScope,
    RateLimited,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ApiError:
    status: int
    code: str
    message: str
    details: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # The scope a 403 was for, when a missing scope was the reason.
    scope: str | None = None

    def naming_scope(self) -> str:
        """The message, saying which scope was missing when the refusal did not already."""
        if self.scope is None or self.message != Forbidden.default_message:
            return self.message
        return f"This action needs the {self.scope} scope."


ErrorRenderer = Callable[[ApiError], JSONResponse]

# What a client is told to wait while the database is unreachable.
DATABASE_RETRY_AFTER_SECONDS = 5

_HTTP_ERRORS = {
    400: ("BAD_REQUEST", "Bad request."),
    401: ("UNAUTHORIZED", "Unauthenticated."),
    403: ("FORBIDDEN", "This action is unauthorized."),
    404: ("NOT_FOUND", "Not found."),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed."),
    409: ("CONFLICT", "The resource conflicts with the current state."),
    413: ("PAYLOAD_TOO_LARGE", "The request is too large."),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type."),
    422: ("VALIDATION_FAILED", "Validation failed."),
    429: ("TOO_MANY_REQUESTS", "Too many requests."),
    500: ("INTERNAL_SERVER_ERROR", "Server error."),
    503: ("SERVICE_UNAVAILABLE", "The service is busy; try again shortly."),
}


def surface_route(renderer: ErrorRenderer) -> type[APIRoute]:
    """An APIRoute class whose routes render their errors with ``renderer``."""
    return type("SurfaceRoute", (IdempotentRoute,), {"error_renderer": staticmethod(renderer)})


def to_api_error(exc: Exception) -> ApiError:
    """Classify any exception; anything unforeseen is a 500 (and a bug)."""
    if isinstance(exc, RateLimited | IdempotencyKeyInUse):
        return ApiError(
            exc.status_code, exc.code, exc.message, headers={"Retry-After": str(exc.retry_after)}
        )
    if isinstance(exc, MissingScope):
        return ApiError(exc.status_code, exc.code, exc.message, exc.details, scope=exc.scope)
    if isinstance(exc, DomainError):
        return ApiError(exc.status_code, exc.code, exc.message, exc.details)
    if isinstance(exc, RequestValidationError) and isinstance(exc.body, bytes):
        # FastAPI leaves a declared body undecoded when its Content-Type is not JSON.
        return ApiError(415, _HTTP_ERRORS[415][0], NOT_SENT_AS_JSON)
    if isinstance(exc, RequestValidationError):
        return ApiError(
            422, "VALIDATION_FAILED", "Validation failed.", validation_details(exc.errors())
        )
    if isinstance(exc, StarletteHTTPException):
        code, message = _HTTP_ERRORS.get(exc.status_code, ("ERROR", "Error."))
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else message
        return ApiError(exc.status_code, code, detail, headers=dict(exc.headers or {}))
    if isinstance(exc, StaleDataError):
        # Writes to a ticket queue on its row lock; a change that still lost the race
        # (made by something that does not take the lock) succeeds when tried again.
        return ApiError(409, *_HTTP_ERRORS[409], headers={"Retry-After": "1"})
    if isinstance(exc, DBAPIError) and sqlstate(exc) == LOCK_NOT_AVAILABLE:
        # A lock not granted within lock_timeout (an idempotent create bounds its waits):
        # the work it waited for will be done, and a retry can go ahead.
        return ApiError(409, *_HTTP_ERRORS[409], headers={"Retry-After": "1"})
    if isinstance(exc, IntegrityError):
        # A uniqueness rule the validation could not foresee.
        return ApiError(409, *_HTTP_ERRORS[409])
    if isinstance(exc, DBAPIError) and "database is locked" in str(exc.orig):
        return ApiError(503, *_HTTP_ERRORS[503], headers={"Retry-After": "1"})
    if is_connection_error(exc):
        database_outage.failed(exc)  # one log line per outage, not one per request
        return ApiError(
            503,
            "SERVICE_UNAVAILABLE",
            "The database is unavailable; try again shortly.",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, DBAPIError) and _is_bad_value(exc):
        # A value the validation let through but the database cannot store or compare.
        return ApiError(
            422, "VALIDATION_FAILED", "The request contains a value that cannot be stored."
        )
    log.exception("Unhandled error", exc_info=exc)
    return ApiError(500, *_HTTP_ERRORS[500])


def _is_bad_value(exc: DBAPIError) -> bool:
    """PostgreSQL's data exceptions (SQLSTATE class 22), or a parameter the driver refused."""
    cause = getattr(exc.orig, "__cause__", None)
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(cause, "sqlstate", None)
    return isinstance(cause, ValueError) or str(sqlstate or "").startswith("22")


def install_error_handlers(
    app: FastAPI, prefixes: Sequence[tuple[str, ErrorRenderer]], default: ErrorRenderer
) -> None:
    by_length = sorted(prefixes, key=lambda item: len(item[0]), reverse=True)

    def renderer_for(request: Request) -> ErrorRenderer:
        route = request.scope.get("route")
        renderer = getattr(route, "error_renderer", None)
        if renderer is not None:
            return renderer  # type: ignore[no-any-return]
        path = request.url.path
        for pattern, candidate in by_length:
            if owns(pattern, path):
                return candidate
        return default

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        error = to_api_error(exc)
        response = renderer_for(request)(error)
        response.headers.update(error.headers)
        if error.status == 405:
            allowed = allowed_methods(request.app.router.routes, request.scope)
            # A method the path has, refused by its endpoint, keeps the endpoint's Allow.
            if request.method not in allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response

    for exc_class in (
        DomainError,
        RequestValidationError,
        StarletteHTTPException,
        IntegrityError,
        StaleDataError,
        DBAPIError,
        # Connection errors the drivers raise unwrapped: handled here rather than by the
        # catch-all, which re-raises after answering (a traceback per request).
        OSError,
        *DRIVER_CONNECTION_ERRORS,
        Exception,
    ):
        app.add_exception_handler(exc_class, handle)
