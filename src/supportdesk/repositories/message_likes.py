"""Agents' likes on ticket messages."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import case, delete, func, select

from supportdesk.auth.principal import Principal
from supportdesk.core import clock
from supportdesk.models import Message, MessageLike, Ticket
from supportdesk.repositories.base import Repository, not_deleted
from supportdesk.repositories.dialect import insert_for
from supportdesk.repositories.visibility import visibility


@dataclass(frozen=True, slots=True)
class Likes:
    count: int = 0
    liked: bool = False  # by the user asking


class MessageLikeRepository(Repository):
    async def message_of_ticket(
        self, principal: Principal, ticket_id: int, message_id: int
    ) -> int | None:
        """The id of a message of a ticket the principal can see, else None."""
        return await self.session.scalar(
            select(Message.id)
            .join(Ticket, Ticket.id == Message.ticket_id)
            .where(
                Message.id == message_id,
                Message.ticket_id == ticket_id,
                not_deleted(Ticket),
                visibility(principal),
            )
        )

    async def unlike(self, message_id: int, user_id: int) -> bool:
        """Remove the user's like; True if there was one."""
        result = await self.session.execute(
            delete(MessageLike).where(
                MessageLike.message_id == message_id, MessageLike.user_id == user_id
            )
        )
        return bool(getattr(result, "rowcount", 0))

    async def like(self, message_id: int, user_id: int) -> None:
        # A like sent twice at once is one like, not a conflict.
        await self.session.execute(
            insert_for(self.session, MessageLike)
            .values(message_id=message_id, user_id=user_id, created_at=clock.now())
            .on_conflict_do_nothing()
        )

    async def count(self, message_id: int) -> int:
        counted = (
            select(func.count())
            .select_from(MessageLike)
            .where(MessageLike.message_id == message_id)
        )
        return int(await self.session.scalar(counted) or 0)

    async def of_messages(self, message_ids: Collection[int], user_id: int) -> dict[int, Likes]:
        """Each message's like count and whether ``user_id`` liked it, in one statement."""
        if not message_ids:
            return {}
        rows = await self.session.execute(
            select(
                MessageLike.message_id,
                func.count(),
                func.max(case((MessageLike.user_id == user_id, 1), else_=0)),
            )
            .where(MessageLike.message_id.in_(list(message_ids)))
            .group_by(MessageLike.message_id)
        )
        return {message_id: Likes(int(count), bool(mine)) for message_id, count, mine in rows}
