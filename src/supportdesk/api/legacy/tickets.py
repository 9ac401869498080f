"""The four scripts of the simple ticket API: create, list, view and reply.

Every ticket here belongs to the customer its ``user_email`` names, in the default
project; the key speaks for that customer.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from supportdesk.api.bodies import model_schema
from supportdesk.api.conditional import ReadConditionsDep
from supportdesk.api.deps import TicketConversationDep, TicketIntakeDep, TicketReadsDep
from supportdesk.api.idempotency import creates
from supportdesk.api.legacy.deps import (
    CreatorDep,
    ListerDep,
    ReaderDep,
    ReplierDep,
)
from supportdesk.api.legacy.errors import LegacyRoute, custom_field_failure, customers_own_tickets
from supportdesk.api.legacy.params import parse_params
from supportdesk.api.legacy.schemas import (
    CreateTicketIn,
    Replied,
    ReplyIn,
    TicketCreated,
    TicketIn,
    TicketList,
    TicketRow,
    TicketView,
    UserEmailIn,
    ticket_row,
    ticket_view,
)
from supportdesk.core.enums import Priority, TicketSource
from supportdesk.core.errors import ValidationFailed
from supportdesk.core.pagination import PageRequest
from supportdesk.services.custom_fields import ticket_values
from supportdesk.services.tickets import NewTicket, TicketFilters

router = APIRouter(tags=["legacy"], route_class=LegacyRoute)

# Surfaces without projects open their tickets in the default project.
DEFAULT_PROJECT_ID = 1
# Tickets are read in pages of this size; the reference lists them all at once.
_LIST_BATCH = 100

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "application/json")


def _operation(model: type[BaseModel], *, query: bool = False) -> dict[str, Any]:
    """OpenAPI: the parameters, in the query string (GET) or a form or JSON body."""
    schema = model_schema(model)
    if query:
        required = set(schema.get("required", ()))
        return {
            "parameters": [
                {"name": name, "in": "query", "required": name in required, "schema": field}
                for name, field in schema["properties"].items()
            ]
        }
    content = {content_type: {"schema": schema} for content_type in _FORM_TYPES}
    return {"requestBody": {"required": True, "content": content}}


@router.post(
    "/tickets_create.php", response_model=TicketCreated, openapi_extra=_operation(CreateTicketIn)
)
@creates
async def create_ticket(
    request: Request, principal: CreatorDep, intake: TicketIntakeDep
) -> TicketCreated:
    """Open a ticket for the customer ``user_email`` names; a new customer is created with it.

    ``custom_fields`` is a JSON object keyed by field id; required fields must be given.
    """
    body = await parse_params(request, CreateTicketIn)
    custom_fields = body.custom_fields or {}
    new = NewTicket(
        project_id=DEFAULT_PROJECT_ID,
        subject=body.subject,
        description=body.message,
        priority=Priority(body.priority) if body.priority else None,
        category_id=body.category_id,
        customer_name=body.name,
        customer_email=str(body.user_email),
        customer_by_email=True,
        customer_company=body.company,
        # Always checked, so a required field cannot be skipped by leaving them all out.
        custom_fields=custom_fields,
        source=TicketSource.API,
    )
    try:
        ticket = await intake.create(principal, new)
    except ValidationFailed as failure:
        raise custom_field_failure(failure, custom_fields) from None
    return TicketCreated(ticket_id=ticket.id)


async def _list(request: Request, principal: ListerDep, reads: TicketReadsDep) -> TicketList:
    """The customer's tickets, newest first."""
    query = await parse_params(request, UserEmailIn)
    filters = TicketFilters(customer_email=str(query.user_email))
    rows: list[TicketRow] = []
    page_number = 1
    while True:
        page = await reads.list_page(principal, filters, PageRequest(page_number, _LIST_BATCH))
        rows.extend(ticket_row(ticket) for ticket in page.items)
        if page_number >= page.last_page:
            break
        page_number += 1
    return TicketList(tickets=rows)


async def _view(
    request: Request, principal: ReaderDep, reads: TicketReadsDep, conditions: ReadConditionsDep
) -> TicketView | Response:
    """One of the customer's tickets with its replies (never internal notes) and fields."""
    query = await parse_params(request, TicketIn)
    with customers_own_tickets():
        ticket = await reads.get(principal, query.ticket_id, on_behalf_of=str(query.user_email))
    if (unchanged := conditions.answer(ticket)) is not None:
        return unchanged
    definitions = await reads.custom_field_definitions([ticket])
    return ticket_view(ticket, ticket_values(ticket, definitions))


for method, as_query in (("GET", True), ("POST", False)):
    router.add_api_route(
        "/tickets_list.php",
        _list,
        methods=[method],
        response_model=TicketList,
        name=f"list_tickets_{method.lower()}",
        openapi_extra=_operation(UserEmailIn, query=as_query),
    )
    router.add_api_route(
        "/ticket_view.php",
        _view,
        methods=[method],
        response_model=TicketView,
        name=f"view_ticket_{method.lower()}",
        openapi_extra=_operation(TicketIn, query=as_query),
    )


@router.post("/ticket_reply.php", response_model=Replied, openapi_extra=_operation(ReplyIn))
@creates
async def reply(
    request: Request, principal: ReplierDep, conversation: TicketConversationDep
) -> Replied:
    """The customer's reply to one of their tickets."""
    body = await parse_params(request, ReplyIn)
    with customers_own_tickets():
        message = await conversation.add_message(
            principal, body.ticket_id, body.message, on_behalf_of=str(body.user_email)
        )
    return Replied(reply_id=message.id)
