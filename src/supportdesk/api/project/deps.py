from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security

from supportdesk.api.deps import SessionDep, authenticate
from supportdesk.api.security import project_key_header, project_secret_header
from supportdesk.auth.principal import Principal, PrincipalKind

KeyDep = Annotated[str | None, Security(project_key_header)]
SecretDep = Annotated[str | None, Security(project_secret_header)]


async def current_project(
    request: Request, session: SessionDep, _key: KeyDep, _secret: SecretDep
) -> Principal:
    """The external-project API takes a project's key pair only."""
    return await authenticate(request, session, accept={PrincipalKind.PROJECT})


ProjectPrincipalDep = Annotated[Principal, Depends(current_project)]
