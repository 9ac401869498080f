"""A ticket's messages: list, and reply or note as staff (seed 000)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.deps import TicketConversationDep, TicketReadsDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.fields import TICKET_FIELDS, renamed_fields
from supportdesk.api.internal.schemas import Envelope, ListEnvelope, listed, one
from supportdesk.api.internal.ticket_schemas import MessageIn, MessageOut, message_out
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.enums import MessageType

router = APIRouter(tags=["internal"], route_class=InternalRoute)


@router.get("/tickets/{ticket_id}/messages", response_model=ListEnvelope[MessageOut])
async def list_messages(
    ticket_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.MESSAGES_LIST)],
    reads: TicketReadsDep,
    page: PageDep,
) -> ListEnvelope[MessageOut]:
    """List a ticket's messages, oldest first, internal notes included."""
    found = await reads.messages_page(principal, ticket_id, page)
    return listed(found, message_out)


@router.post(
    "/tickets/{ticket_id}/messages",
    response_model=Envelope[MessageOut],
    status_code=status.HTTP_201_CREATED,
)
async def create_message(
    ticket_id: PathId,
    body: MessageIn,
    principal: Annotated[Principal, require_scope(Scope.MESSAGES_CREATE)],
    conversation: TicketConversationDep,
) -> Envelope[MessageOut]:
    """Reply on a ticket, or add an internal note with is_internal."""
    message_type = MessageType.NOTE if body.is_internal else MessageType.REPLY
    with renamed_fields(TICKET_FIELDS):
        message = await conversation.add_message(principal, ticket_id, body.content, message_type)
    return one(message_out(message))
