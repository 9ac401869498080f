"""The ``Idempotency-Key`` header, honoured by every create that takes a credential.

A create is a POST answered ``201 Created`` (or an endpoint marked with ``creates``,
for APIs whose creates answer 200). Its route reads the key and a fingerprint of the
request before the endpoint runs; the key is claimed in the request's transaction as
soon as the credential is known (``claim_key``), and the answer is stored in that same
transaction just before it commits. A repeat gets the stored answer back, marked
``Idempotent-Replayed: true``, without running the endpoint. The rules themselves are in
``services.idempotency``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.api.body_limit import allow_attachments
from supportdesk.auth.principal import Principal
from supportdesk.core.errors import ValidationFailed
from supportdesk.services.idempotency import (
    Claimed,
    IdempotencyService,
    StoredAnswer,
    credential_scope,
)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# The answer's headers a replay repeats; the others (rate limits, security) are the
# replay's own.
_KEPT_HEADERS = ("location", "content-type")
_PRINTABLE = frozenset(chr(code) for code in range(0x20, 0x7F))

KEY_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Any printable ASCII string of 1 to 255 characters (another is 422), new for "
        "each new create. Sent again with the same request within 24 hours, it gets the "
        f"first answer back (with `{REPLAYED_HEADER}: true`) and creates nothing; with "
        "another request, 422."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
    },
}

F = TypeVar("F", bound=Callable[..., Any])

_DECLARED_CREATES: set[Callable[..., Any]] = set()
_PRINCIPAL_RESOLVERS: set[Callable[..., Any]] = set()


def creates(endpoint: F) -> F:
    """Mark a POST endpoint that creates something but answers 200, as its API documents."""
    _DECLARED_CREATES.add(endpoint)
    return endpoint


def resolves_principal(resolver: F) -> F:
    """Mark a dependency that resolves the request's credential and calls ``claim_key``."""
    _PRINCIPAL_RESOLVERS.add(resolver)
    return resolver


class IdempotentReplay(Exception):
    """Not an error: carries a stored answer from the claim past the endpoint."""

    def __init__(self, response: Response) -> None:
        super().__init__(HEADER)
        self.response = response


@dataclass(slots=True)
class PendingKey:
    """The key a create brought, until its claim is settled."""

    key: str
    fingerprint: str
    claimed: Claimed | None = None
    session: AsyncSession | None = None

    async def settle(self, response: Response) -> None:
        """Keep a successful answer for repeats; give the key up after any other."""
        if self.claimed is None or self.session is None:
            return
        service = IdempotencyService(self.session)
        body = getattr(response, "body", None)
        if 200 <= response.status_code < 300 and isinstance(body, bytes):
            headers = {
                name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers
            }
            await service.store(self.claimed, StoredAnswer(response.status_code, headers, body))
        else:
            await service.release(self.claimed)


async def claim_key(request: Request, session: AsyncSession, principal: Principal) -> None:
    """Claim the request's key for ``principal``, in the request's transaction.

    A repeat of a finished create raises ``IdempotentReplay`` with its answer; the same
    key with another request is 422; a first request still running, 409.
    """
    pending: PendingKey | None = getattr(request.state, "idempotency", None)
    if pending is None or pending.claimed is not None:
        return
    scope = credential_scope(principal)
    if scope is None:
        return
    outcome = await IdempotencyService(session).claim(scope, pending.key, pending.fingerprint)
    if isinstance(outcome, StoredAnswer):
        raise IdempotentReplay(_replay(outcome))
    pending.claimed, pending.session = outcome, session


def _replay(answer: StoredAnswer) -> Response:
    headers = {**answer.headers, REPLAYED_HEADER: "true"}
    return Response(content=answer.body, status_code=answer.status_code, headers=headers)


def read_key(value: str) -> str:
    if not value or len(value) > MAX_KEY_LENGTH or not set(value) <= _PRINTABLE:
        raise ValidationFailed.field(
            HEADER,
            f"The {HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
        )
    return value


async def fingerprint(request: Request) -> str:
    """What makes two requests the same: method, path, query and body, the body compared
    by content (JSON keys in any order, a multipart body whatever its boundary)."""
    digest = hashlib.sha256()
    query = urlencode(_by_name(request.query_params.multi_items()))
    media_type, body = _canonical_body(
        request.headers.get("content-type", ""), await request.body()
    )
    for part in (request.method, request.url.path, query, media_type):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return digest.hexdigest()


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def _canonical_body(content_type: str, body: bytes) -> tuple[str, bytes]:
    media_type, parameters = _media_type(content_type), content_type.partition(";")[2]
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested past any use
            return media_type, body
        canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return media_type, canonical.encode()
    if media_type == "application/x-www-form-urlencoded":
        fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return media_type, urlencode(_by_name(fields)).encode("latin-1")
    if media_type == "multipart/form-data":
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.lower() == "boundary" and value.strip('"'):
                # The parts between the delimiters, each prefixed with its length so that
                # no two different bodies read the same.
                delimiter = b"--" + value.strip('"').encode("latin-1")
                parts = body.split(delimiter)
                return media_type, b"".join(len(part).to_bytes(8, "big") + part for part in parts)
    return media_type, body


def _by_name(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Fields in name order; the values of one name keep theirs, which may matter."""
    return sorted(fields, key=lambda field: field[0])


def _resolves_principal(dependant: Dependant) -> bool:
    return dependant.call in _PRINCIPAL_RESOLVERS or any(
        _resolves_principal(dependency) for dependency in dependant.dependencies
    )


class IdempotentRoute(APIRoute):
    """A route honouring ``Idempotency-Key`` when it creates something for a credential.

    A create that takes no credential (registering an account) has no one to scope keys
    to: it ignores the header.
    """

    idempotent: bool = False

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.idempotent = (
            self.methods == {"POST"}
            and (self.status_code == 201 or endpoint in _DECLARED_CREATES)
            and _resolves_principal(self.dependant)
        )
        if self.idempotent:
            extra = dict(self.openapi_extra or {})
            extra["parameters"] = [*extra.get("parameters", []), KEY_PARAMETER]
            self.openapi_extra = extra

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            value = request.headers.get(HEADER)
            if not self.idempotent or value is None:
                return await handler(request)
            key = read_key(value)
            if _media_type(request.headers.get("content-type", "")) == "multipart/form-data":
                # The body is read here, before the endpoint that takes uploads would
                # grant them their allowance: grant it now, as the endpoint would.
                allow_attachments(request)
            pending = PendingKey(key, await fingerprint(request))
            request.state.idempotency = pending
            try:
                response = await handler(request)
            except IdempotentReplay as replay:
                return replay.response
            await pending.settle(response)
            return response

        return handle
