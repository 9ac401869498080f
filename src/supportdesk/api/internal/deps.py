"""Credentials and scopes of the internal API: internal keys only, one scope per endpoint."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from supportdesk.api.deps import authenticator, with_scope
from supportdesk.api.security import api_key_header
from supportdesk.api.types import MAX_PAGE
from supportdesk.auth.principal import PrincipalKind
from supportdesk.auth.scopes import KEY_SCOPES, Scope
from supportdesk.core.pagination import PageRequest

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 15
# Far past any real list, small enough that page * per_page stays a sane offset.


internal_key = authenticator(
    {PrincipalKind.INTERNAL_KEY},
    api_key_header,
    refusal=lambda scope: f"This API key does not have the {scope} scope.",
    takes="The internal API takes an internal API key in the X-API-KEY header",
)


def require_scope(scope: Scope) -> Any:
    """The request's internal key, refused without ``scope``.

    No key, an unknown, revoked or expired one, or any other kind of credential is 401;
    a valid key without the scope is 403, naming it.
    """
    if scope not in KEY_SCOPES:
        raise ValueError(f"{scope} is not a scope a key can hold")
    return with_scope(internal_key, scope)


def pages(default: int | None = DEFAULT_PER_PAGE) -> Any:
    """A dependency reading ``page`` and ``per_page`` (1 to 200).

    With ``default`` None the caller fills in ``per_page`` itself (a setting decides).
    """

    async def page_request(
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int | None, Query(ge=1, le=MAX_PER_PAGE)] = None,
    ) -> PageRequest:
        return PageRequest(page=page, per_page=per_page or default or 0)

    return Depends(page_request)


PageDep = Annotated[PageRequest, pages()]
# per_page 0: not given; the tickets list uses sd_tickets_per_page then.
OptionalPageDep = Annotated[PageRequest, pages(None)]
