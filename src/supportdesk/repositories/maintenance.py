"""The worker's queries: SLA breaches, idle and deleted tickets, expired rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from supportdesk.core.enums import Role, TicketStatus
from supportdesk.models import Activity, Attachment, ProjectAgent, RevokedToken, Ticket, User
from supportdesk.models.ticket import (
    FIRST_RESPONSE_CLOCK_RUNS,
    FIRST_RESPONSE_WARNING_PENDING,
    RESOLUTION_CLOCK_RUNS,
    RESOLUTION_WARNING_PENDING,
)
from supportdesk.repositories.base import Repository, not_deleted

_FINISHED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class BreachedTicket:
    ticket_id: int
    ticket_number: str
    project_id: int
    due_at: datetime


def first_response_overdue(at: datetime) -> ColumnElement[bool]:
    """Not answered by staff by its due date: the clock runs until the ticket is finished.

    Stated in the words of ix_tickets_first_response_clock, so the check reads only
    tickets whose clock runs (and bound parameters cannot hide that from the planner).
    """
    return and_(FIRST_RESPONSE_CLOCK_RUNS, Ticket.first_response_due_at < at)


def resolution_overdue(at: datetime) -> ColumnElement[bool]:
    """Past its resolution date while the clock runs (not paused, not finished)."""
    return and_(RESOLUTION_CLOCK_RUNS, Ticket.resolution_due_at < at)


class MaintenanceRepository(Repository):
    async def mark_first_response_breaches(self, at: datetime) -> Sequence[BreachedTicket]:
        """Flag every newly overdue first response; a flagged ticket is never returned again.

        The flag is set by a conditional UPDATE: of two checks running at once, the
        second finds the row already flagged (PostgreSQL re-reads it after the first
        commits), so each breach is recorded once.
        """
        return await self._mark(
            Ticket.first_response_breached_at,
            Ticket.first_response_due_at,
            first_response_overdue(at),
            at,
        )

    async def mark_resolution_breaches(self, at: datetime) -> Sequence[BreachedTicket]:
        return await self._mark(
            Ticket.resolution_breached_at, Ticket.resolution_due_at, resolution_overdue(at), at
        )

    async def mark_first_response_warnings(self, at: datetime) -> Sequence[BreachedTicket]:
        """Flag every running first-response clock that reached its warning instant, once.

        In the words of ix_tickets_first_response_warning: only clocks not yet warned of.
        """
        return await self._mark(
            Ticket.first_response_warned_at,
            Ticket.first_response_due_at,
            and_(FIRST_RESPONSE_WARNING_PENDING, Ticket.first_response_warns_at <= at),
            at,
        )

    async def mark_resolution_warnings(self, at: datetime) -> Sequence[BreachedTicket]:
        return await self._mark(
            Ticket.resolution_warned_at,
            Ticket.resolution_due_at,
            and_(RESOLUTION_WARNING_PENDING, Ticket.resolution_warns_at <= at),
            at,
        )

    async def _mark(
        self,
        flag: InstrumentedAttribute[datetime | None],
        due: InstrumentedAttribute[datetime | None],
        overdue: ColumnElement[bool],
        at: datetime,
    ) -> Sequence[BreachedTicket]:
        rows = await self.session.execute(
            update(Ticket)
            .where(flag.is_(None), not_deleted(Ticket), overdue)
            # A bulk UPDATE passes the mapper by: the version moves on here.
            .values({flag.key: at, Ticket.version.key: Ticket.version + 1})
            .returning(Ticket.id, Ticket.ticket_number, Ticket.project_id, due)
            .execution_options(synchronize_session=False)
        )
        # A due date is set whenever a clock runs; the overdue condition compared it.
        breached = [
            BreachedTicket(ticket_id, number, project_id, due_at)
            for ticket_id, number, project_id, due_at in rows.all()
            if due_at is not None
        ]
        return sorted(breached, key=lambda breach: breach.ticket_id)

    async def idle_resolved_ticket_ids(self, before: datetime) -> Sequence[int]:
        """Resolved tickets nobody has touched since ``before``."""
        return (
            await self.session.scalars(
                select(Ticket.id)
                .where(
                    Ticket.status == TicketStatus.RESOLVED,
                    Ticket.last_activity_at < before,
                    not_deleted(Ticket),
                )
                .order_by(Ticket.id)
            )
        ).all()

    async def least_busy_agent(self, project_id: int) -> int | None:
        """The project's active agent with the fewest open tickets.

        Ties go to whoever was assigned a ticket longest ago (never comes first), then to
        the lowest id, so the choice is stable.
        """
        open_tickets = (
            select(func.count(Ticket.id))
            .where(
                Ticket.assignee_id == User.id,
                Ticket.status.not_in(_FINISHED),
                not_deleted(Ticket),
            )
            .correlate(User)
            .scalar_subquery()
        )
        last_assigned = (
            select(func.max(Activity.created_at))
            .where(
                Activity.action == "assigned",
                Activity.changes[("assignee_id", 1)].as_integer() == User.id,
            )
            .correlate(User)
            .scalar_subquery()
        )
        return await self.session.scalar(
            select(User.id)
            .join(ProjectAgent, ProjectAgent.user_id == User.id)
            .where(
                ProjectAgent.project_id == project_id,
                User.role == Role.AGENT,
                User.is_active.is_(True),
                not_deleted(User),
            )
            .order_by(open_tickets, last_assigned.asc().nulls_first(), User.id)
            .limit(1)
        )

    async def deleted_ticket_ids(self, before: datetime, limit: int) -> Sequence[int]:
        return (
            await self.session.scalars(
                select(Ticket.id).where(Ticket.deleted_at < before).order_by(Ticket.id).limit(limit)
            )
        ).all()

    async def orphaned_storage_keys(self, ticket_ids: Sequence[int]) -> set[str]:
        """Storage keys of these tickets' attachments that no other ticket's file shares."""
        keys = set(
            (
                await self.session.scalars(
                    select(Attachment.storage_key)
                    .where(Attachment.ticket_id.in_(ticket_ids))
                    .distinct()
                )
            ).all()
        )
        if not keys:
            return keys
        shared = (
            await self.session.scalars(
                select(Attachment.storage_key)
                .where(Attachment.storage_key.in_(keys), Attachment.ticket_id.not_in(ticket_ids))
                .distinct()
            )
        ).all()
        return keys - set(shared)

    async def delete_tickets(self, ticket_ids: Sequence[int]) -> None:
        """Delete tickets for good; their messages, files' rows, activities and notifications
        go with them (ON DELETE CASCADE)."""
        await self.session.execute(
            delete(Ticket)
            .where(Ticket.id.in_(ticket_ids))
            .execution_options(synchronize_session=False)
        )

    async def delete_revoked_tokens_expired_before(self, at: datetime) -> int:
        result = await self.session.execute(
            delete(RevokedToken).where(RevokedToken.expires_at < at).returning(RevokedToken.jti)
        )
        return len(result.all())
