"""A ticket's messages seen one by one (the REST API's conversations).

Reading goes through the ticket visibility rules; writing goes through the ticket rules
(``TicketConversation.add_message``): a conversation is only another view of a message.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import MessageType
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.models import Message
from supportdesk.repositories.rest_lists import ConversationRepository, MessageFilters
from supportdesk.repositories.tickets import TicketRepository
from supportdesk.services.attachments import AttachmentStorage
from supportdesk.services.tickets import TicketConversation


@dataclass(frozen=True, slots=True)
class NewConversation:
    ticket_id: int
    content: str
    type: MessageType = MessageType.REPLY
    internal: bool = False

    @property
    def message_type(self) -> MessageType:
        """An internal conversation is a note, whatever type it was given."""
        if self.type is MessageType.SYSTEM:
            raise ValidationFailed.field("type", "Only SupportDesk writes system messages.")
        return MessageType.NOTE if self.internal else self.type


class ConversationService:
    def __init__(self, session: AsyncSession, storage: AttachmentStorage) -> None:
        self.session = session
        self.conversations = ConversationRepository(session)
        self.tickets = TicketRepository(session)
        self.ticket_rules = TicketConversation(session, storage)

    async def page(
        self, principal: Principal, filters: MessageFilters, request: CursorRequest
    ) -> CursorPage[Message]:
        principal.require(Scope.MESSAGES_LIST)
        if (
            filters.ticket_id is not None
            and await self.tickets.get(principal, filters.ticket_id) is None
        ):
            raise NotFound("Ticket not found.")
        return await self.conversations.list_page(principal, filters, request)

    async def get(self, principal: Principal, message_id: int) -> Message:
        principal.require(Scope.MESSAGES_LIST)
        message = await self.conversations.get(principal, message_id)
        if message is None:
            raise NotFound("Conversation not found.")
        return message

    async def create(self, principal: Principal, new: NewConversation) -> Message:
        return await self.ticket_rules.add_message(
            principal, new.ticket_id, new.content, new.message_type
        )
