"""Who is calling the REST API: an internal key or a portal user, as a Bearer token."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from supportdesk.api.deps import SessionDep, authenticate
from supportdesk.api.security import bearer_api_key
from supportdesk.auth import scopes
from supportdesk.auth.principal import Principal, PrincipalKind

BearerDep = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_api_key)]


async def current_principal(request: Request, session: SessionDep, _: BearerDep) -> Principal:
    """Internal keys (scoped) and portal users' JWTs, both as ``Authorization: Bearer``."""
    principal = await authenticate(
        request, session, accept={PrincipalKind.INTERNAL_KEY, PrincipalKind.USER}
    )
    if principal.kind is PrincipalKind.INTERNAL_KEY:
        # The ticket rules ask the portal's capabilities, which a key's scopes carry.
        principal = replace(principal, scopes=scopes.expand(principal.scopes))
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def key_scope(scope: str) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A principal holding ``scope`` if it is a key; portal users answer to the ticket rules.

    For the ticket reads the ticket service leaves to visibility alone.
    """

    async def scoped(principal: PrincipalDep) -> Principal:
        if principal.kind is PrincipalKind.INTERNAL_KEY:
            principal.require(scope)
        return principal

    return scoped


TicketListerDep = Annotated[Principal, Depends(key_scope("tickets:list"))]
TicketReaderDep = Annotated[Principal, Depends(key_scope("tickets:read"))]
TicketWriterDep = Annotated[Principal, Depends(key_scope("tickets:update"))]
