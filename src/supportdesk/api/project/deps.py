from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from supportdesk.api.deps import SessionDep, authenticate
from supportdesk.api.idempotency import claim_key, resolves_principal
from supportdesk.api.security import project_key_header, project_secret_header
from supportdesk.auth.principal import Principal, PrincipalKind

# Both headers at once: one requirement naming both schemes. Declared as Security()
# parameters, FastAPI would list them as alternatives (either one would do), which is
# not what the API accepts. The Authenticator reads the headers itself.
KEY_PAIR_SECURITY: dict[str, Any] = {
    "security": [{project_key_header.scheme_name: [], project_secret_header.scheme_name: []}]
}


@resolves_principal
async def current_project(request: Request, session: SessionDep) -> Principal:
    """The external-project API takes a project's key pair only."""
    principal = await authenticate(
        request,
        session,
        accept={PrincipalKind.PROJECT},
        takes="The external-project API takes a project key pair: X-Api-Key with X-Api-Secret",
    )
    await claim_key(request, session, principal)
    return principal


ProjectPrincipalDep = Annotated[Principal, Depends(current_project)]
