"""How large a request body may be, on every route of every surface.

A body may be up to ``SUPPORTDESK_MAX_BODY_KB``. An endpoint that takes uploads lets a
multipart body grow to what its attachments may weigh (``allow_attachments``;
``Settings.max_upload_body_bytes``). A ``Content-Length`` over the limit is refused
before a byte is read; a body sent without one (chunked) is counted as it arrives and
refused once it passes the limit, so no more than the limit is ever held.

The refusal is raised where the endpoint reads the body, as Starlette's
``HTTPException(413)``: inside the route, so each surface renders it in its own
envelope — also when FastAPI reads a declared body, which lets only ``HTTPException``
through unchanged. FastAPI's own ``max_body_size`` answers a too-large
``Content-Length`` with a plain-text 413 instead, whatever the surface.

An endpoint that never reads its body (a GET, a request refused for its credentials)
answers as it would have: nothing was read, so nothing is wasted.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk.config import Settings

BODY_LIMIT_SCOPE_KEY = "supportdesk.body_limit"


class BodyLimit:
    """One request's allowance, checked at every read of its body."""

    def __init__(self, limit: int, with_attachments: int, declared: int | None) -> None:
        self.limit = limit
        self.with_attachments = with_attachments
        self.declared = declared
        self.received = 0

    def allow_attachments(self) -> None:
        self.limit = max(self.limit, self.with_attachments)

    def check(self, more: int) -> None:
        self.received += more
        if self.received > self.limit or (self.declared or 0) > self.limit:
            raise HTTPException(413, _too_large(self.limit))


def _too_large(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"The request body must not exceed {limit // (1024 * 1024)} MB."
    return f"The request body must not exceed {limit // 1024} KB."


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_body_bytes
        self.with_attachments = settings.max_upload_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bound = BodyLimit(self.limit, self.with_attachments, _declared_length(scope))
        scope[BODY_LIMIT_SCOPE_KEY] = bound

        async def bounded_receive() -> Message:
            # The declared length is judged before the first read, not after it.
            bound.check(0)
            message = await receive()
            if message["type"] == "http.request":
                bound.check(len(message.get("body", b"")))
            return message

        await self.app(scope, bounded_receive, send)


def allow_attachments(request: Request) -> None:
    """Let this request's body be as large as its attachments may make it.

    For an endpoint taking uploads, before it reads a multipart body.
    """
    bound: BodyLimit | None = request.scope.get(BODY_LIMIT_SCOPE_KEY)
    if bound is not None:
        bound.allow_attachments()


def install_body_limit(app: FastAPI, settings: Settings) -> None:
    """Called before ``install_rate_limiting``, so this runs inside the rate limiter:
    its look at a login's body has a bound of its own, and a refusal raised there
    would escape the error handlers."""
    app.add_middleware(BodyLimitMiddleware, settings=settings)
