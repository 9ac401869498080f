"""Who is calling the REST API: an internal key or a portal user, as a Bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from supportdesk.api.deps import authenticator, with_scope
from supportdesk.api.security import bearer_api_key
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.scopes import Scope

current_principal = authenticator(
    {PrincipalKind.INTERNAL_KEY, PrincipalKind.USER},
    bearer_api_key,
    takes="The REST API takes an internal API key or a portal user's token as a Bearer token",
)

PrincipalDep = Annotated[Principal, Depends(current_principal)]
TicketListerDep = Annotated[Principal, with_scope(current_principal, Scope.TICKETS_LIST)]
TicketReaderDep = Annotated[Principal, with_scope(current_principal, Scope.TICKETS_READ)]
# Changing a ticket is decided field by field by the ticket rules: customers may reword
# their own tickets; triage needs tickets:update (services/tickets/triage.py).
TicketWriterDep = PrincipalDep
