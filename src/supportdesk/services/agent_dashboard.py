"""An agent's dashboard: what waits for them among the tickets assigned to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.core import clock
from supportdesk.core.errors import Forbidden
from supportdesk.models import User
from supportdesk.repositories.agent_dashboard import AgentDashboardRepository, DashboardCounts


def timezone_of(user: User) -> tzinfo:
    """The user's own time zone when they set a valid one, else UTC."""
    if user.timezone:
        try:
            return ZoneInfo(user.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def local_day(at: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC bounds [start, end) of the calendar day ``at`` falls on in ``zone``."""
    local = at.astimezone(zone)
    start = datetime(local.year, local.month, local.day, tzinfo=zone)
    # The next midnight by the calendar, not 24 hours on: a DST day is 23 or 25 long.
    following = start.date() + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


class AgentDashboardService:
    def __init__(self, session: AsyncSession) -> None:
        self.dashboard = AgentDashboardRepository(session)

    async def counts(self, principal: Principal) -> DashboardCounts:
        """The caller's figures; "today" is the caller's day, in their time zone."""
        agent = principal.user
        if agent is None:
            raise Forbidden()
        day_start, day_end = local_day(clock.now(), timezone_of(agent))
        return await self.dashboard.counts(agent.id, day_start, day_end)
