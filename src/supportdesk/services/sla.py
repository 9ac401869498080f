"""SLA clocks: when a ticket's first response and resolution are due (DESIGN.md §6).

The first-response clock runs from creation until the first public staff reply. The
resolution clock runs from creation (or the last reopening), pauses while the ticket
waits on the customer or is on hold, and stops at resolution; pauses push the due date
back by their length.

A breach is recorded once, by the worker's check (``record_breaches``): the flag, an
activity row and an ``sla.breached`` event, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.core.events import EventType
from supportdesk.models import Activity, SlaPolicy, Ticket
from supportdesk.repositories.maintenance import BreachedTicket, MaintenanceRepository
from supportdesk.repositories.outbox import record_event
from supportdesk.repositories.sla import SlaPolicyRepository


@dataclass(frozen=True, slots=True)
class SlaTargets:
    first_response_minutes: int
    resolution_minutes: int
    policy: SlaPolicy | None = None


# The targets of the SupportDesk reference, used when no policy row applies.
DEFAULT_TARGETS: dict[Priority, SlaTargets] = {
    Priority.CRITICAL: SlaTargets(15, 2 * 60),
    Priority.HIGH: SlaTargets(60, 8 * 60),
    Priority.MEDIUM: SlaTargets(4 * 60, 24 * 60),
    Priority.LOW: SlaTargets(8 * 60, 80 * 60),
}


@dataclass(frozen=True, slots=True)
class SlaBreach:
    kind: str  # "first_response" or "resolution"
    ticket: BreachedTicket


class SlaService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.policies = SlaPolicyRepository(session)
        self.maintenance = MaintenanceRepository(session)

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
            self._resume(ticket, now)
        if old.is_finished and not new.is_finished:
            # Reopened: the resolution clock starts again, and may breach again.
            ticket.sla_started_at = now
            ticket.sla_paused_seconds = 0
            ticket.resolution_breached_at = None
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

    @staticmethod
    def _resume(ticket: Ticket, now: datetime) -> None:
        assert ticket.sla_paused_at is not None
        paused = max(0, int((now - ticket.sla_paused_at).total_seconds()))
        ticket.sla_paused_seconds += paused
        if ticket.resolution_due_at is not None:
            ticket.resolution_due_at += timedelta(seconds=paused)
        ticket.sla_paused_at = None

    async def _apply_targets(self, ticket: Ticket, created_at: datetime) -> None:
        targets = await self.targets(ticket.project_id, ticket.priority)
        started = ticket.sla_started_at or created_at
        ticket.sla_policy = targets.policy
        ticket.first_response_due_at = created_at + timedelta(
            minutes=targets.first_response_minutes
        )
        ticket.resolution_due_at = started + timedelta(
            minutes=targets.resolution_minutes, seconds=ticket.sla_paused_seconds
        )
