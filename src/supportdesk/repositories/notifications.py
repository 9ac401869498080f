"""Users' in-app notifications: one user's list, unread count and read marks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from supportdesk.auth.principal import Principal
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Notification, Ticket
from supportdesk.repositories.base import Repository, not_deleted
from supportdesk.repositories.dialect import insert_for
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.visibility import visibility


def _seen_by(principal: Principal, user_id: int) -> ColumnElement[bool]:
    """The user's notifications about nothing in particular, or about a ticket the
    principal can open: a key sees its agent's notices only for the tickets it sees."""
    visible_tickets = select(Ticket.id).where(not_deleted(Ticket), visibility(principal))
    return (Notification.user_id == user_id) & or_(
        Notification.ticket_id.is_(None), Notification.ticket_id.in_(visible_tickets)
    )


class NotificationRepository(Repository):
    async def page_of(
        self, principal: Principal, user_id: int, page: PageRequest
    ) -> Page[Notification]:
        """A user's notifications, newest first, the total counted alongside.

        Ordered by id (served by ix_notifications_user_id_id): rows are inserted as
        events arrive, so the newest has the highest id.
        """
        statement = (
            select(Notification)
            .where(_seen_by(principal, user_id))
            .order_by(Notification.id.desc())
        )
        return await fetch_page(self.session, statement, page)

    async def unread_count(self, principal: Principal, user_id: int) -> int:
        counted = (
            select(func.count())
            .select_from(Notification)
            .where(_seen_by(principal, user_id), Notification.is_read.is_(False))
        )
        return int(await self.session.scalar(counted) or 0)

    async def get_own(
        self, principal: Principal, user_id: int, notification_id: int
    ) -> Notification | None:
        """One of the user's notifications; another user's is as good as missing."""
        return await self.session.scalar(
            select(Notification).where(
                Notification.id == notification_id, _seen_by(principal, user_id)
            )
        )

    async def add_once(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert notifications, skipping any (event, user) pair already notified.

        Events are delivered at least once: the unique (event_id, user_id) index turns a
        second delivery into nothing. Returns how many rows were new.
        """
        if not rows:
            return 0
        result = await self.session.execute(
            insert_for(self.session, Notification)
            .values(list(rows))
            .on_conflict_do_nothing(index_elements=["event_id", "user_id"])
            .returning(Notification.id)
        )
        return len(result.all())
