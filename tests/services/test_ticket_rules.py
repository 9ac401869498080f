"""The ticket rules (DESIGN.md §6), asserted once, on the service classes themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from supportdesk.auth.principal import Principal
from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, MessageType, Priority, TicketStatus
from supportdesk.core.errors import CustomerMismatch, Forbidden
from supportdesk.models import Activity, ApiKey, Message, OutboxEvent, Project, Ticket, User
from supportdesk.services.tickets import (
    NewTicket,
    TicketChanges,
    TicketConversation,
    TicketIntake,
    TicketReads,
    TicketTriage,
)
from tests.factories import Factory
from tests.support import FrozenClock, attachment_storage, stored


async def _as(session: AsyncSession, user: User) -> Principal:
    """The user's principal, with the account loaded in this session."""
    row = await session.get(User, user.id)
    assert row is not None
    return Principal.for_user(row)


async def _as_key(session: AsyncSession, key_id: int) -> Principal:
    # As authentication loads it: with the user the key acts as.
    row = await session.get(ApiKey, key_id, options=[selectinload(ApiKey.user)])
    assert row is not None
    return Principal.for_internal_key(row)


async def _open(
    database: Database,
    settings: Settings,
    by: User,
    project: Project,
    priority: Priority | None = None,
) -> Ticket:
    async with database.transaction() as session:
        return await TicketIntake(session, attachment_storage(settings)).create(
            await _as(session, by),
            NewTicket(
                project_id=project.id,
                subject="Cannot upload photos",
                description="Nothing happens.",
                priority=priority,
            ),
        )


async def _set_status(
    database: Database, agent: User, ticket_id: int, status: TicketStatus
) -> None:
    async with database.transaction() as session:
        await TicketTriage(session).change_status(await _as(session, agent), ticket_id, status)


async def _reply(
    database: Database,
    settings: Settings,
    by: User,
    ticket_id: int,
    message_type: MessageType = MessageType.REPLY,
) -> Message:
    async with database.transaction() as session:
        return await TicketConversation(session, attachment_storage(settings)).add_message(
            await _as(session, by), ticket_id, "Any news?", message_type
        )


async def _message_count(database: Database, ticket_id: int) -> int:
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(Message).where(Message.ticket_id == ticket_id)
        )
        return int(count or 0)


def _same_instant(stored: datetime | None, expected: datetime) -> bool:
    """Equal instants, whether or not the database handed the time zone back."""
    assert stored is not None
    if stored.tzinfo is None:
        return stored == expected.replace(tzinfo=None)
    return stored == expected


@pytest.fixture
async def project(make: Factory) -> Project:
    return await make.project("Rules", slug="rules", ticket_prefix="RULE")


@pytest.fixture
async def agent(make: Factory, project: Project) -> User:
    return await make.user("agent", projects=[project.id])


@pytest.fixture
async def customer(make: Factory) -> User:
    return await make.user("customer", email="ada@example.test")


@pytest.fixture
async def ticket(
    database: Database,
    settings: Settings,
    customer: User,
    project: Project,
    frozen_clock: FrozenClock,
) -> Ticket:
    """A customer's own open ticket, opened at the frozen instant."""
    return await _open(database, settings, customer, project)


# ---------------------------------------------------------------------- numbers


async def test_numbers_are_consecutive_per_project_and_formatted_prefix_year_serial(
    database: Database,
    settings: Settings,
    make: Factory,
    project: Project,
    customer: User,
    frozen_clock: FrozenClock,
) -> None:
    other = await make.project("Other", slug="other", ticket_prefix="OTHR")

    numbers = [
        (await _open(database, settings, customer, where)).ticket_number
        for where in (project, project, other, project, other)
    ]

    assert numbers == [
        "RULE-2026-00001",
        "RULE-2026-00002",
        "OTHR-2026-00001",
        "RULE-2026-00003",
        "OTHR-2026-00002",
    ]


# ---------------------------------------------------------------------- SLA


async def test_a_priority_change_recomputes_both_due_dates_from_creation(
    database: Database,
    settings: Settings,
    agent: User,
    project: Project,
    frozen_clock: FrozenClock,
) -> None:
    created = frozen_clock.now()
    opened = await _open(database, settings, agent, project, Priority.LOW)
    frozen_clock.advance(hours=3)

    async with database.transaction() as session:
        await TicketTriage(session).update(
            await _as(session, agent),
            opened.id,
            TicketChanges(frozenset({"priority"}), priority=Priority.CRITICAL),
        )

    row = await stored(database, Ticket, opened.id)
    assert row.priority is Priority.CRITICAL
    assert _same_instant(row.first_response_due_at, created + timedelta(minutes=15))
    assert _same_instant(row.resolution_due_at, created + timedelta(hours=2))


# ---------------------------------------------------------------------- status moves


async def test_assigning_an_open_ticket_moves_it_to_in_progress(
    database: Database, agent: User, ticket: Ticket
) -> None:
    async with database.transaction() as session:
        await TicketTriage(session).assign(await _as(session, agent), ticket.id, agent.id)

    row = await stored(database, Ticket, ticket.id)
    assert (row.status, row.assignee_id) == (TicketStatus.IN_PROGRESS, agent.id)


@pytest.mark.parametrize("waiting", [TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED])
async def test_a_customer_reply_reopens_a_ticket_waiting_on_them_or_resolved(
    database: Database,
    settings: Settings,
    agent: User,
    customer: User,
    ticket: Ticket,
    waiting: TicketStatus,
) -> None:
    await _set_status(database, agent, ticket.id, waiting)

    await _reply(database, settings, customer, ticket.id)

    assert (await stored(database, Ticket, ticket.id)).status is TicketStatus.OPEN


async def test_a_staff_reply_leaves_a_ticket_pending_on_the_customer(
    database: Database, settings: Settings, agent: User, ticket: Ticket
) -> None:
    await _set_status(database, agent, ticket.id, TicketStatus.PENDING_CUSTOMER)

    await _reply(database, settings, agent, ticket.id)

    assert (await stored(database, Ticket, ticket.id)).status is TicketStatus.PENDING_CUSTOMER


# ---------------------------------------------------------------------- replies


async def test_a_locked_ticket_takes_no_reply(
    database: Database, settings: Settings, agent: User, customer: User, ticket: Ticket
) -> None:
    async with database.transaction() as session:
        await TicketTriage(session).update(
            await _as(session, agent),
            ticket.id,
            TicketChanges(frozenset({"is_locked"}), is_locked=True),
        )

    with pytest.raises(Forbidden):
        await _reply(database, settings, customer, ticket.id)

    assert await _message_count(database, ticket.id) == 0


async def test_internal_notes_are_hidden_from_the_customers_read(
    database: Database, settings: Settings, agent: User, customer: User, ticket: Ticket
) -> None:
    await _reply(database, settings, agent, ticket.id, MessageType.NOTE)
    await _reply(database, settings, agent, ticket.id)

    # One session each: a session's identity map would hand both the first read's ticket.
    async with database.transaction() as session:
        reads = TicketReads(session, attachment_storage(settings))
        as_customer = await reads.get(await _as(session, customer), ticket.id)
    async with database.transaction() as session:
        reads = TicketReads(session, attachment_storage(settings))
        as_staff = await reads.get(await _as(session, agent), ticket.id)

    assert [message.type for message in as_customer.messages] == [MessageType.REPLY]
    assert sorted(str(message.type) for message in as_staff.messages) == ["note", "reply"]


async def test_acting_for_an_email_that_is_not_the_tickets_customer_is_refused(
    database: Database, settings: Settings, make: Factory, ticket: Ticket
) -> None:
    key = await make.api_key(ApiKeyType.INTERNAL, scopes=["messages:create"])

    with pytest.raises(CustomerMismatch):
        async with database.transaction() as session:
            await TicketConversation(session, attachment_storage(settings)).add_message(
                await _as_key(session, key.api_key.id),
                ticket.id,
                "I am someone else.",
                on_behalf_of="mallory@example.test",
            )

    assert await _message_count(database, ticket.id) == 0


# ---------------------------------------------------------------------- who may change what


async def test_a_customer_cannot_change_the_priority_of_their_own_ticket(
    database: Database, customer: User, ticket: Ticket
) -> None:
    with pytest.raises(Forbidden) as refused:
        async with database.transaction() as session:
            await TicketTriage(session).update(
                await _as(session, customer),
                ticket.id,
                TicketChanges(frozenset({"priority"}), priority=Priority.CRITICAL),
            )

    assert refused.value.message.startswith("Only staff")
    assert (await stored(database, Ticket, ticket.id)).priority is ticket.priority


async def test_an_internal_key_holding_only_tickets_update_may_change_the_priority(
    database: Database, make: Factory, ticket: Ticket
) -> None:
    key = await make.api_key(ApiKeyType.INTERNAL, scopes=["tickets:update"])

    async with database.transaction() as session:
        await TicketTriage(session).update(
            await _as_key(session, key.api_key.id),
            ticket.id,
            TicketChanges(frozenset({"priority"}), priority=Priority.CRITICAL),
        )

    assert (await stored(database, Ticket, ticket.id)).priority is Priority.CRITICAL


# ---------------------------------------------------------------------- the trail


Change = Callable[[AsyncSession, Settings, Principal, int], Awaitable[Any]]

CHANGES: dict[str, tuple[Change, set[str], set[str]]] = {
    "reword": (
        lambda db, cfg, p, t: TicketTriage(db).update(
            p, t, TicketChanges(frozenset({"subject"}), subject="Photos still fail")
        ),
        {"updated"},
        {"ticket.updated"},
    ),
    "reprioritise": (
        lambda db, cfg, p, t: TicketTriage(db).update(
            p, t, TicketChanges(frozenset({"priority"}), priority=Priority.HIGH)
        ),
        {"updated", "priority_changed"},
        {"ticket.updated", "ticket.priority_changed"},
    ),
    "change the status": (
        lambda db, cfg, p, t: TicketTriage(db).change_status(p, t, TicketStatus.ON_HOLD),
        {"status_changed"},
        {"ticket.status_changed"},
    ),
    "assign": (
        lambda db, cfg, p, t: TicketTriage(db).assign(p, t, p.user_id),
        {"assigned", "status_changed"},
        {"ticket.assigned", "ticket.status_changed"},
    ),
    "reply": (
        lambda db, cfg, p, t: TicketConversation(db, attachment_storage(cfg)).add_message(
            p, t, "Hi"
        ),
        {"message_added"},
        {"ticket.replied"},
    ),
    "add a note": (
        lambda db, cfg, p, t: TicketConversation(db, attachment_storage(cfg)).add_message(
            p, t, "Hmm", MessageType.NOTE
        ),
        {"note_added"},
        {"ticket.note_added"},
    ),
    "delete": (
        lambda db, cfg, p, t: TicketTriage(db).delete(p, t),
        {"deleted"},
        {"ticket.deleted"},
    ),
}


async def _trail(database: Database, ticket_id: int) -> tuple[list[Activity], list[OutboxEvent]]:
    async with database.transaction() as session:
        activities = await session.scalars(
            select(Activity).where(Activity.ticket_id == ticket_id).order_by(Activity.id)
        )
        events = await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
        return list(activities), [
            event for event in events if event.payload.get("ticket_id") == ticket_id
        ]


@pytest.mark.parametrize("change", list(CHANGES))
async def test_every_change_writes_an_activity_row_and_an_outbox_event(
    database: Database,
    settings: Settings,
    make: Factory,
    project: Project,
    ticket: Ticket,
    change: str,
) -> None:
    admin = await make.user("admin")
    act, actions, event_types = CHANGES[change]
    activities_before, events_before = await _trail(database, ticket.id)

    async with database.transaction() as session:
        await act(session, settings, await _as(session, admin), ticket.id)

    activities, events = await _trail(database, ticket.id)
    new_activities = activities[len(activities_before) :]
    new_events = events[len(events_before) :]
    assert {activity.action for activity in new_activities} == actions
    assert {activity.user_id for activity in new_activities} == {admin.id}
    assert {event.event_type for event in new_events} == event_types
    assert len(new_events) == len(new_activities)


async def test_the_activity_row_says_who_changed_what_from_before_to_after(
    database: Database, agent: User, ticket: Ticket
) -> None:
    async with database.transaction() as session:
        await TicketTriage(session).update(
            await _as(session, agent),
            ticket.id,
            TicketChanges(frozenset({"priority"}), priority=Priority.LOW),
        )

    activities, _ = await _trail(database, ticket.id)
    [row] = [activity for activity in activities if activity.action == "priority_changed"]
    assert (row.user_id, row.changes) == (agent.id, {"priority": ["medium", "low"]})
