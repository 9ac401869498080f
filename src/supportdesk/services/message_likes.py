"""Likes on ticket messages: an agent marks the replies worth keeping."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.core.errors import Forbidden, NotFound
from supportdesk.models import Message
from supportdesk.repositories.message_likes import Likes, MessageLikeRepository


class MessageLikeService:
    def __init__(self, session: AsyncSession) -> None:
        self.likes = MessageLikeRepository(session)

    async def toggle(self, principal: Principal, ticket_id: int, message_id: int) -> Likes:
        """Like the message, or take the like back; the message must be of that ticket."""
        if principal.user_id is None:
            raise Forbidden()
        found = await self.likes.message_of_ticket(principal, ticket_id, message_id)
        if found is None:
            raise NotFound("Message not found.")
        liked = not await self.likes.unlike(message_id, principal.user_id)
        if liked:
            await self.likes.like(message_id, principal.user_id)
        return Likes(count=await self.likes.count(message_id), liked=liked)

    async def of_messages(
        self, principal: Principal, messages: Sequence[Message]
    ) -> dict[int, Likes]:
        """Each message's like count and whether the caller liked it (one statement).

        For messages the caller was shown; a message nobody liked is missing from the map.
        """
        user_id = principal.user_id if principal.user_id is not None else 0
        return await self.likes.of_messages([message.id for message in messages], user_id)
