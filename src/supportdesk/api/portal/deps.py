from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from supportdesk.api.deps import SessionDep, authenticate
from supportdesk.api.security import bearer_jwt
from supportdesk.auth.principal import Principal, PrincipalKind

BearerDep = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_jwt)]


async def current_principal(request: Request, session: SessionDep, _: BearerDep) -> Principal:
    """The portal takes portal users' JWTs only."""
    return await authenticate(request, session, accept={PrincipalKind.USER})


PrincipalDep = Annotated[Principal, Depends(current_principal)]
