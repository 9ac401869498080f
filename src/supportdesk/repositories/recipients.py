"""Who hears of a ticket's events: its project's staff, its leads, its watchers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from supportdesk.models import Message, ProjectAgent, Ticket, User, Watcher
from supportdesk.repositories.base import Repository, not_deleted


def _reachable() -> tuple[ColumnElement[bool], ...]:
    return (User.is_active.is_(True), not_deleted(User))


class RecipientRepository(Repository):
    async def ticket(self, ticket_id: int) -> Ticket | None:
        """A live ticket with the people an event about it may concern."""
        return await self.session.scalar(
            select(Ticket)
            .where(Ticket.id == ticket_id, not_deleted(Ticket))
            .options(joinedload(Ticket.assignee), joinedload(Ticket.customer))
        )

    async def user(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def message(self, message_id: int) -> Message | None:
        return await self.session.get(Message, message_id)

    async def project_staff(self, project_id: int, *, leads_only: bool = False) -> Sequence[User]:
        query = (
            select(User)
            .join(ProjectAgent, ProjectAgent.user_id == User.id)
            .where(ProjectAgent.project_id == project_id, *_reachable())
            .order_by(User.id)
        )
        if leads_only:
            query = query.where(ProjectAgent.is_lead.is_(True))
        users = (await self.session.scalars(query)).all()
        return [user for user in users if user.is_staff]

    async def watchers(self, ticket_id: int) -> Sequence[User]:
        return (
            await self.session.scalars(
                select(User)
                .join(Watcher, Watcher.user_id == User.id)
                .where(Watcher.ticket_id == ticket_id, *_reachable())
                .order_by(User.id)
            )
        ).all()
