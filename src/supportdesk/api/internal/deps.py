"""Credentials and scopes of the internal API: internal keys only, one scope per endpoint."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Security

from supportdesk.api.deps import SessionDep, authenticate
from supportdesk.api.security import api_key_header
from supportdesk.auth import scopes
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.core.errors import Forbidden
from supportdesk.core.pagination import PageRequest

ApiKeyDep = Annotated[str | None, Security(api_key_header)]

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 15
# Far past any real list, small enough that page * per_page stays a sane offset.
MAX_PAGE = 1_000_000


def require_scope(scope: str) -> Any:
    """A dependency resolving the request's internal key, refused without ``scope``.

    No key, an unknown, revoked or expired one, or any other kind of credential is 401;
    a valid key without the scope is 403.
    """
    if scope not in scopes.INTERNAL_SCOPES:
        raise ValueError(f"unknown scope {scope}")

    async def principal_with_scope(
        request: Request, session: SessionDep, _: ApiKeyDep
    ) -> Principal:
        principal = await authenticate(request, session, accept={PrincipalKind.INTERNAL_KEY})
        if not principal.can(scope):
            raise Forbidden(f"This API key does not have the {scope} scope.")
        return replace(principal, scopes=scopes.expand(principal.scopes))

    return Depends(principal_with_scope)


def pages(default: int | None = DEFAULT_PER_PAGE) -> Any:
    """A dependency reading ``page`` and ``per_page`` (1 to 200).

    With ``default`` None the caller fills in ``per_page`` itself (a setting decides).
    """

    def page_request(
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int | None, Query(ge=1, le=MAX_PER_PAGE)] = None,
    ) -> PageRequest:
        return PageRequest(page=page, per_page=per_page or default or 0)

    return Depends(page_request)


PageDep = Annotated[PageRequest, pages()]
# per_page 0: not given; the tickets list uses sd_tickets_per_page then.
OptionalPageDep = Annotated[PageRequest, pages(None)]
