"""SLA clocks (DESIGN.md §6), through SlaService on tickets held in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from supportdesk.core.db import Database
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.models import SlaPolicy, Ticket
from supportdesk.services.sla import SlaService
from tests.factories import Factory

CREATED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ticket(priority: Priority = Priority.MEDIUM, project_id: int = 1) -> Ticket:
    return Ticket(
        project_id=project_id,
        priority=priority,
        status=TicketStatus.OPEN,
        created_at=CREATED,
        sla_paused_seconds=0,
    )


@pytest.mark.parametrize(
    ("priority", "first_response", "resolution"),
    [
        (Priority.CRITICAL, timedelta(minutes=15), timedelta(hours=2)),
        (Priority.HIGH, timedelta(hours=1), timedelta(hours=8)),
        (Priority.MEDIUM, timedelta(hours=4), timedelta(hours=24)),
        (Priority.LOW, timedelta(hours=8), timedelta(hours=80)),
    ],
)
async def test_a_new_ticket_is_due_by_the_global_policy_of_its_priority(
    database: Database, priority: Priority, first_response: timedelta, resolution: timedelta
) -> None:
    ticket = _ticket(priority)
    async with database.transaction() as session:
        await SlaService(session).start(ticket, CREATED)

    assert ticket.first_response_due_at == CREATED + first_response
    assert ticket.resolution_due_at == CREATED + resolution
    assert ticket.sla_policy is not None and ticket.sla_policy.project_id is None


async def test_a_project_policy_overrides_the_global_one(database: Database, make: Factory) -> None:
    project = await make.project()
    ticket = _ticket(Priority.HIGH, project.id)
    async with database.transaction() as session:
        session.add(
            SlaPolicy(
                project_id=project.id,
                priority=Priority.HIGH,
                first_response_minutes=10,
                resolution_minutes=100,
            )
        )
        await session.flush()
        await SlaService(session).start(ticket, CREATED)

    assert ticket.first_response_due_at == CREATED + timedelta(minutes=10)
    assert ticket.resolution_due_at == CREATED + timedelta(minutes=100)


async def test_without_any_policy_the_reference_defaults_apply(database: Database) -> None:
    ticket = _ticket(Priority.CRITICAL)
    async with database.transaction() as session:
        await session.execute(delete(SlaPolicy))
        await SlaService(session).start(ticket, CREATED)

    assert ticket.sla_policy is None
    assert ticket.first_response_due_at == CREATED + timedelta(minutes=15)
    assert ticket.resolution_due_at == CREATED + timedelta(hours=2)


@pytest.mark.parametrize("waiting", [TicketStatus.PENDING_CUSTOMER, TicketStatus.ON_HOLD])
async def test_waiting_pauses_the_resolution_clock_and_resuming_moves_it_back(
    database: Database, waiting: TicketStatus
) -> None:
    ticket = _ticket(Priority.MEDIUM)
    async with database.transaction() as session:
        sla = SlaService(session)
        await sla.start(ticket, CREATED)
        await sla.status_changed(ticket, TicketStatus.OPEN, waiting, CREATED + timedelta(hours=1))
        await sla.status_changed(ticket, waiting, TicketStatus.OPEN, CREATED + timedelta(hours=4))

    assert ticket.sla_paused_at is None
    assert ticket.sla_paused_seconds == 3 * 3600
    assert ticket.resolution_due_at == CREATED + timedelta(hours=24 + 3)
    assert ticket.first_response_due_at == CREATED + timedelta(hours=4)


async def test_resolving_a_waiting_ticket_counts_the_wait_as_paused(database: Database) -> None:
    ticket = _ticket()
    async with database.transaction() as session:
        sla = SlaService(session)
        await sla.start(ticket, CREATED)
        await sla.status_changed(
            ticket, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, CREATED + timedelta(hours=2)
        )
        await sla.status_changed(
            ticket,
            TicketStatus.PENDING_CUSTOMER,
            TicketStatus.RESOLVED,
            CREATED + timedelta(hours=3),
        )

    assert ticket.sla_paused_seconds == 3600
    assert ticket.sla_paused_at is None


async def test_reopening_restarts_the_resolution_clock(database: Database) -> None:
    ticket = _ticket(Priority.HIGH)
    reopened = CREATED + timedelta(days=2)
    async with database.transaction() as session:
        sla = SlaService(session)
        await sla.start(ticket, CREATED)
        ticket.resolution_breached_at = CREATED + timedelta(hours=9)
        await sla.status_changed(
            ticket, TicketStatus.OPEN, TicketStatus.RESOLVED, CREATED + timedelta(hours=10)
        )
        await sla.status_changed(ticket, TicketStatus.RESOLVED, TicketStatus.OPEN, reopened)

    assert ticket.resolution_due_at == reopened + timedelta(hours=8)
    assert ticket.resolution_breached_at is None
    assert ticket.first_response_due_at == CREATED + timedelta(hours=1)


async def test_a_priority_change_recomputes_both_due_dates_from_creation(
    database: Database,
) -> None:
    ticket = _ticket(Priority.LOW)
    async with database.transaction() as session:
        sla = SlaService(session)
        await sla.start(ticket, CREATED)
        await sla.status_changed(
            ticket, TicketStatus.OPEN, TicketStatus.ON_HOLD, CREATED + timedelta(hours=1)
        )
        await sla.status_changed(
            ticket, TicketStatus.ON_HOLD, TicketStatus.OPEN, CREATED + timedelta(hours=2)
        )
        ticket.priority = Priority.CRITICAL
        await sla.priority_changed(ticket)

    assert ticket.first_response_due_at == CREATED + timedelta(minutes=15)
    assert ticket.resolution_due_at == CREATED + timedelta(hours=2 + 1)
    assert ticket.sla_policy is not None and ticket.sla_policy.priority is Priority.CRITICAL


def test_only_the_first_response_stops_the_first_response_clock() -> None:
    ticket = _ticket()
    first = CREATED + timedelta(minutes=5)

    assert SlaService.first_response(ticket, first) is True
    assert SlaService.first_response(ticket, CREATED + timedelta(minutes=9)) is False
    assert ticket.first_responded_at == first
