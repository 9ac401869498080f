"""Reading one's own in-app notifications (the worker writes them from events)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.core import clock
from supportdesk.core.errors import Forbidden, NotFound
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Notification
from supportdesk.repositories.notifications import NotificationRepository


def _user_id(principal: Principal) -> int:
    # Notifications belong to people; a key acting for nobody has none.
    if principal.user_id is None:
        raise Forbidden()
    return principal.user_id


class NotificationService:
    def __init__(self, session: AsyncSession) -> None:
        self.notifications = NotificationRepository(session)

    async def list_page(self, principal: Principal, page: PageRequest) -> Page[Notification]:
        """The caller's notifications, newest first; those about a ticket the caller
        cannot open (an agent's key sees only the agent's assigned tickets) are left out."""
        return await self.notifications.page_of(principal, _user_id(principal), page)

    async def unread_count(self, principal: Principal) -> int:
        return await self.notifications.unread_count(principal, _user_id(principal))

    async def mark_read(self, principal: Principal, notification_id: int) -> Notification:
        """Mark one of the caller's notifications read; anyone else's does not exist."""
        notification = await self.notifications.get_own(
            principal, _user_id(principal), notification_id
        )
        if notification is None:
            raise NotFound("Notification not found.")
        if not notification.is_read:
            # Read once: a second mark keeps the time it was first read.
            notification.is_read = True
            notification.read_at = clock.now()
        return notification
