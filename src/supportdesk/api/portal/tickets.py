from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from supportdesk.api.conditional import ReadConditionsDep, WriteConditionsDep
from supportdesk.api.deps import (
    TicketConversationDep,
    TicketIntakeDep,
    TicketReadsDep,
    TicketTriageDep,
)
from supportdesk.api.portal.deps import PrincipalDep
from supportdesk.api.portal.errors import PortalRoute
from supportdesk.api.portal.payloads import parse_body, request_body_schema
from supportdesk.api.portal.schemas import (
    AssignIn,
    MessageEnvelope,
    MessageIn,
    MessageText,
    RatingEnvelope,
    RatingIn,
    StatusIn,
    TicketCreateIn,
    TicketDetailEnvelope,
    TicketEnvelope,
    TicketPage,
    TicketUpdateIn,
    WatchOut,
    message_out,
    rating_out,
    ticket_detail,
    ticket_list_item,
    ticket_out,
)
from supportdesk.api.types import PageNumber, PathId, QueryId
from supportdesk.core import clock, status_words
from supportdesk.core.enums import MessageType, Priority
from supportdesk.core.pagination import PageRequest
from supportdesk.core.status_words import PortalStatus
from supportdesk.services.tickets import NewTicket, TicketChanges, TicketFilters

router = APIRouter(prefix="/tickets", tags=["portal: tickets"], route_class=PortalRoute)


@router.get("", response_model=TicketPage)
async def list_tickets(
    principal: PrincipalDep,
    reads: TicketReadsDep,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    status_: Annotated[PortalStatus | None, Query(alias="status")] = None,
    priority: Priority | None = None,
    project_id: Annotated[QueryId | None, Query(description="Admins only")] = None,
    assigned_to: QueryId | None = None,
    unassigned: bool = False,
    overdue: bool = False,
    search: Annotated[str | None, Query(max_length=255)] = None,
) -> TicketPage:
    """List the tickets the caller can see, newest first.

    Filter by status, priority, project, assignee, unassigned or overdue tickets, or search the
    text.
    """
    filters = TicketFilters(
        statuses=status_words.PORTAL.matching(status_) if status_ else (),
        priority=priority,
        project_id=project_id,
        assignee_id=assigned_to,
        unassigned=unassigned,
        overdue_at=clock.now() if overdue else None,
        search=search.strip() if search and search.strip() else None,
    )
    result = await reads.list_page(principal, filters, PageRequest(page, per_page))
    return TicketPage(
        data=[ticket_list_item(ticket) for ticket in result.items],
        current_page=result.page,
        last_page=result.last_page,
        total=result.total,
        per_page=result.per_page,
    )


@router.post(
    "",
    response_model=TicketEnvelope,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=request_body_schema(TicketCreateIn),
)
async def create_ticket(
    request: Request, principal: PrincipalDep, intake: TicketIntakeDep
) -> TicketEnvelope:
    """Open a ticket, as JSON or as a form with attachments."""
    body, uploads = await parse_body(request, TicketCreateIn)
    new = NewTicket(
        project_id=body.project_id,
        subject=body.subject,
        description=body.description,
        priority=body.priority,
        category_id=body.category_id,
        tag_ids=body.tags,
        customer_name=body.customer_name,
        customer_email=str(body.customer_email) if body.customer_email else None,
        customer_phone=body.customer_phone,
        metadata=body.metadata,
        attachments=uploads,
    )
    return TicketEnvelope(ticket=ticket_out(await intake.create(principal, new)))


@router.get("/{ticket_id}", response_model=TicketDetailEnvelope)
async def get_ticket(
    ticket_id: PathId, principal: PrincipalDep, reads: TicketReadsDep, conditions: ReadConditionsDep
) -> TicketDetailEnvelope | Response:
    """Read a ticket with its messages, attachments, activity, watchers and rating.

    Internal notes are for staff only. With `If-None-Match` naming its current version,
    the answer is 304 and no body.
    """
    view = await reads.detail(principal, ticket_id)
    return conditions.answer(view) or TicketDetailEnvelope(ticket=ticket_detail(view))


@router.put("/{ticket_id}", response_model=TicketEnvelope)
async def update_ticket(
    ticket_id: PathId,
    body: TicketUpdateIn,
    principal: PrincipalDep,
    triage: TicketTriageDep,
    conditions: WriteConditionsDep,
) -> TicketEnvelope:
    """Change a ticket's subject, description, category, priority or tags.

    Only the fields sent change; with `If-Match`, a ticket at another version is refused (412).
    """
    fields = set(body.model_fields_set)
    if "tags" in fields:
        fields = (fields - {"tags"}) | {"tag_ids"}
    changes = TicketChanges(
        fields_set=frozenset(fields),
        subject=body.subject,
        description=body.description,
        category_id=body.category_id,
        priority=body.priority,
        tag_ids=body.tags,
    )
    ticket = await triage.update(principal, ticket_id, changes, if_match=conditions.if_match)
    return TicketEnvelope(ticket=ticket_out(conditions.tagged(ticket)))


@router.patch("/{ticket_id}/status", response_model=TicketEnvelope)
async def change_status(
    ticket_id: PathId,
    body: StatusIn,
    principal: PrincipalDep,
    triage: TicketTriageDep,
    conditions: WriteConditionsDep,
) -> TicketEnvelope:
    """Change a ticket's status."""
    ticket = await triage.change_status(
        principal, ticket_id, status_words.PORTAL.status(body.status), if_match=conditions.if_match
    )
    return TicketEnvelope(ticket=ticket_out(conditions.tagged(ticket)))


@router.patch("/{ticket_id}/assign", response_model=TicketEnvelope)
async def assign_ticket(
    ticket_id: PathId,
    body: AssignIn,
    principal: PrincipalDep,
    triage: TicketTriageDep,
    conditions: WriteConditionsDep,
) -> TicketEnvelope:
    """Assign a ticket to an agent or admin, or unassign it with null.

    The assignee must be active and, unless the caller assigns across projects, an agent of the
    ticket's project. Assigning an open ticket puts it in progress.
    """
    ticket = await triage.assign(principal, ticket_id, body.user_id, if_match=conditions.if_match)
    return TicketEnvelope(ticket=ticket_out(conditions.tagged(ticket)))


@router.post(
    "/{ticket_id}/messages",
    response_model=MessageEnvelope,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=request_body_schema(MessageIn),
)
async def add_message(
    ticket_id: PathId,
    request: Request,
    principal: PrincipalDep,
    conversation: TicketConversationDep,
) -> MessageEnvelope:
    """Reply on a ticket, or add an internal note, with attachments if any."""
    body, uploads = await parse_body(request, MessageIn)
    message = await conversation.add_message(
        principal, ticket_id, body.body, MessageType(body.type), uploads
    )
    return MessageEnvelope(message=message_out(message))


@router.post("/{ticket_id}/rating", response_model=RatingEnvelope, status_code=201)
async def rate_ticket(
    ticket_id: PathId, body: RatingIn, principal: PrincipalDep, triage: TicketTriageDep
) -> RatingEnvelope:
    """Rate a resolved or closed ticket, once."""
    rating = await triage.rate(principal, ticket_id, body.score, body.comment)
    return RatingEnvelope(rating=rating_out(rating))


@router.post("/{ticket_id}/watch", response_model=WatchOut)
async def toggle_watch(
    ticket_id: PathId, principal: PrincipalDep, triage: TicketTriageDep
) -> WatchOut:
    """Start watching a ticket, or stop if already watching.

    The answer says whether the caller now watches it.
    """
    return WatchOut(watching=await triage.toggle_watch(principal, ticket_id))


@router.delete("/{ticket_id}", response_model=MessageText)
async def delete_ticket(
    ticket_id: PathId,
    principal: PrincipalDep,
    triage: TicketTriageDep,
    conditions: WriteConditionsDep,
) -> MessageText:
    """Delete a ticket (a soft delete): it disappears from every surface."""
    await triage.delete(principal, ticket_id, if_match=conditions.if_match)
    return MessageText(message="Ticket deleted")
