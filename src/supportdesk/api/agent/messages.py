"""A ticket's conversation: its messages, the agent's replies, and likes."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from supportdesk.api.agent.deps import AgentDep, PerPage
from supportdesk.api.agent.errors import AgentRoute
from supportdesk.api.agent.fields import agent_field_names
from supportdesk.api.agent.schemas import (
    AgentEnvelope,
    AgentLike,
    AgentMessage,
    AgentPage,
    AgentReplyIn,
    like_out,
    message_out,
    paged,
)
from supportdesk.api.bodies import json_body, parse_json
from supportdesk.api.deps import MessageLikeServiceDep, TicketConversationDep, TicketReadsDep
from supportdesk.api.types import PageNumber, PathId
from supportdesk.core.enums import MessageType
from supportdesk.core.pagination import PageRequest

router = APIRouter(prefix="/tickets/{ticket_id}/messages", tags=["agent"], route_class=AgentRoute)


@router.get("", response_model=AgentPage[AgentMessage])
async def list_messages(
    ticket_id: PathId,
    principal: AgentDep,
    reads: TicketReadsDep,
    likes: MessageLikeServiceDep,
    page: PageNumber = 1,
    per_page: PerPage = 30,
) -> AgentPage[AgentMessage]:
    """The conversation, oldest first; internal notes included, with each message's likes."""
    found = await reads.messages_page(principal, ticket_id, PageRequest(page, per_page))
    liked = await likes.of_messages(principal, found.items)
    return paged(found, lambda message: message_out(message, liked.get(message.id)))


@router.post(
    "",
    response_model=AgentEnvelope[AgentMessage],
    status_code=status.HTTP_201_CREATED,
    openapi_extra=json_body(AgentReplyIn),
)
async def reply(
    ticket_id: PathId, request: Request, principal: AgentDep, conversation: TicketConversationDep
) -> AgentEnvelope[AgentMessage]:
    """Reply to the customer, or add an internal note; a locked ticket takes neither (403)."""
    body = await parse_json(request, AgentReplyIn)
    kind = MessageType.NOTE if body.is_internal else MessageType.REPLY
    with agent_field_names():
        message = await conversation.add_message(principal, ticket_id, body.content, kind)
    return AgentEnvelope(data=message_out(message))


@router.post("/{message_id}/like", response_model=AgentEnvelope[AgentLike])
async def toggle_like(
    ticket_id: PathId, message_id: PathId, principal: AgentDep, likes: MessageLikeServiceDep
) -> AgentEnvelope[AgentLike]:
    """Like a message of the ticket, or take the like back; returns the new count."""
    return AgentEnvelope(data=like_out(await likes.toggle(principal, ticket_id, message_id)))
