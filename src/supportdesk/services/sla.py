"""SLA clocks: when a ticket's first response and resolution are due (DESIGN.md §6).

The first-response clock runs from creation until the first public staff reply. The
resolution clock runs from creation (or the last reopening), pauses while the ticket
waits on the customer or is on hold, and stops at resolution; pauses push the due date
back by the business time they covered.

Clocks count business time: the SLA policy's calendar, else the project's, else none
(around the clock, as before calendars existed). Due dates are worked out once per
change (create, priority change, pause, resume, reopen) by walking the calendar's
openings (core/business_time.py) and stored as instants, so the minute's checks and the
overdue filter compare a column with the time, on the partial clock indexes. So are the
instants at which 80% of each target has passed.

The worker's check records each breach once (``record_breaches``): the flag, an
activity row and an ``sla.breached`` event, in one transaction; and each 80% warning
once per target (``record_warnings``): the flag and an ``sla.warning`` event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core.business_time import BusinessHours
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.core.events import EventType
from supportdesk.models import Activity, BusinessCalendar, SlaPolicy, Ticket
from supportdesk.repositories.business_calendars import BusinessCalendarRepository
from supportdesk.repositories.maintenance import BreachedTicket, MaintenanceRepository
from supportdesk.repositories.outbox import record_event
from supportdesk.repositories.sla import SlaPolicyRepository
from supportdesk.services.business_calendars import (
    AROUND_THE_CLOCK,
    CalendarDefinition,
    business_hours,
)


@dataclass(frozen=True, slots=True)
class SlaTargets:
    first_response_minutes: int
    resolution_minutes: int
    policy: SlaPolicy | None = None


# A warning goes out once this share of a target's business time has passed.
WARNING_PERCENT = 80

# The targets of the SupportDesk reference, used when no policy row applies.
DEFAULT_TARGETS: dict[Priority, SlaTargets] = {
    Priority.CRITICAL: SlaTargets(15, 2 * 60),
    Priority.HIGH: SlaTargets(60, 8 * 60),
    Priority.MEDIUM: SlaTargets(4 * 60, 24 * 60),
    Priority.LOW: SlaTargets(8 * 60, 80 * 60),
}


@dataclass(frozen=True, slots=True)
class SlaBreach:
    """A target that breached (or, from ``record_warnings``, reached its 80%)."""

    kind: str  # "first_response" or "resolution"
    ticket: BreachedTicket


class SlaService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.policies = SlaPolicyRepository(session)
        self.maintenance = MaintenanceRepository(session)
        self.calendars = BusinessCalendarRepository(session)

    async def record_breaches(self, now: datetime) -> list[SlaBreach]:
        """Flag the tickets whose first response or resolution became overdue.

        Each flag is set by a conditional UPDATE that only one transaction can win, so
        two checks running at once record each breach, its activity and its event once.
        """
        breaches = [
            SlaBreach("first_response", ticket)
            for ticket in await self.maintenance.mark_first_response_breaches(now)
        ] + [
            SlaBreach("resolution", ticket)
            for ticket in await self.maintenance.mark_resolution_breaches(now)
        ]
        for breach in breaches:
            what = "First response" if breach.kind == "first_response" else "Resolution"
            due = breach.ticket.due_at.isoformat()
            self.session.add(
                Activity(
                    ticket_id=breach.ticket.ticket_id,
                    action="sla_breached",
                    description=f"{what} SLA breached (due {due})",
                    changes={f"{breach.kind}_breached_at": [None, now.isoformat()]},
                    created_at=now,
                )
            )
            record_event(
                self.session,
                EventType.SLA_BREACHED,
                {
                    "ticket_id": breach.ticket.ticket_id,
                    "ticket_number": breach.ticket.ticket_number,
                    "project_id": breach.ticket.project_id,
                    "actor_id": None,
                    "kind": breach.kind,
                    "due_at": due,
                },
            )
        return breaches

    async def record_warnings(self, now: datetime) -> list[SlaBreach]:
        """Warn of the running clocks that reached 80% of their target: once per target,
        by a conditional UPDATE as for breaches."""
        warnings = [
            SlaBreach("first_response", ticket)
            for ticket in await self.maintenance.mark_first_response_warnings(now)
        ] + [
            SlaBreach("resolution", ticket)
            for ticket in await self.maintenance.mark_resolution_warnings(now)
        ]
        for warning in warnings:
            record_event(
                self.session,
                EventType.SLA_WARNING,
                {
                    "ticket_id": warning.ticket.ticket_id,
                    "ticket_number": warning.ticket.ticket_number,
                    "project_id": warning.ticket.project_id,
                    "actor_id": None,
                    "kind": warning.kind,
                    "due_at": warning.ticket.due_at.isoformat(),
                },
            )
        return warnings

    async def targets(self, project_id: int, priority: Priority) -> SlaTargets:
        policy = await self.policies.effective(project_id, priority)
        if policy is None:
            return DEFAULT_TARGETS[priority]
        return SlaTargets(policy.first_response_minutes, policy.resolution_minutes, policy)

    async def start(self, ticket: Ticket, now: datetime) -> None:
        """Start both clocks on a new ticket."""
        ticket.sla_started_at = now
        ticket.sla_paused_seconds = 0
        ticket.sla_paused_at = None
        await self._apply_targets(ticket, now)

    async def priority_changed(self, ticket: Ticket) -> None:
        """Recompute both due dates from creation under the new priority's targets."""
        await self._apply_targets(ticket, ticket.created_at)

    async def status_changed(
        self, ticket: Ticket, old: TicketStatus, new: TicketStatus, now: datetime
    ) -> None:
        if old == new:
            return
        if ticket.sla_paused_at is not None and not new.pauses_sla:
            await self._resume(ticket, now)
        if old.is_finished and not new.is_finished:
            # Reopened: the resolution clock starts again, and may warn and breach again.
            ticket.sla_started_at = now
            ticket.sla_paused_seconds = 0
            ticket.resolution_breached_at = None
            ticket.resolution_warned_at = None
            await self._apply_targets(ticket, ticket.created_at)
        if new.pauses_sla and ticket.sla_paused_at is None:
            ticket.sla_paused_at = now

    @staticmethod
    def first_response(ticket: Ticket, now: datetime) -> bool:
        """Stop the first-response clock; True if this was the first response."""
        if ticket.first_responded_at is not None:
            return False
        ticket.first_responded_at = now
        return True

    async def _resume(self, ticket: Ticket, now: datetime) -> None:
        """Count the pause out: the business time it covered moves the resolution dates.

        A resume outside business hours counts from the next opening. The due date keeps
        the business time that was left when the clock paused; its targets are not read
        again (a policy changed since applies to new tickets only).
        """
        paused_at = ticket.sla_paused_at
        assert paused_at is not None
        hours = await self._hours_of(ticket)
        if hours.always_open:
            paused = max(0, int((now - paused_at).total_seconds()))
        else:
            paused = hours.business_seconds(paused_at, now)
        ticket.sla_paused_seconds += paused
        ticket.resolution_due_at = _moved(hours, ticket.resolution_due_at, paused_at, now)
        ticket.resolution_warns_at = _moved(hours, ticket.resolution_warns_at, paused_at, now)
        ticket.sla_paused_at = None

    async def _apply_targets(self, ticket: Ticket, created_at: datetime) -> None:
        # The targets and the calendar do not depend on the change being made: reading
        # them must not flush it, or a changed ticket is written twice (and its version,
        # its ETag, moves twice).
        with self.session.no_autoflush:
            targets = await self.targets(ticket.project_id, ticket.priority)
            calendar = await self._calendar(ticket, targets.policy)
        hours = business_hours(calendar)
        started = ticket.sla_started_at or created_at
        first_response = targets.first_response_minutes * 60
        resolution = targets.resolution_minutes * 60
        paused = ticket.sla_paused_seconds
        ticket.sla_policy = targets.policy
        ticket.business_calendar = calendar
        ticket.business_calendar_id = calendar.id if calendar is not None else None
        ticket.first_response_due_at = hours.due(created_at, first_response)
        ticket.resolution_due_at = hours.due(started, resolution + paused)
        ticket.first_response_warns_at = hours.due(created_at, _warning_point(first_response))
        ticket.resolution_warns_at = hours.due(started, _warning_point(resolution) + paused)

    async def _calendar(self, ticket: Ticket, policy: SlaPolicy | None) -> BusinessCalendar | None:
        """The policy's calendar, else the project's, else none (around the clock)."""
        calendar_id = policy.business_calendar_id if policy is not None else None
        if calendar_id is None:
            if "project" in inspect(ticket).unloaded or ticket.project is None:
                calendar_id = await self.calendars.project_calendar_id(ticket.project_id)
            else:
                calendar_id = ticket.project.business_calendar_id
        return await self.calendars.get(calendar_id) if calendar_id is not None else None

    async def _hours_of(self, ticket: Ticket) -> BusinessHours:
        """The working time the ticket's due dates were counted in."""
        if ticket.business_calendar_id is None:
            return AROUND_THE_CLOCK
        return business_hours(await self.calendars.get(ticket.business_calendar_id))


def _warning_point(seconds: int) -> int:
    """Business seconds into a target at which it is warned of."""
    return seconds * WARNING_PERCENT // 100


def _moved(
    hours: BusinessHours, instant: datetime | None, paused_at: datetime, now: datetime
) -> datetime | None:
    """A due instant after a pause from ``paused_at`` to ``now``: the business time that
    was left before it is counted from ``now``. One already past when the clock paused
    stays where it was."""
    if instant is None:
        return None
    if hours.always_open:
        return instant + timedelta(seconds=max(0, int((now - paused_at).total_seconds())))
    if instant <= paused_at:
        return instant
    return hours.due(now, hours.business_seconds(paused_at, instant))


@dataclass(frozen=True, slots=True)
class TargetStanding:
    """Where one target stands for a reader: business seconds left (none once its clock
    stopped, zero once due) and whether its clock is paused."""

    due_at: datetime | None
    remaining_business_seconds: int | None
    paused: bool


@dataclass(frozen=True, slots=True)
class SlaStanding:
    first_response: TargetStanding
    resolution: TargetStanding


class ClockedTicket(Protocol):
    """What a ticket's standing is read from: the ticket, or a read's view of it."""

    @property
    def status(self) -> TicketStatus: ...
    @property
    def first_response_due_at(self) -> datetime | None: ...
    @property
    def resolution_due_at(self) -> datetime | None: ...
    @property
    def first_responded_at(self) -> datetime | None: ...
    @property
    def sla_paused_at(self) -> datetime | None: ...


def standing(
    ticket: ClockedTicket, calendar: CalendarDefinition | None, now: datetime
) -> SlaStanding:
    """Each target's business time left, counted in the calendar the ticket's due dates
    were counted in (its pause, if paused: the time left when the clock stopped)."""
    hours = business_hours(calendar)
    finished = ticket.status.is_finished

    def left(due: datetime | None, since: datetime) -> int | None:
        return hours.business_seconds(since, due) if due is not None else None

    answering = ticket.first_responded_at is None and not finished
    paused_at = ticket.sla_paused_at
    return SlaStanding(
        first_response=TargetStanding(
            ticket.first_response_due_at,
            left(ticket.first_response_due_at, now) if answering else None,
            paused=False,
        ),
        resolution=TargetStanding(
            ticket.resolution_due_at,
            None if finished else left(ticket.resolution_due_at, paused_at or now),
            paused=paused_at is not None and not finished,
        ),
    )
