"""SLA clocks in business hours: due dates counted in a project's or a policy's calendar.

Each case stores a calendar, gives it to a project, and starts a ticket's clocks at a
given instant (the clock moved there), through SlaService on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from supportdesk.core.db import Database
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.models import BusinessCalendar, SlaPolicy, Ticket
from supportdesk.services.sla import SlaService
from tests.factories import Factory

NINE_TO_FIVE = [("09:00", "17:00")]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
EVERY_DAY = (*WEEKDAYS, "saturday", "sunday")


@dataclass(frozen=True)
class Calendar:
    timezone: str = "Europe/Berlin"
    intervals: list[tuple[str, str]] = field(default_factory=lambda: NINE_TO_FIVE)
    days: tuple[str, ...] = WEEKDAYS
    holidays: list[dict[str, Any]] = field(default_factory=list)
    country: str | None = None

    def row(self, name: str = "Office hours") -> BusinessCalendar:
        return BusinessCalendar(
            name=name,
            timezone=self.timezone,
            is_24x7=False,
            hours={day: [{"start": s, "end": e} for s, e in self.intervals] for day in self.days},
            holidays=self.holidays,
            country=self.country,
        )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def _project_with(database: Database, make: Factory, calendar: Calendar, minutes: int) -> int:
    """A project counting in ``calendar``, whose medium tickets get ``minutes`` for both
    targets' first response and twice that for resolution."""
    async with database.transaction() as session:
        row = calendar.row()
        session.add(row)
        await session.flush()
        calendar_id = row.id
    project = await make.project(business_calendar_id=calendar_id)
    async with database.transaction() as session:
        session.add(
            SlaPolicy(
                project_id=project.id,
                priority=Priority.MEDIUM,
                first_response_minutes=minutes,
                resolution_minutes=minutes * 2,
            )
        )
    return project.id


def _ticket(project_id: int, created: datetime, priority: Priority = Priority.MEDIUM) -> Ticket:
    return Ticket(
        project_id=project_id,
        priority=priority,
        status=TicketStatus.OPEN,
        created_at=created,
        sla_paused_seconds=0,
    )


CASES = {
    "created inside hours": (Calendar(), utc(2026, 3, 2, 9, 0), 240, utc(2026, 3, 2, 13, 0)),
    "created at night": (Calendar(), utc(2026, 3, 2, 2, 0), 240, utc(2026, 3, 2, 12, 0)),
    "created on Friday evening, due after the weekend": (
        Calendar(),
        utc(2026, 3, 6, 17, 0),
        240,
        utc(2026, 3, 9, 12, 0),
    ),
    "a holiday in between": (
        Calendar(holidays=[{"date": "2026-03-03", "name": "Closed", "yearly": False}]),
        utc(2026, 3, 2, 14, 0),
        240,
        utc(2026, 3, 4, 10, 0),
    ),
    "a yearly holiday": (
        Calendar(holidays=[{"date": "2019-03-03", "name": "Founders' day", "yearly": True}]),
        utc(2026, 3, 2, 14, 0),
        240,
        utc(2026, 3, 4, 10, 0),
    ),
    "a country's imported holidays (Good Friday, Easter Monday)": (
        Calendar(country="DE"),
        utc(2026, 4, 2, 13, 0),
        240,
        utc(2026, 4, 7, 9, 0),
    ),
    "intervals split by a lunch break": (
        Calendar(intervals=[("09:00", "12:30"), ("13:30", "18:00")]),
        utc(2026, 3, 2, 10, 0),
        240,
        utc(2026, 3, 2, 15, 0),
    ),
    "an overnight interval": (
        Calendar(timezone="UTC", intervals=[("22:00", "06:00")], days=EVERY_DAY),
        utc(2026, 3, 2, 12, 0),
        9 * 60,
        utc(2026, 3, 3, 23, 0),
    ),
    "spring forward in Europe/Berlin: 09:00-17:00 is 8 hours": (
        Calendar(days=EVERY_DAY),
        utc(2026, 3, 29, 7, 0),
        8 * 60,
        utc(2026, 3, 29, 15, 0),
    ),
    "fall back in Europe/Berlin: 09:00-17:00 is 8 hours": (
        Calendar(days=EVERY_DAY),
        utc(2026, 10, 25, 8, 0),
        8 * 60,
        utc(2026, 10, 25, 16, 0),
    ),
    "spring forward in America/New_York: 09:00-17:00 is 8 hours": (
        Calendar(timezone="America/New_York", days=EVERY_DAY),
        utc(2026, 3, 8, 13, 0),
        8 * 60,
        utc(2026, 3, 8, 21, 0),
    ),
    "fall back in America/New_York: 09:00-17:00 is 8 hours": (
        Calendar(timezone="America/New_York", days=EVERY_DAY),
        utc(2026, 11, 1, 14, 0),
        8 * 60,
        utc(2026, 11, 1, 22, 0),
    ),
    "Asia/Kolkata (half-hour offset) serving a ticket created in UTC": (
        Calendar(timezone="Asia/Kolkata", intervals=[("09:00", "18:00")]),
        utc(2026, 3, 2, 2, 0),
        240,
        utc(2026, 3, 2, 7, 30),
    ),
}


@pytest.mark.parametrize(("calendar", "created", "minutes", "due"), CASES.values(), ids=list(CASES))
async def test_the_first_response_is_due_after_its_business_time(
    database: Database,
    make: Factory,
    calendar: Calendar,
    created: datetime,
    minutes: int,
    due: datetime,
) -> None:
    project_id = await _project_with(database, make, calendar, minutes)
    ticket = _ticket(project_id, created)
    async with database.transaction() as session:
        await SlaService(session).start(ticket, created)

    assert ticket.first_response_due_at == due
    assert ticket.business_calendar_id is not None


async def test_a_pause_in_hours_resumed_outside_them_counts_on_at_the_next_opening(
    database: Database, make: Factory
) -> None:
    project_id = await _project_with(database, make, Calendar(), 4 * 60)  # resolution 8 h
    created = utc(2026, 3, 2, 8, 0)  # Monday 09:00 in Berlin
    ticket = _ticket(project_id, created)
    async with database.transaction() as session:
        sla = SlaService(session)
        await sla.start(ticket, created)
        paused, resumed = utc(2026, 3, 2, 10, 0), utc(2026, 3, 2, 19, 0)  # 11:00, 20:00
        await sla.status_changed(ticket, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, paused)
        await sla.status_changed(ticket, TicketStatus.PENDING_CUSTOMER, TicketStatus.OPEN, resumed)

    # Two hours counted before the pause; six left from Tuesday 09:00.
    assert ticket.resolution_due_at == utc(2026, 3, 3, 14, 0)
    assert ticket.sla_paused_seconds == 6 * 3600


async def test_a_priority_change_mid_way_recounts_from_creation_in_business_time(
    database: Database, make: Factory
) -> None:
    async with database.transaction() as session:
        row = Calendar().row()
        session.add(row)
        await session.flush()
        calendar_id = row.id
    project = await make.project(business_calendar_id=calendar_id)
    created = utc(2026, 3, 2, 8, 0)  # Monday 09:00 in Berlin
    ticket = _ticket(project.id, created, Priority.MEDIUM)  # global: 4 h / 24 h
    async with database.transaction() as session:
        sla = SlaService(session)
        await sla.start(ticket, created)
        medium_resolution = ticket.resolution_due_at
        ticket.priority = Priority.HIGH  # global: 1 h / 8 h
        await sla.priority_changed(ticket)

    assert medium_resolution == utc(2026, 3, 4, 16, 0)  # three 8-hour days
    assert ticket.first_response_due_at == utc(2026, 3, 2, 9, 0)
    assert ticket.resolution_due_at == utc(2026, 3, 2, 16, 0)


async def test_a_reopened_ticket_gets_its_full_resolution_time_from_the_reopening(
    database: Database, make: Factory
) -> None:
    project_id = await _project_with(database, make, Calendar(), 12 * 60)  # resolution 24 h
    created = utc(2026, 3, 2, 8, 0)
    ticket = _ticket(project_id, created)
    async with database.transaction() as session:
        sla = SlaService(session)
        await sla.start(ticket, created)
        await sla.status_changed(
            ticket, TicketStatus.OPEN, TicketStatus.RESOLVED, utc(2026, 3, 2, 11, 0)
        )
        reopened = utc(2026, 3, 3, 15, 0)  # Tuesday 16:00 in Berlin
        await sla.status_changed(ticket, TicketStatus.RESOLVED, TicketStatus.OPEN, reopened)

    # Tuesday 1 h, Wednesday 8 h, Thursday 8 h, Friday 7 h.
    assert ticket.resolution_due_at == utc(2026, 3, 6, 15, 0)


async def test_an_sla_policy_calendar_overrides_the_project_calendar(
    database: Database, make: Factory
) -> None:
    project_id = await _project_with(database, make, Calendar(), 240)
    async with database.transaction() as session:
        around_the_clock = Calendar(timezone="UTC", intervals=[("00:00", "24:00")], days=EVERY_DAY)
        row = around_the_clock.row("Around the clock")
        session.add(row)
        await session.flush()
        policy = await session.get(SlaPolicy, await _policy_id(session, project_id))
        assert policy is not None
        policy.business_calendar_id = row.id
    created = utc(2026, 3, 6, 17, 0)  # Friday 18:00 in Berlin
    ticket = _ticket(project_id, created)
    async with database.transaction() as session:
        await SlaService(session).start(ticket, created)

    assert ticket.first_response_due_at == created + timedelta(hours=4)


async def _policy_id(session: Any, project_id: int) -> int:
    from sqlalchemy import select

    found = await session.scalar(select(SlaPolicy.id).where(SlaPolicy.project_id == project_id))
    assert found is not None
    return int(found)


async def test_without_a_calendar_the_clocks_run_around_the_clock(
    database: Database, make: Factory
) -> None:
    project = await make.project()
    created = utc(2026, 3, 6, 17, 0)
    ticket = _ticket(project.id, created)
    async with database.transaction() as session:
        await SlaService(session).start(ticket, created)

    assert ticket.business_calendar_id is None
    assert ticket.first_response_due_at == created + timedelta(hours=4)
    assert ticket.first_response_warns_at == created + timedelta(hours=4) * 0.8
