"""`supportdesk seed-demo`: a demo help desk that follows the ticket rules, written in bulk.

The seeding runs on the suite's database (SQLite, or PostgreSQL with COPY), in chunks
smaller than the tickets asked for, so that numbering carries over from chunk to chunk.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.cli import main
from supportdesk.core.db import Database
from supportdesk.core.enums import MessageType, Priority, Role, SenderType, TicketStatus
from supportdesk.demo.generate import (
    DEMO_PASSWORD,
    DemoPlan,
    Existing,
    plan_setup,
    ticket_batches,
)
from supportdesk.demo.writer import SeedSummary, seed_demo
from supportdesk.models import Message, Project, ProjectAgent, Ticket, TicketCounter, User
from supportdesk.services.sla import SlaService
from tests.factories import Factory
from tests.support import FrozenClock

TICKETS = 200


async def seed(database: Database, tickets: int = TICKETS) -> SeedSummary:
    return await seed_demo(database, tickets=tickets, projects=5, seed=1, chunk_size=64)


async def all_tickets(database: Database) -> list[Ticket]:
    async with database.transaction() as session:
        return list(await session.scalars(select(Ticket).order_by(Ticket.id)))


async def test_seeding_writes_the_tickets_asked_for_in_every_status_and_priority(
    database: Database, frozen_clock: FrozenClock
) -> None:
    summary = await seed(database)

    tickets = await all_tickets(database)
    assert len(tickets) == TICKETS == summary.rows["tickets"]
    assert {ticket.status for ticket in tickets} == set(TicketStatus)
    assert {ticket.priority for ticket in tickets} == set(Priority)
    unassigned = sum(ticket.assignee_id is None for ticket in tickets) / len(tickets)
    assert 0.15 < unassigned < 0.5
    assert all(ticket.created_at <= frozen_clock.now() for ticket in tickets)


async def test_tickets_are_numbered_per_project_and_year_without_gaps(
    database: Database, frozen_clock: FrozenClock
) -> None:
    await seed(database)

    async with database.transaction() as session:
        prefixes = dict((await session.execute(select(Project.id, Project.ticket_prefix))).all())
        counters = await session.scalars(select(TicketCounter))
        last_numbers = {(c.project_id, c.year): c.last_number for c in counters}
    numbers: dict[tuple[int, int], list[int]] = defaultdict(list)
    for ticket in await all_tickets(database):
        numbers[(ticket.project_id, ticket.year)].append(ticket.number)
        assert ticket.year == ticket.created_at.year
        prefix = prefixes[ticket.project_id]
        assert ticket.ticket_number == f"{prefix}-{ticket.year}-{ticket.number:05d}"
    assert len(numbers) > 5  # several projects, over more than one year
    for key, used in numbers.items():
        assert used == list(range(1, len(used) + 1)), key  # in creation (id) order
    assert last_numbers == {key: len(used) for key, used in numbers.items()}


async def test_a_ticket_opened_after_seeding_continues_its_project_numbering(
    client: AsyncClient, database: Database, make: Factory, frozen_clock: FrozenClock
) -> None:
    await seed(database)
    year = frozen_clock.now().year
    async with database.transaction() as session:
        project_id, last = (
            await session.execute(
                select(Ticket.project_id, func.max(Ticket.number))
                .where(Ticket.year == year)
                .group_by(Ticket.project_id)
                .order_by(func.max(Ticket.number).desc())
                .limit(1)
            )
        ).one()
        prefix = await session.scalar(select(Project.ticket_prefix).where(Project.id == project_id))
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        json={"project_id": project_id, "subject": "After the demo", "description": "Hello."},
        headers=make.auth(customer),
    )

    assert response.status_code == 201, response.text
    assert response.json()["ticket"]["ticket_number"] == f"{prefix}-{year}-{last + 1:05d}"


async def test_seeding_twice_appends_new_projects_and_users(
    database: Database, frozen_clock: FrozenClock
) -> None:
    first = await seed(database, 60)

    second = await seed(database, 60)

    async with database.transaction() as session:
        tickets = await session.scalar(select(func.count()).select_from(Ticket))
        projects = await session.scalar(select(func.count()).select_from(Project))
    assert tickets == 120
    assert projects == 1 + 5 + 5  # the default project and two demo runs
    assert first.emails["agent"][-1] == "agent3@demo.supportdesk.test"
    assert second.emails["agent"][0] == "agent4@demo.supportdesk.test"
    assert second.emails["customer"][0] == "customer6@demo.supportdesk.test"


async def test_demo_users_log_in_with_the_demo_password(
    client: AsyncClient, database: Database, frozen_clock: FrozenClock
) -> None:
    summary = await seed(database, 40)

    for kind, role in (("admin", Role.ADMIN), ("agent", Role.AGENT), ("customer", Role.CUSTOMER)):
        email = summary.emails[kind][0]
        response = await client.post(
            "/api/auth/login", json={"email": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, (email, response.text)
        assert response.json()["user"]["role"] == role.value


async def test_assignees_work_in_the_ticket_s_project_or_are_admins(
    database: Database, frozen_clock: FrozenClock
) -> None:
    await seed(database)

    async with database.transaction() as session:
        members = set(
            (await session.execute(select(ProjectAgent.project_id, ProjectAgent.user_id))).all()
        )
        roles = dict((await session.execute(select(User.id, User.role))).all())
    for ticket in await all_tickets(database):
        if ticket.assignee_id is not None:
            assert (
                roles[ticket.assignee_id] is Role.ADMIN
                or (ticket.project_id, ticket.assignee_id) in members
            ), ticket.ticket_number
        assert roles[ticket.customer_id] is Role.CUSTOMER  # type: ignore[index]


async def test_ticket_times_follow_their_status_and_conversation(
    database: Database, frozen_clock: FrozenClock
) -> None:
    await seed(database)

    async with database.transaction() as session:
        messages = list(await session.scalars(select(Message).order_by(Message.id)))
    staff_replies: dict[int, list[Message]] = defaultdict(list)
    for message in messages:
        if message.type is MessageType.REPLY and message.sender_type is SenderType.STAFF:
            staff_replies[message.ticket_id].append(message)
    for ticket in await all_tickets(database):
        finished = ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        assert (ticket.resolved_at is not None) is finished, ticket.ticket_number
        assert (ticket.closed_at is not None) is (ticket.status is TicketStatus.CLOSED)
        assert (ticket.sla_paused_at is not None) is ticket.status.pauses_sla
        replies = staff_replies[ticket.id]
        if replies:
            assert ticket.first_responded_at == replies[0].created_at
            assert [reply.is_first_response for reply in replies] == [True] + [False] * (
                len(replies) - 1
            )
        else:
            assert ticket.first_responded_at is None
        assert ticket.created_at <= ticket.last_activity_at <= frozen_clock.now()


async def test_the_sla_check_finds_no_breach_left_to_flag(
    database: Database, frozen_clock: FrozenClock
) -> None:
    await seed(database)

    async with database.transaction() as session:
        breaches = await SlaService(session).record_breaches(frozen_clock.now())

    assert breaches == []
    tickets = await all_tickets(database)
    assert any(ticket.first_response_breached_at is not None for ticket in tickets)
    assert any(ticket.resolution_breached_at is not None for ticket in tickets)


def test_the_same_seed_generates_the_same_rows() -> None:
    def rows(seed: int) -> list[object]:
        plan = DemoPlan(
            tickets=150,
            projects=4,
            seed=seed,
            now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            password_hash="hash",
            chunk_size=40,
        )
        existing = Existing(max_ids={"users": 1, "projects": 1})
        setup = plan_setup(plan, existing)
        batches = [setup.batch, *ticket_batches(plan, setup, existing)]
        return [(batch.rows, batch.counters) for batch in batches]

    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_the_command_migrates_creates_the_first_admin_and_prints_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SUPPORTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("SUPPORTDESK_SECRET_KEY", "a-secret-key-for-the-seed-demo-command-test")
    monkeypatch.setenv("SUPPORTDESK_BOOTSTRAP_ADMIN_PASSWORD", "an-admin-password")

    assert main(["seed-demo", "--tickets", "30", "--projects", "2", "--seed", "3"]) == 0

    output = capsys.readouterr()
    assert "30 tickets" in output.out
    assert f"password '{DEMO_PASSWORD}'" in output.out
    assert "30/30 tickets" in output.err  # the progress bar
    with closing(sqlite3.connect(tmp_path / "demo.db")) as connection:
        roles = dict(connection.execute("SELECT email, role FROM users").fetchall())
        tickets = connection.execute("SELECT count(*) FROM tickets").fetchone()
    assert roles["admin@support.local"] == "super_admin"
    assert tickets == (30,)
