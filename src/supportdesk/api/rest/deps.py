"""Who is calling the REST API: an internal key or a portal user, as a Bearer token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from supportdesk.api.deps import authenticator, with_scope
from supportdesk.api.security import bearer_api_key
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.scopes import Scope
from supportdesk.services.tags import ONLY_STAFF_CREATE_TAGS

# A refusal words what the service behind the endpoint would have said.
_REFUSALS = {Scope.LABELS_CREATE: ONLY_STAFF_CREATE_TAGS}

current_principal = authenticator(
    {PrincipalKind.INTERNAL_KEY, PrincipalKind.USER},
    bearer_api_key,
    refusal=_REFUSALS.get,
    takes="The REST API takes an internal API key or a portal user's token as a Bearer token",
)


def require_scope(scope: Scope) -> Any:
    """The request's key or portal user, refused (403) without ``scope``.

    A portal user holds their role's scopes, a key the ones it was given: this asks what
    the endpoint's service asks, before the parameters are validated, and the OpenAPI
    document names the scope. Unlike the internal API's, it takes the portal's scopes.
    """
    return with_scope(current_principal, scope)


# Any credential the REST API takes: the endpoint's service decides what it may do.
PrincipalDep = Annotated[Principal, Depends(current_principal)]
TicketListerDep = Annotated[Principal, require_scope(Scope.TICKETS_LIST)]
TicketReaderDep = Annotated[Principal, require_scope(Scope.TICKETS_READ)]
TicketCreatorDep = Annotated[Principal, require_scope(Scope.TICKETS_CREATE)]
TicketDeleterDep = Annotated[Principal, require_scope(Scope.TICKETS_DELETE)]
# Changing a ticket is decided field by field by the ticket rules: customers may reword
# their own tickets; triage needs tickets:update (services/tickets/triage.py).
TicketWriterDep = PrincipalDep
