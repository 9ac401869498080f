"""Conversations (seed 002): a ticket's replies, internal notes and system lines."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from supportdesk.api.deps import ConversationServiceDep
from supportdesk.api.rest.deps import PrincipalDep, require_scope
from supportdesk.api.rest.errors import RestRoute
from supportdesk.api.rest.schemas import (
    ConversationEnvelope,
    ConversationIn,
    ConversationPage,
    OrderDir,
    Prefix,
    TimeOrder,
    conversation_out,
    field_id,
    meta,
    path_id,
)
from supportdesk.api.rest.text import plain_text
from supportdesk.api.rest.tickets import Cursor, Limit
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorRequest
from supportdesk.core.enums import MessageType
from supportdesk.services.conversations import NewConversation
from supportdesk.services.filters import MessageFilters

router = APIRouter(prefix="/conversations", tags=["rest"], route_class=RestRoute)

Reader = Annotated[Principal, require_scope(Scope.MESSAGES_LIST)]
# A reply needs replies:create, a note notes:create: the body's type decides, so the
# ticket rules check it (services/tickets/conversation.py).
Poster = PrincipalDep


@router.get("", response_model=ConversationPage)
async def list_conversations(
    principal: Reader,
    conversations: ConversationServiceDep,
    ticket_id: Annotated[str | None, Query(max_length=32)] = None,
    type_: Annotated[Literal["reply", "note", "system"] | None, Query(alias="type")] = None,
    internal: bool | None = None,
    order_by: TimeOrder = "created_at",
    order_dir: OrderDir = "asc",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ConversationPage:
    """Messages of the tickets the caller can see, oldest first; notes for staff only."""
    filters = MessageFilters(
        ticket_id=field_id(Prefix.TICKET, ticket_id, "ticket_id") if ticket_id else None,
        type=MessageType(type_) if type_ else None,
        internal=internal,
    )
    request = CursorRequest(order_by, order_dir == "desc", limit, cursor)
    page = await conversations.page(principal, filters, request)
    return ConversationPage(
        data=[conversation_out(message, plain_text(message.body)) for message in page.items],
        meta=meta(page),
    )


@router.post("", response_model=ConversationEnvelope, status_code=status.HTTP_201_CREATED)
async def create_conversation(
    body: ConversationIn, principal: Poster, conversations: ConversationServiceDep
) -> ConversationEnvelope:
    """Reply to a ticket, or add an internal note with ``internal: true``."""
    new = NewConversation(
        ticket_id=field_id(Prefix.TICKET, body.ticket_id, "ticket_id"),
        content=body.content,
        type=MessageType(body.type),
        internal=body.internal,
    )
    message = await conversations.create(principal, new)
    return ConversationEnvelope(data=conversation_out(message, plain_text(message.body)))


@router.get("/{conversation_id}", response_model=ConversationEnvelope)
async def get_conversation(
    conversation_id: str, principal: Reader, conversations: ConversationServiceDep
) -> ConversationEnvelope:
    """Read a message of a ticket the caller can see; notes are for staff only."""
    message = await conversations.get(principal, path_id(Prefix.CONVERSATION, conversation_id))
    return ConversationEnvelope(data=conversation_out(message, plain_text(message.body)))
