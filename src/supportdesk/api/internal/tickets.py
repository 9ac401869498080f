"""Tickets: list, create, read, update, delete (seed 000)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from supportdesk.api.conditional import ReadConditionsDep, WriteConditionsDep
from supportdesk.api.deps import TicketIntakeDep, TicketReadsDep, TicketTriageDep
from supportdesk.api.internal.deps import OptionalPageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.fields import TICKET_FIELDS, renamed_fields
from supportdesk.api.internal.schemas import Done, Envelope, ListEnvelope, listed, one
from supportdesk.api.internal.ticket_schemas import (
    ApiStatus,
    TicketIn,
    TicketOut,
    TicketUpdateIn,
    ticket_out,
)
from supportdesk.api.types import PathId, QueryId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import status_words
from supportdesk.core.enums import Priority, TicketSource
from supportdesk.models import DEFAULT_PROJECT_ID
from supportdesk.services.tickets import NewTicket, TicketChanges, TicketFilters

router = APIRouter(tags=["internal"], route_class=InternalRoute)

_UPDATE_FIELDS = {
    "status": "status",
    "priority": "priority",
    "assigned_to": "assignee_id",
    "department_id": "department_id",
    "category_id": "category_id",
    "product_id": "product_id",
    "is_resolved": "is_resolved",
    "is_locked": "is_locked",
    "labels": "tag_ids",
    "custom_fields": "custom_fields",
}


@router.get("/tickets", response_model=ListEnvelope[TicketOut])
async def list_tickets(
    principal: Annotated[Principal, require_scope(Scope.TICKETS_LIST)],
    reads: TicketReadsDep,
    page: OptionalPageDep,
    status: ApiStatus | None = None,
    priority: Priority | None = None,
    department_id: QueryId | None = None,
    customer_id: QueryId | None = None,
    assigned_to: Annotated[
        QueryId | None, Query(description="The assigned agent's user id")
    ] = None,
) -> ListEnvelope[TicketOut]:
    """List tickets, filtered by status, priority, department, customer or assignee.

    Without a page size, a page holds the help desk's tickets-per-page setting.
    """
    filters = TicketFilters(
        statuses=status_words.INTERNAL.matching(status) if status else (),
        priority=priority,
        department_id=department_id,
        customer_id=customer_id,
        assignee_id=assigned_to,
    )
    found = await reads.list_resources(principal, filters, page)
    definitions = await reads.custom_field_definitions(found.items)
    return listed(found, lambda ticket: ticket_out(ticket, definitions))


@router.post("/tickets", response_model=Envelope[TicketOut], status_code=status.HTTP_201_CREATED)
async def create_ticket(
    body: TicketIn,
    principal: Annotated[Principal, require_scope(Scope.TICKETS_CREATE)],
    intake: TicketIntakeDep,
    reads: TicketReadsDep,
) -> Envelope[TicketOut]:
    """Open a ticket for a customer, in the default project unless one is named."""
    new = NewTicket(
        project_id=body.project_id or DEFAULT_PROJECT_ID,
        subject=body.title,
        description=body.content,
        priority=body.priority,
        category_id=body.category_id,
        customer_id=body.customer_id,
        department_id=body.department_id,
        product_id=body.product_id,
        custom_fields=body.custom_fields,
        source=TicketSource.API,
    )
    with renamed_fields(TICKET_FIELDS):
        ticket = await intake.create(principal, new)
    definitions = await reads.custom_field_definitions([ticket])
    return one(ticket_out(ticket, definitions))


@router.get("/tickets/{ticket_id}", response_model=Envelope[TicketOut])
async def get_ticket(
    ticket_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.TICKETS_READ)],
    reads: TicketReadsDep,
    conditions: ReadConditionsDep,
) -> Envelope[TicketOut] | Response:
    """Read a ticket.

    With `If-None-Match` naming its current version, the answer is 304 and no body.
    """
    ticket = await reads.get_resource(principal, ticket_id)
    if (unchanged := conditions.answer(ticket)) is not None:
        return unchanged
    definitions = await reads.custom_field_definitions([ticket])
    return one(ticket_out(ticket, definitions))


@router.put("/tickets/{ticket_id}", response_model=Envelope[TicketOut])
async def update_ticket(
    ticket_id: PathId,
    body: TicketUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.TICKETS_UPDATE)],
    triage: TicketTriageDep,
    reads: TicketReadsDep,
    conditions: WriteConditionsDep,
) -> Envelope[TicketOut]:
    """Change a ticket: only the fields sent change.

    With `If-Match`, the change is refused (412) unless the ticket is still at that version.
    """
    given = body.model_fields_set
    changes = TicketChanges(
        fields_set=frozenset(_UPDATE_FIELDS[name] for name in given if name in _UPDATE_FIELDS),
        priority=body.priority,
        category_id=body.category_id,
        tag_ids=body.labels,
        department_id=body.department_id,
        product_id=body.product_id,
        custom_fields=body.custom_fields,
        is_locked=body.is_locked,
        status=status_words.INTERNAL.status(body.status) if body.status else None,
        is_resolved=body.is_resolved,
        assignee_id=body.assigned_to,
    )
    with renamed_fields(TICKET_FIELDS):
        ticket = await triage.update(principal, ticket_id, changes, if_match=conditions.if_match)
    definitions = await reads.custom_field_definitions([ticket])
    return one(ticket_out(conditions.tagged(ticket), definitions))


@router.delete("/tickets/{ticket_id}", response_model=Done)
async def delete_ticket(
    ticket_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.TICKETS_DELETE)],
    triage: TicketTriageDep,
    conditions: WriteConditionsDep,
) -> Done:
    """Delete a ticket (a soft delete): it disappears from every surface."""
    await triage.delete(principal, ticket_id, if_match=conditions.if_match)
    return Done(message="Ticket deleted successfully")
