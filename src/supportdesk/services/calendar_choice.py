"""The one check of a calendar that a project or an SLA policy names."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core.errors import ValidationFailed
from supportdesk.repositories.business_calendars import BusinessCalendarRepository


async def checked_calendar_id(session: AsyncSession, calendar_id: int | None) -> int | None:
    """None (no calendar of its own), or the id of an existing calendar."""
    if calendar_id is not None and not await BusinessCalendarRepository(session).exists(
        calendar_id
    ):
        raise ValidationFailed.field(
            "business_calendar_id", "The selected business calendar id is invalid."
        )
    return calendar_id
