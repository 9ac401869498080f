from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select

from supportdesk.models import BusinessCalendar, Project, SlaPolicy
from supportdesk.repositories.base import Repository


class BusinessCalendarRepository(Repository):
    def listing(self) -> Select[BusinessCalendar]:
        return select(BusinessCalendar).order_by(BusinessCalendar.name, BusinessCalendar.id)

    async def get(self, calendar_id: int) -> BusinessCalendar | None:
        """By id; a calendar the session already holds (joined into a ticket) costs nothing."""
        return await self.session.get(BusinessCalendar, calendar_id)

    async def exists(self, calendar_id: int) -> bool:
        return await self.get(calendar_id) is not None

    async def project_calendar_id(self, project_id: int) -> int | None:
        return await self.session.scalar(
            select(Project.business_calendar_id).where(Project.id == project_id)
        )

    async def users(self, calendar_id: int) -> tuple[Sequence[int], Sequence[int]]:
        """The ids of the projects and of the SLA policies that name the calendar."""
        projects = await self.session.scalars(
            select(Project.id)
            .where(Project.business_calendar_id == calendar_id)
            .order_by(Project.id)
        )
        policies = await self.session.scalars(
            select(SlaPolicy.id)
            .where(SlaPolicy.business_calendar_id == calendar_id)
            .order_by(SlaPolicy.id)
        )
        return projects.all(), policies.all()

    def add(self, calendar: BusinessCalendar) -> None:
        self.session.add(calendar)

    async def delete(self, calendar: BusinessCalendar) -> None:
        # Tickets counted in it keep their due dates; their link is cleared (SET NULL).
        await self.session.delete(calendar)
        await self.session.flush()
