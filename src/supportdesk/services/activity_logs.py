"""The activity log: every change made through any surface, newest first."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Activity
from supportdesk.repositories.activities import ActivityRepository
from supportdesk.repositories.paging import fetch_page


class ActivityLogService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.activities = ActivityRepository(session)

    async def list_page(self, principal: Principal, page: PageRequest) -> Page[Activity]:
        """Activities with the user who acted (none for keys and the system)."""
        principal.require(Scope.ACTIVITY_LOGS_LIST)
        return await fetch_page(self.session, self.activities.listing(), page)
