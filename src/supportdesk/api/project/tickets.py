"""Tickets of a connected project, named by their numbers, spoken for by the project."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from supportdesk.api.bodies import parse_json
from supportdesk.api.conditional import ReadConditionsDep, WriteConditionsDep
from supportdesk.api.deps import TicketConversationDep, TicketIntakeDep, TicketReadsDep
from supportdesk.api.project.deps import ProjectPrincipalDep
from supportdesk.api.project.errors import ProjectRoute
from supportdesk.api.project.payloads import operation
from supportdesk.api.project.schemas import (
    ExternalClosed,
    ExternalCloseIn,
    ExternalPing,
    ExternalReply,
    ExternalReplyIn,
    ExternalTicketCreated,
    ExternalTicketEnvelope,
    ExternalTicketIn,
    ExternalTicketPage,
    ProjectStatus,
    project_out,
    ticket_conversation,
    ticket_created,
    ticket_row,
)
from supportdesk.api.types import Email, PageNumber
from supportdesk.core import clock, status_words
from supportdesk.core.enums import Priority, TicketSource
from supportdesk.core.pagination import PageRequest
from supportdesk.services.tickets import NewTicket, TicketFilters

router = APIRouter(tags=["project: tickets"], route_class=ProjectRoute)


@router.get("/ping", response_model=ExternalPing, openapi_extra=operation())
async def ping(principal: ProjectPrincipalDep) -> ExternalPing:
    """Check a key pair and see which project it belongs to."""
    assert principal.project is not None  # a PROJECT principal always has its project
    return ExternalPing(project=project_out(principal.project), timestamp=clock.now())


@router.post(
    "/tickets",
    response_model=ExternalTicketCreated,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=operation(ExternalTicketIn),
)
async def create_ticket(
    request: Request, principal: ProjectPrincipalDep, intake: TicketIntakeDep
) -> ExternalTicketCreated:
    """Open a ticket for one of the project's users (found by e-mail, or created)."""
    body = await parse_json(request, ExternalTicketIn)
    assert principal.project is not None
    new = NewTicket(
        project_id=principal.project.id,
        subject=body.subject,
        description=body.description,
        priority=body.priority,
        category_id=body.category_id,
        customer_name=body.customer_name,
        customer_email=str(body.customer_email),
        customer_phone=body.customer_phone or None,
        external_customer_id=body.external_customer_id,
        metadata=body.metadata,
        source=TicketSource.API,
    )
    return ticket_created(await intake.create(principal, new))


@router.get("/tickets", response_model=ExternalTicketPage, openapi_extra=operation())
async def list_tickets(
    principal: ProjectPrincipalDep,
    reads: TicketReadsDep,
    customer_email: Annotated[Email | None, Query()] = None,
    status_: Annotated[ProjectStatus | None, Query(alias="status")] = None,
    priority: Priority | None = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ExternalTicketPage:
    """List the project's tickets, newest first.

    Filter by the customer's e-mail address, status or priority.
    """
    filters = TicketFilters(
        statuses=status_words.PORTAL.matching(status_) if status_ else (),
        priority=priority,
        customer_email=str(customer_email) if customer_email else None,
    )
    result = await reads.list_page(principal, filters, PageRequest(page, per_page))
    return ExternalTicketPage(
        data=[ticket_row(ticket) for ticket in result.items],
        current_page=result.page,
        last_page=result.last_page,
        total=result.total,
        per_page=result.per_page,
    )


@router.get(
    "/tickets/{ticket_number}", response_model=ExternalTicketEnvelope, openapi_extra=operation()
)
async def get_ticket(
    ticket_number: str,
    principal: ProjectPrincipalDep,
    reads: TicketReadsDep,
    conditions: ReadConditionsDep,
) -> ExternalTicketEnvelope | Response:
    """A ticket by its number (e.g. NAIJ-2024-00043), with its conversation; no internal notes."""
    ticket = await reads.get_conversation(principal, ticket_number)
    return conditions.answer(ticket) or ExternalTicketEnvelope(ticket=ticket_conversation(ticket))


@router.post(
    "/tickets/{ticket_number}/reply",
    response_model=ExternalReply,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=operation(ExternalReplyIn),
)
async def reply(
    ticket_number: str,
    request: Request,
    principal: ProjectPrincipalDep,
    conversation: TicketConversationDep,
) -> ExternalReply:
    """The customer's reply; ``customer_email`` must be the ticket's customer's address."""
    body = await parse_json(request, ExternalReplyIn)
    message = await conversation.add_message(
        principal, ticket_number, body.body, on_behalf_of=str(body.customer_email)
    )
    return ExternalReply(
        message_id=message.id,
        ticket=message.ticket.ticket_number,
        status=status_words.PORTAL.word(message.ticket.status),
    )


@router.post(
    "/tickets/{ticket_number}/close",
    response_model=ExternalClosed,
    openapi_extra=operation(ExternalCloseIn),
)
async def close_ticket(
    ticket_number: str,
    request: Request,
    principal: ProjectPrincipalDep,
    conversation: TicketConversationDep,
    conditions: WriteConditionsDep,
) -> ExternalClosed:
    """Close the ticket for its customer; ``customer_email`` must be the customer's address."""
    body = await parse_json(request, ExternalCloseIn)
    ticket = await conversation.close(
        principal,
        ticket_number,
        on_behalf_of=str(body.customer_email),
        if_match=conditions.if_match,
    )
    return ExternalClosed(ticket=conditions.tagged(ticket).ticket_number)
