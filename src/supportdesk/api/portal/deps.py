"""Who is calling the portal: portal users, by their JWT."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials

from supportdesk.api.deps import authenticator
from supportdesk.api.security import bearer_jwt
from supportdesk.auth.principal import Principal, PrincipalKind

# Refresh and logout read the token itself, not the principal behind it.
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_jwt)]

current_principal = authenticator(
    {PrincipalKind.USER},
    bearer_jwt,
    takes="The portal takes a portal user's token (from POST /api/auth/login) as a Bearer token",
)

PrincipalDep = Annotated[Principal, Depends(current_principal)]
