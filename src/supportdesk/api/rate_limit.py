"""Request limits on every surface, and the X-RateLimit-* headers on every response.

Each request is counted against whoever sent it: its credential (an API key, a project's
key, the user of a JWT) or, when anonymous, its client address (api/client_address.py).
Logins are also counted per address and e-mail, sign-ups per address, against the
tighter login limit; failed logins per address too, whatever e-mails they name, so one
address cannot try a password on account after account. Telling
who sent a request costs no query and no password hash: a key is known by its digest,
a JWT by its signature. Whether the credential is valid is for the surface to decide;
the credentials it turns away (401) count against the client address, so an address
trying made-up keys is stopped like an anonymous one.

A refused request is a ``RateLimited`` error, rendered by the error handlers of
``api/errors.py`` in the envelope of the surface its path names.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.status import HTTP_401_UNAUTHORIZED
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk.api.bodies import loads_json
from supportdesk.api.client_address import client_address
from supportdesk.auth import keys
from supportdesk.auth.tokens import decode_token
from supportdesk.config import Settings
from supportdesk.core.errors import RateLimited, Unauthenticated
from supportdesk.core.rate_limit import Limit, Quota, RateLimiter, build_rate_limiter

# The portal's sign-in and sign-up, limited per address as well.
LOGIN_PATH = "/api/auth/login"
REGISTER_PATH = "/api/auth/register"
# Liveness and readiness probes are not API traffic.
UNLIMITED_PATHS = frozenset({"/health", "/ready"})
# Enough for any login form; past this the e-mail is not looked for.
_MAX_LOGIN_BODY = 64 * 1024
_DIGEST_LENGTH = 32
FAILED_AUTH_MESSAGE = "Too many failed authentication attempts. Please try again later."
FAILED_LOGIN_MESSAGE = "Too many failed login attempts from this address. Please try again later."


@dataclass(frozen=True, slots=True)
class _Bucket:
    limit: Limit
    message: str | None = None  # None: the surface's "Too many requests."


def credential_of(headers: Headers, settings: Settings) -> str | None:
    """Who a request's credentials name, without asking the database; None if nobody."""
    api_key = headers.get("x-api-key")
    if api_key:
        # A single key, or the key of a project's pair: either names one credential.
        return "key:" + keys.digest(api_key)[:_DIGEST_LENGTH]
    scheme, _, value = headers.get("authorization", "").partition(" ")
    token = value.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if keys.looks_like_api_key(token):
        return "key:" + keys.digest(token)[:_DIGEST_LENGTH]
    try:
        # Verified, so nobody spends another user's allowance; a token that may still be
        # refreshed names its user too.
        claims = decode_token(
            token,
            secret=settings.jwt_secret(),
            refresh_window=timedelta(minutes=settings.jwt_refresh_ttl),
        )
    except Unauthenticated:
        return None
    return f"user:{claims.user_id}"


def _login_email(body: bytes, content_type: str) -> str:
    """The e-mail a login attempt names, normalised; empty when there is none to read."""
    value: object = None
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            value = next(iter(parse_qs(body.decode()).get("email", [])), None)
        else:
            data = loads_json(body)
            value = data.get("email") if isinstance(data, dict) else None
    except (ValueError, UnicodeDecodeError):
        return ""
    return value.strip().lower() if isinstance(value, str) else ""


async def _read_body(receive: Receive) -> tuple[list[Message], bytes]:
    """Read the request body (up to a bound), keeping the messages to hand on unchanged."""
    messages: list[Message] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False) or len(body) > _MAX_LOGIN_BODY:
            break
    return messages, body


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _binding(counted: list[tuple[_Bucket, Quota]]) -> tuple[_Bucket, Quota]:
    """The count the client must heed: the first exceeded, else the closest to its limit."""
    for bucket, quota in counted:
        if not quota.allowed:
            return bucket, quota
    return min(counted, key=lambda item: (item[1].remaining, item[1].reset_at))


def _headers(quota: Quota) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(quota.limit),
        "X-RateLimit-Remaining": str(quota.remaining),
        "X-RateLimit-Reset": str(quota.reset_epoch),
    }


class RateLimitMiddleware:
    """Counts every request before any surface sees it; refuses those over a limit."""

    def __init__(self, app: ASGIApp, *, api: FastAPI) -> None:
        self.app = app
        self.api = api

    @property
    def limiter(self) -> RateLimiter:
        limiter: RateLimiter = self.api.state.rate_limiter
        return limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing_on_shutdown(send))
            return
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return

        settings: Settings = self.api.state.settings
        headers = Headers(scope=scope)
        address = client_address(scope, settings.trusted_proxies) or "unknown"
        per_minute = settings.rate_limit_per_minute
        credential = credential_of(headers, settings)
        hits = [_Bucket(Limit(credential or f"ip:{address}", per_minute))]
        # Counted once the request was refused (401); until then only read.
        failures: list[_Bucket] = []
        path = scope["path"].rstrip("/")
        if scope["method"] == "POST" and path == LOGIN_PATH:
            messages, body = await _read_body(receive)
            receive = _replaying(messages, receive)
            email = _login_email(body, headers.get("content-type", ""))
            login_key = f"login:{address}:{keys.digest(email)[:_DIGEST_LENGTH]}"
            hits.append(
                _Bucket(
                    Limit(login_key, settings.login_rate_limit_per_minute),
                    "Too many login attempts. Please try again later.",
                )
            )
            failures.append(
                _Bucket(
                    Limit(f"login-failures:{address}", settings.failed_login_rate_limit_per_minute),
                    FAILED_LOGIN_MESSAGE,
                )
            )
        elif scope["method"] == "POST" and path == REGISTER_PATH:
            hits.append(
                _Bucket(
                    Limit(f"register:{address}", settings.login_rate_limit_per_minute),
                    "Too many sign-ups from this address. Please try again later.",
                )
            )
        # A key is told by its digest, unchecked: made-up keys would each get an allowance
        # of their own. Those the surfaces turn away (401) count against the address, and
        # an address over the limit is refused whatever key it sends next.
        if credential:
            failures.append(
                _Bucket(Limit(f"auth-failures:{address}", per_minute), FAILED_AUTH_MESSAGE)
            )

        quotas = await self.limiter.count(
            [bucket.limit for bucket in hits], [bucket.limit for bucket in failures]
        )
        bucket, quota = _binding(list(zip([*hits, *failures], quotas, strict=True)))
        extra = _headers(quota)
        if not quota.allowed:
            response = await self._refusal(
                Request(scope, receive), RateLimited(quota.retry_after, bucket.message)
            )
            response.headers.update(extra)
            await response(scope, receive, send)
            return

        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
        if failures and status == HTTP_401_UNAUTHORIZED:
            await self.limiter.count([bucket.limit for bucket in failures])

    async def _refusal(self, request: Request, error: RateLimited) -> Response:
        """The 429 of the surface the request addressed, from the app's own error handlers."""
        for cls in type(error).__mro__:
            handler = self.api.exception_handlers.get(cls)
            if handler is not None:
                response = handler(request, error)
                if inspect.isawaitable(response):
                    response = await response
                assert isinstance(response, Response)
                return response
        raise error  # unreachable once api/errors.py's handlers are installed

    def _closing_on_shutdown(self, send: Send) -> Send:
        async def send_closing(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                await self.limiter.aclose()
            await send(message)

        return send_closing


def install_rate_limiting(app: FastAPI, settings: Settings) -> None:
    """Count requests in Redis when ``redis_url`` is set, in the process otherwise."""
    app.state.rate_limiter = build_rate_limiter(settings.redis_url)
    app.add_middleware(RateLimitMiddleware, api=app)
