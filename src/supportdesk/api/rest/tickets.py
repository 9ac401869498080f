"""Tickets (seed 002): cursor-paginated list, read, create, PATCH, soft delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from supportdesk.api.conditional import ReadConditionsDep, WriteConditionsDep
from supportdesk.api.deps import TicketIntakeDep, TicketReadsDep, TicketTriageDep
from supportdesk.api.rest.deps import (
    TicketCreatorDep,
    TicketDeleterDep,
    TicketListerDep,
    TicketReaderDep,
    TicketWriterDep,
)
from supportdesk.api.rest.errors import RestRoute, request_names
from supportdesk.api.rest.schemas import (
    DeletedEnvelope,
    OrderDir,
    Prefix,
    TicketCreateIn,
    TicketEnvelope,
    TicketOrder,
    TicketPage,
    TicketUpdateIn,
    deleted,
    field_id,
    meta,
    path_id,
    query_text,
    ticket_detail,
    ticket_out,
)
from supportdesk.core import status_words
from supportdesk.core.cursor import MAX_CURSOR_LENGTH, CursorRequest
from supportdesk.core.enums import Priority
from supportdesk.core.status_words import RestStatus
from supportdesk.models import DEFAULT_PROJECT_ID
from supportdesk.services.tickets import NewTicket, TicketChanges, TicketFilters

router = APIRouter(prefix="/tickets", tags=["rest"], route_class=RestRoute)

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (max 100)")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        description="next_cursor of the previous page, or an ISO timestamp",
    ),
]


def _tag_names(tags: str | None) -> tuple[str, ...]:
    text = query_text(tags, "tags")
    if text is None:
        return ()
    return tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))


@router.get("", response_model=TicketPage)
async def list_tickets(
    principal: TicketListerDep,
    reads: TicketReadsDep,
    status_: Annotated[RestStatus | None, Query(alias="status")] = None,
    priority: Priority | None = None,
    assignee_id: Annotated[str | None, Query(max_length=32)] = None,
    customer_id: Annotated[str | None, Query(max_length=32)] = None,
    unassigned: bool = False,
    tags: Annotated[str | None, Query(max_length=1000, description="Comma-separated")] = None,
    search: Annotated[str | None, Query(max_length=255)] = None,
    order_by: TicketOrder = "created_at",
    order_dir: OrderDir = "desc",
    limit: Limit = 25,
    cursor: Cursor = None,
) -> TicketPage:
    """Tickets the caller can see, newest first unless ordered otherwise."""
    filters = TicketFilters(
        statuses=status_words.REST.matching(status_) if status_ else (),
        priority=priority,
        assignee_id=field_id(Prefix.USER, assignee_id, "assignee_id") if assignee_id else None,
        customer_id=field_id(Prefix.CUSTOMER, customer_id, "customer_id") if customer_id else None,
        unassigned=unassigned,
        tag_names=_tag_names(tags),
        text=query_text(search, "search"),
    )
    request = CursorRequest(order_by, order_dir == "desc", limit, cursor)
    page = await reads.list_keyset(principal, filters, request)
    return TicketPage(data=[ticket_out(ticket) for ticket in page.items], meta=meta(page))


@router.get("/{ticket_id}", response_model=TicketEnvelope)
async def get_ticket(
    ticket_id: str, principal: TicketReaderDep, reads: TicketReadsDep, conditions: ReadConditionsDep
) -> TicketEnvelope | Response:
    """Read a ticket, with its description and custom fields.

    With `If-None-Match` naming its current version, the answer is 304 and no body.
    """
    ticket = await reads.get_resource(principal, path_id(Prefix.TICKET, ticket_id))
    return conditions.answer(ticket) or TicketEnvelope(data=ticket_detail(ticket))


@router.post("", response_model=TicketEnvelope, status_code=status.HTTP_201_CREATED)
async def create_ticket(
    body: TicketCreateIn, principal: TicketCreatorDep, intake: TicketIntakeDep
) -> TicketEnvelope:
    """Open a ticket; a customer e-mail opens it for that customer (created if new)."""
    new = NewTicket(
        project_id=DEFAULT_PROJECT_ID,
        subject=body.subject,
        description=body.description,
        priority=body.priority,
        customer_email=str(body.customer_email) if body.customer_email else None,
        customer_name=body.customer_name,
        customer_by_email=True,
        tag_names=body.tags,
    )
    ticket = await intake.create(principal, new)
    return TicketEnvelope(data=ticket_detail(ticket))


@router.patch("/{ticket_id}", response_model=TicketEnvelope)
async def update_ticket(
    ticket_id: str,
    body: TicketUpdateIn,
    principal: TicketWriterDep,
    triage: TicketTriageDep,
    conditions: WriteConditionsDep,
) -> TicketEnvelope:
    """Change a ticket: only the fields sent change.

    Tags are named, and new names create tags; with `If-Match`, a ticket at another version is
    refused (412).
    """
    fields = set(body.model_fields_set)
    if "tags" in fields:
        fields = (fields - {"tags"}) | {"tag_names"}
    assignee_id = None
    if body.assignee_id is not None:
        assignee_id = field_id(Prefix.USER, body.assignee_id, "assignee_id")
    changes = TicketChanges(
        fields_set=frozenset(fields),
        subject=body.subject,
        description=body.description,
        priority=body.priority,
        status=status_words.REST.status(body.status) if body.status else None,
        assignee_id=assignee_id,
        tag_names=body.tags,
        custom_fields=body.custom_fields,
    )
    with request_names({"user_id": "assignee_id", "tag_names": "tags"}):
        ticket = await triage.update(
            principal, path_id(Prefix.TICKET, ticket_id), changes, if_match=conditions.if_match
        )
    return TicketEnvelope(data=ticket_detail(conditions.tagged(ticket)))


@router.delete("/{ticket_id}", response_model=DeletedEnvelope)
async def delete_ticket(
    ticket_id: str,
    principal: TicketDeleterDep,
    triage: TicketTriageDep,
    conditions: WriteConditionsDep,
) -> DeletedEnvelope:
    """Delete a ticket (a soft delete): it disappears from every surface."""
    row_id = path_id(Prefix.TICKET, ticket_id)
    await triage.delete(principal, row_id, if_match=conditions.if_match)
    return deleted(Prefix.TICKET, row_id)
