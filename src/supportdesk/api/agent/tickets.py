"""The tickets assigned to the agent: list, read, update, close."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from supportdesk.api.agent.deps import AgentDep, PerPage
from supportdesk.api.agent.errors import AgentRoute
from supportdesk.api.agent.fields import agent_field_names
from supportdesk.api.agent.schemas import (
    AgentEnvelope,
    AgentPage,
    AgentStatus,
    AgentTicket,
    AgentTicketUpdateIn,
    paged,
    ticket_out,
)
from supportdesk.api.bodies import json_body, parse_json
from supportdesk.api.conditional import ReadConditionsDep, WriteConditionsDep
from supportdesk.api.deps import TicketReadsDep, TicketTriageDep
from supportdesk.api.types import PageNumber, PathId, QueryId
from supportdesk.core import status_words
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.core.pagination import PageRequest
from supportdesk.services.tickets import TicketChanges, TicketFilters

router = APIRouter(prefix="/tickets", tags=["agent"], route_class=AgentRoute)

# The reference's field names, as the ticket rules call them.
_UPDATE_FIELDS = {"status": "status", "priority": "priority", "labels": "tag_ids"}


@router.get("", response_model=AgentPage[AgentTicket])
async def list_tickets(
    principal: AgentDep,
    reads: TicketReadsDep,
    status: AgentStatus | None = None,
    priority: Priority | None = None,
    department_id: QueryId | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 15,
) -> AgentPage[AgentTicket]:
    """The tickets assigned to the agent, newest first."""
    filters = TicketFilters(
        statuses=status_words.INTERNAL.matching(status) if status else (),
        priority=priority,
        department_id=department_id,
    )
    found = await reads.list_resources(principal, filters, PageRequest(page, per_page))
    definitions = await reads.custom_field_definitions(found.items)
    return paged(found, lambda ticket: ticket_out(ticket, definitions))


@router.get("/{ticket_id}", response_model=AgentEnvelope[AgentTicket])
async def get_ticket(
    ticket_id: PathId, principal: AgentDep, reads: TicketReadsDep, conditions: ReadConditionsDep
) -> AgentEnvelope[AgentTicket] | Response:
    """Read a ticket assigned to the agent.

    With `If-None-Match` naming its current version, the answer is 304 and no body.
    """
    ticket = await reads.get_resource(principal, ticket_id)
    if (unchanged := conditions.answer(ticket)) is not None:
        return unchanged
    definitions = await reads.custom_field_definitions([ticket])
    return AgentEnvelope(data=ticket_out(ticket, definitions))


@router.put(
    "/{ticket_id}",
    response_model=AgentEnvelope[AgentTicket],
    openapi_extra=json_body(AgentTicketUpdateIn),
)
async def update_ticket(
    ticket_id: PathId,
    request: Request,
    principal: AgentDep,
    triage: TicketTriageDep,
    reads: TicketReadsDep,
    conditions: WriteConditionsDep,
) -> AgentEnvelope[AgentTicket]:
    """Change the ticket's status, priority or labels; label ids replace the current ones."""
    body = await parse_json(request, AgentTicketUpdateIn)
    changes = TicketChanges(
        fields_set=frozenset(_UPDATE_FIELDS[name] for name in body.model_fields_set),
        status=status_words.INTERNAL.status(body.status) if body.status else None,
        priority=body.priority,
        tag_ids=body.labels,
    )
    with agent_field_names():
        ticket = await triage.update(principal, ticket_id, changes, if_match=conditions.if_match)
    definitions = await reads.custom_field_definitions([ticket])
    return AgentEnvelope(data=ticket_out(conditions.tagged(ticket), definitions))


@router.post("/{ticket_id}/close", response_model=AgentEnvelope[AgentTicket])
async def close_ticket(
    ticket_id: PathId,
    principal: AgentDep,
    triage: TicketTriageDep,
    reads: TicketReadsDep,
    conditions: WriteConditionsDep,
) -> AgentEnvelope[AgentTicket]:
    """Close a ticket.

    With `If-Match`, the close is refused (412) unless the ticket is still at that version.
    """
    ticket = await triage.change_status(
        principal, ticket_id, TicketStatus.CLOSED, if_match=conditions.if_match
    )
    definitions = await reads.custom_field_definitions([ticket])
    return AgentEnvelope(data=ticket_out(conditions.tagged(ticket), definitions))
