"""Credentials of the simple ticket API: an internal key as a Bearer token, with a scope."""

from __future__ import annotations

from typing import Annotated

from supportdesk.api.deps import authenticator, with_scope
from supportdesk.api.security import bearer_api_key
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.scopes import Scope

internal_key = authenticator(
    {PrincipalKind.INTERNAL_KEY},
    bearer_api_key,
    takes="The simple ticket API takes an internal API key as a Bearer token",
)

CreatorDep = Annotated[Principal, with_scope(internal_key, Scope.TICKETS_CREATE)]
ListerDep = Annotated[Principal, with_scope(internal_key, Scope.TICKETS_LIST)]
ReaderDep = Annotated[Principal, with_scope(internal_key, Scope.TICKETS_READ)]
ReplierDep = Annotated[Principal, with_scope(internal_key, Scope.MESSAGES_CREATE)]
