"""Response headers every answer carries, whatever produced it (a route, an error handler,
the rate limiter's 429).

- ``X-Content-Type-Options: nosniff`` on every answer: a browser renders a body only as
  the type it was sent as, so an upload stored as ``text/plain`` never runs as HTML.
- ``Cache-Control: no-store`` on every answer under ``/api`` and on every request that
  carried a credential. Everything under ``/api`` is either behind a credential, an
  account answer (login, register, refresh, profile, with tokens in them) or an error
  about one, so no cache, shared or private, keeps any of it. Only what serves everybody
  alike (/health, /docs, the OpenAPI schema) may be cached.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api"
# The credential headers of api/security.py's schemes.
_CREDENTIAL_HEADERS = ("authorization", "x-api-key", "x-api-secret")


def _private(scope: Scope) -> bool:
    path: str = scope["path"]
    if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
        return True
    headers = Headers(scope=scope)
    return any(name in headers for name in _CREDENTIAL_HEADERS)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = _private(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if private:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    """Outermost of SupportDesk's middleware, so its own refusals get the headers too."""
    app.add_middleware(SecurityHeadersMiddleware)
