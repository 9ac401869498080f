"""Housekeeping the worker runs on a schedule: auto-close, auto-assign, purge, cleanup.

Changes to tickets go through ``TicketTriage`` as the system, so they follow the same
rules, write the same activity rows and raise the same events as a person's would.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.core.enums import TicketStatus
from supportdesk.repositories.maintenance import MaintenanceRepository
from supportdesk.repositories.outbox import OutboxRepository
from supportdesk.repositories.tallies import TallyRepository
from supportdesk.repositories.tickets import TicketRepository
from supportdesk.services.settings import SettingsService
from supportdesk.services.tickets import TicketTriage

log = logging.getLogger(__name__)

# SupportDesk itself, acting on a schedule: sees every ticket, is no user.
SYSTEM = Principal.system()

PURGE_AFTER = timedelta(days=30)
PURGE_BATCH = 200
PUBLISHED_EVENTS_KEPT = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Purged:
    tickets: int
    files: set[str]


class MaintenanceService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repository = MaintenanceRepository(session)
        self.settings = SettingsService(session)
        self.tickets = TicketRepository(session)
        self.triage = TicketTriage(session)

    # ---------------------------------------------------------------- auto-close

    async def auto_close_cutoff(self, now: datetime) -> datetime | None:
        """Resolved tickets idle since before this are closed; None: auto-close is off."""
        days = await self.settings.get("sd_auto_close_days")
        if isinstance(days, bool) or not isinstance(days, int | float) or days <= 0:
            return None
        return now - timedelta(days=days)

    async def idle_resolved(self, cutoff: datetime) -> list[int]:
        return list(await self.repository.idle_resolved_ticket_ids(cutoff))

    async def close_if_idle(self, ticket_id: int, cutoff: datetime) -> bool:
        """Close one resolved ticket, unless it moved since it was found idle."""
        ticket = await self.tickets.get(SYSTEM, ticket_id)
        if ticket is None or ticket.status is not TicketStatus.RESOLVED:
            return False
        if ticket.last_activity_at >= cutoff:
            return False
        await self.triage.change_status(SYSTEM, ticket_id, TicketStatus.CLOSED)
        return True

    # ---------------------------------------------------------------- auto-assign

    async def auto_assign(self, ticket_id: int) -> int | None:
        """Give a new unassigned ticket to its project's least busy agent, when enabled."""
        if await self.settings.get("sd_enable_auto_assign") is not True:
            return None
        ticket = await self.tickets.get(SYSTEM, ticket_id)
        if ticket is None or ticket.assignee_id is not None or ticket.status.is_finished:
            return None
        agent_id = await self.repository.least_busy_agent(ticket.project_id)
        if agent_id is None:
            return None
        await self.triage.assign(SYSTEM, ticket_id, agent_id)
        return agent_id

    # ---------------------------------------------------------------- purge and cleanup

    async def purge_deleted(self, now: datetime) -> Purged:
        """Hard-delete one batch of tickets soft-deleted more than 30 days ago.

        Returns the storage keys no remaining attachment uses: the caller removes those
        files once the deletion is committed (a rolled-back purge keeps its files).
        """
        ids = await self.repository.deleted_ticket_ids(now - PURGE_AFTER, PURGE_BATCH)
        if not ids:
            return Purged(0, set())
        files = await self.repository.orphaned_storage_keys(ids)
        await self.repository.delete_tickets(ids)
        return Purged(len(ids), files)

    async def fold_tallies(self) -> None:
        await TallyRepository(self.session).compact()

    async def cleanup(self, now: datetime) -> tuple[int, int]:
        """Forget revoked tokens past their refresh window and events handled a week ago."""
        tokens = await self.repository.delete_revoked_tokens_expired_before(now)
        events = await OutboxRepository(self.session).delete_handled_before(
            now - PUBLISHED_EVENTS_KEPT
        )
        return tokens, events
