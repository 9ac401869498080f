"""List totals: added up from the tallies the database keeps, equal to counting tickets.

Every list of every surface shows its total through TicketRepository.total; these tests
hold it to the count of the tickets the list would show, for each kind of principal and
each filter, after creates, changes of every tallied column, deletes and restores.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from supportdesk.auth.principal import Principal
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Priority, TicketStatus
from supportdesk.models import Project, Ticket, TicketTally, User
from supportdesk.repositories.tallies import TallyRepository
from supportdesk.repositories.tickets import TicketFilters, TicketRepository
from tests.factories import Factory
from tests.support import StatementCounter, ticket_rows

FILTERS = {
    "none": TicketFilters(),
    "open": TicketFilters(status=TicketStatus.OPEN),
    "finished": TicketFilters(statuses=(TicketStatus.RESOLVED, TicketStatus.CLOSED)),
    "high": TicketFilters(priority=Priority.HIGH),
    "project 2": TicketFilters(project_id=2),
    "unassigned": TicketFilters(unassigned=True),
    "open and unassigned in project 1": TicketFilters(
        status=TicketStatus.OPEN, unassigned=True, project_id=1
    ),
    # The tickets were made with the real clock: nothing is past due yet but the flagged.
    "overdue": TicketFilters(overdue_at=datetime.now(UTC)),
    "overdue in a month": TicketFilters(overdue_at=datetime.now(UTC) + timedelta(days=30)),
    "high and overdue in a month": TicketFilters(
        priority=Priority.HIGH, overdue_at=datetime.now(UTC) + timedelta(days=30)
    ),
}


@dataclass
class Hub:
    """Two projects, an agent working in the second, customers, keys, and tickets."""

    admin: User
    agent: User
    customer: User
    second: Project
    principals: dict[str, Principal]


async def _change(database: Database, ticket_id: int, **values: Any) -> None:
    async with database.transaction() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        for name, value in values.items():
            setattr(ticket, name, value)


@pytest.fixture
async def hub(make: Factory, database: Database) -> Hub:
    second = await make.project("Second")
    admin = await make.user("admin")
    agent = await make.user("agent", projects=[second.id])
    customer = await make.user("customer")
    other = await make.user("customer")

    await make.ticket(by=customer)  # project 1, open, unassigned
    assigned = await make.ticket(by=other, project_id=second.id, priority=Priority.HIGH)
    await _change(database, assigned.id, assignee_id=agent.id)
    elsewhere = await make.ticket(by=customer)  # recorded as the agent's, outside their projects
    await _change(database, elsewhere.id, creator_id=agent.id)
    resolved = await make.ticket(by=customer, project_id=second.id)
    await _change(database, resolved.id, status=TicketStatus.RESOLVED)
    deleted = await make.ticket(by=customer)
    await _change(database, deleted.id, deleted_at=datetime(2026, 3, 2, tzinfo=UTC))
    restored = await make.ticket(by=other, priority=Priority.HIGH)
    await _change(database, restored.id, deleted_at=datetime(2026, 3, 2, tzinfo=UTC))
    await _change(database, restored.id, deleted_at=None)
    moved = await make.ticket(by=customer)
    await _change(database, moved.id, project_id=second.id, status=TicketStatus.CLOSED)
    queued = await make.ticket(by=other)  # in project 1, assigned to the agent
    await _change(database, queued.id, assignee_id=agent.id, priority=Priority.HIGH)
    flagged = await make.ticket(by=customer, project_id=second.id)
    await _change(database, flagged.id, first_response_breached_at=datetime.now(UTC))

    internal = await make.api_key(ApiKeyType.INTERNAL)
    agent_key = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)
    project_key = await make.api_key(ApiKeyType.PROJECT, project_id=second.id)
    return Hub(
        admin=admin,
        agent=agent,
        customer=customer,
        second=second,
        principals={
            "admin": Principal.for_user(admin),
            "agent": Principal.for_user(agent),
            "customer": Principal.for_user(customer),
            "internal key": Principal.for_internal_key(internal.api_key),
            "agent key": Principal.for_agent_key(agent_key.api_key, agent),
            "project key": Principal.for_project(project_key.api_key, second),
        },
    )


async def _totals(
    database: Database, principal: Principal, filters: TicketFilters
) -> tuple[int, int]:
    async with database.transaction() as session:
        tickets = TicketRepository(session)
        return await tickets.total(principal, filters), await tickets.counted(principal, filters)


@pytest.mark.parametrize(
    "who", ["admin", "agent", "customer", "internal key", "agent key", "project key"]
)
async def test_a_total_equals_the_count_of_the_tickets_listed(
    hub: Hub, database: Database, who: str
) -> None:
    totals = {name: await _totals(database, hub.principals[who], f) for name, f in FILTERS.items()}

    assert {name: total for name, (total, _) in totals.items()} == {
        name: counted for name, (_, counted) in totals.items()
    }


async def test_the_hub_under_test_lists_something_for_everyone(
    hub: Hub, database: Database
) -> None:
    # Guards the table above from passing on empty lists.
    for who, principal in hub.principals.items():
        total, _ = await _totals(database, principal, TicketFilters())
        assert total > 0, who


async def _tally_rows(database: Database) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(TicketTally)) or 0)


async def test_folding_the_tallies_keeps_every_total_with_one_row_per_group(
    hub: Hub, database: Database
) -> None:
    before = {
        (who, name): (await _totals(database, principal, filters))[0]
        for who, principal in hub.principals.items()
        for name, filters in FILTERS.items()
    }

    async with database.transaction() as session:
        await TallyRepository(session).compact()

    after = {
        (who, name): (await _totals(database, principal, filters))[0]
        for who, principal in hub.principals.items()
        for name, filters in FILTERS.items()
    }
    assert after == before
    async with database.transaction() as session:
        groups = await session.scalar(
            select(func.count()).select_from(
                select(Ticket.project_id, Ticket.status, Ticket.priority, Ticket.assignee_id)
                .where(Ticket.deleted_at.is_(None))
                .distinct()
                .subquery()
            )
        )
    assert await _tally_rows(database) == groups


async def test_a_hard_deleted_ticket_leaves_the_totals(hub: Hub, database: Database) -> None:
    admin = hub.principals["admin"]
    total, _ = await _totals(database, admin, TicketFilters())
    async with database.transaction() as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.deleted_at.is_(None)).limit(1))
        assert ticket is not None
        await session.delete(ticket)

    assert await _totals(database, admin, TicketFilters()) == (total - 1, total - 1)


@pytest.mark.parametrize("who", ["admin", "internal key", "agent key", "project key"])
async def test_a_total_without_a_search_reads_no_ticket(
    hub: Hub, database: Database, statements: StatementCounter, who: str
) -> None:
    statements.start()
    await _totals_only(database, hub.principals[who], TicketFilters(status=TicketStatus.OPEN))
    statements.stop()

    assert statements.statements
    assert not [sql for sql in statements.statements if "FROM tickets" in sql]


async def _totals_only(database: Database, principal: Principal, filters: TicketFilters) -> int:
    async with database.transaction() as session:
        return await TicketRepository(session).total(principal, filters)


# ---------------------------------------------------------------- at size: the query plan


def _scanned(plan: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    visit(plan)
    for child in plan.get("Plans", ()):
        _scanned(child, visit)


async def test_the_total_of_ten_thousand_tickets_reads_a_bounded_number_of_rows(
    database: Database, statements: StatementCounter
) -> None:
    async with database.transaction() as session:
        await session.execute(insert(Ticket), ticket_rows(10_000))
        await TallyRepository(session).compact()
    admin = Principal.system()

    statements.start()
    assert await _totals_only(database, admin, TicketFilters(status=TicketStatus.OPEN)) == 1666
    statements.stop()
    [(sql, parameters)] = [(sql, p) for sql, p in statements.executed if "SELECT" in sql]

    async with database.engine.connect() as connection:
        if database.is_sqlite:
            plan = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)).all()
            details = [str(row[-1]) for row in plan]
            assert not [step for step in details if step.startswith("SCAN tickets")], details
            return
        explained = await connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", parameters
        )
        document = explained.scalar_one()
        root = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    relations: list[str] = []
    rows_read = 0

    def visit(node: dict[str, Any]) -> None:
        nonlocal rows_read
        if "Relation Name" in node:
            relations.append(node["Relation Name"])
            rows_read += int(node.get("Actual Rows", 0)) + int(
                node.get("Rows Removed by Filter", 0)
            )

    _scanned(root, visit)
    assert "tickets" not in relations
    assert rows_read <= len(TicketStatus) * len(Priority)
