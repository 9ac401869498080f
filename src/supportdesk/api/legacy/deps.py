"""Credentials of the simple ticket API: an internal key as a Bearer token, with a scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from supportdesk.api.deps import SessionDep, authenticate
from supportdesk.api.security import bearer_api_key
from supportdesk.auth.permissions import Capability
from supportdesk.auth.principal import Principal, PrincipalKind


def _key_with(scope: Capability) -> Any:
    async def principal(
        request: Request,
        session: SessionDep,
        # Declares the Bearer scheme in OpenAPI; the Authenticator reads the header itself.
        _: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_api_key)],
    ) -> Principal:
        key = await authenticate(request, session, accept={PrincipalKind.INTERNAL_KEY})
        key.require(scope)
        return key

    return Depends(principal)


CreatorDep = Annotated[Principal, _key_with(Capability.CREATE_TICKETS)]
ListerDep = Annotated[Principal, _key_with(Capability.VIEW_ALL_TICKETS)]
ReaderDep = Annotated[Principal, _key_with(Capability.VIEW_OWN_TICKETS)]
ReplierDep = Annotated[Principal, _key_with(Capability.REPLY_TO_TICKETS)]
