"""SLA clocks through a ticket's life, and breaches recorded once by the minute's check."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import insert, text

from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import Ticket, User
from supportdesk.services.sla import SlaService
from supportdesk.worker import jobs
from supportdesk.worker.context import Resources
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter, table_scans, ticket_rows
from tests.worker.conftest import Pipeline
from tests.worker.support import Desk, activities, events, notifications

T0 = datetime.fromisoformat("2026-03-02T09:00:00+00:00")  # the frozen clock's start


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


@dataclass(frozen=True)
class Step:
    at: timedelta  # after creation
    action: str
    first_response_due: timedelta
    resolution_due: timedelta
    first_response_breached: bool
    resolution_breached: bool


# Medium priority: 4 h to a first response, 24 h to resolution; high: 1 h and 8 h.
LIFE = [
    Step(timedelta(0), "create", timedelta(hours=4), timedelta(hours=24), False, False),
    Step(timedelta(hours=1), "pause", timedelta(hours=4), timedelta(hours=24), False, False),
    # Two hours waiting on the customer push the resolution date back by two hours.
    Step(timedelta(hours=3), "resume", timedelta(hours=4), timedelta(hours=26), False, False),
    # Nobody answered in 4 h: breached. High priority recomputes from creation (+ the pause).
    Step(timedelta(hours=5), "priority", timedelta(hours=1), timedelta(hours=10), True, False),
    Step(timedelta(hours=6), "first reply", timedelta(hours=1), timedelta(hours=10), True, False),
    Step(timedelta(hours=11), "wait", timedelta(hours=1), timedelta(hours=10), True, True),
    Step(timedelta(hours=12), "resolve", timedelta(hours=1), timedelta(hours=10), True, True),
    # The customer's reply reopens it: a new 8 h resolution clock, no resolution breach yet.
    Step(timedelta(hours=30), "reopen", timedelta(hours=1), timedelta(hours=38), True, False),
    Step(timedelta(hours=39), "wait", timedelta(hours=1), timedelta(hours=38), True, True),
]


async def _nothing() -> None:
    """Time passes; nobody touches the ticket."""


async def test_due_dates_and_breaches_follow_the_ticket_through_its_life(
    desk: Desk, make: Factory, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket_id = 0

    async def create() -> None:
        nonlocal ticket_id
        ticket_id = (await desk.open(customer, priority="medium"))["id"]

    actions: dict[str, Callable[[], Awaitable[None]]] = {
        "create": create,
        "pause": lambda: desk.set_status(agent, ticket_id, "pending_customer"),
        "resume": lambda: desk.set_status(agent, ticket_id, "open"),
        "priority": lambda: desk.update(agent, ticket_id, priority="high"),
        "first reply": lambda: desk.reply(agent, ticket_id, "On it."),
        "resolve": lambda: desk.set_status(agent, ticket_id, "resolved"),
        "reopen": lambda: desk.reply(customer, ticket_id, "It broke again."),
        "wait": _nothing,
    }
    for step in LIFE:
        frozen_clock.current = T0 + step.at
        await actions[step.action]()
        await jobs.check_sla(ctx)

        seen = await desk.ticket(agent, ticket_id)
        assert (
            _at(seen["first_response_due_at"]),
            _at(seen["resolution_due_at"]),
            seen["first_response_breached"],
            seen["resolution_breached"],
        ) == (
            T0 + step.first_response_due,
            T0 + step.resolution_due,
            step.first_response_breached,
            step.resolution_breached,
        ), step


async def _overdue_ticket(desk: Desk, make: Factory, frozen_clock: FrozenClock) -> tuple[User, int]:
    lead = await make.user(Role.AGENT, projects=[1], lead=True)
    ticket = await desk.open(await make.user(Role.CUSTOMER), priority="critical")
    frozen_clock.advance(minutes=16)  # 15 minutes to a first response
    return lead, ticket["id"]


async def test_two_checks_at_once_record_one_breach_one_activity_one_notice_each(
    desk: Desk,
    make: Factory,
    database: Database,
    res: Resources,
    pipeline: Pipeline,
    frozen_clock: FrozenClock,
) -> None:
    lead, ticket_id = await _overdue_ticket(desk, make, frozen_clock)
    assignee = await make.user(Role.AGENT, projects=[1])
    await desk.assign(lead, ticket_id, assignee)

    counts = await asyncio.gather(
        jobs.check_sla({"supportdesk": res}), jobs.check_sla({"supportdesk": res})
    )
    await asyncio.gather(pipeline.deliver(), pipeline.deliver())

    assert sorted(counts) == [0, 1]
    assert len(await activities(database, ticket_id, "sla_breached")) == 1
    [breach] = await events(database, "sla.breached")
    assert breach.payload["kind"] == "first_response"
    notified = await notifications(database, type="sla_breached")
    assert [n.user_id for n in notified] == [lead.id, assignee.id]


async def test_a_breach_is_recorded_once_however_often_the_check_runs(
    desk: Desk, make: Factory, database: Database, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    _, ticket_id = await _overdue_ticket(desk, make, frozen_clock)

    first = await jobs.check_sla(ctx)
    frozen_clock.advance(minutes=1)
    second = await jobs.check_sla(ctx)

    assert (first, second) == (1, 0)
    [activity] = await activities(database, ticket_id, "sla_breached")
    assert activity.description.startswith("First response SLA breached")


async def test_a_paused_ticket_does_not_breach_its_resolution(
    desk: Desk, make: Factory, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER), priority="critical")
    await desk.reply(agent, ticket["id"], "Could you send a screenshot?")
    await desk.set_status(agent, ticket["id"], "pending_customer")
    frozen_clock.advance(hours=3)  # past the 2 h resolution target, but waiting

    await jobs.check_sla(ctx)

    seen = await desk.ticket(agent, ticket["id"])
    assert (seen["first_response_breached"], seen["resolution_breached"]) == (False, False)


async def test_the_overdue_filter_and_the_report_agree_with_the_breach_flags(
    desk: Desk,
    make: Factory,
    client: AsyncClient,
    ctx: dict[str, Any],
    frozen_clock: FrozenClock,
) -> None:
    admin = await make.user(Role.ADMIN)
    customer = await make.user(Role.CUSTOMER)
    late = await desk.open(customer, priority="critical")
    answered = await desk.open(customer, priority="critical")
    await desk.reply(admin, answered["id"], "Looking into it.")
    in_time = await desk.open(customer, priority="low")
    frozen_clock.advance(minutes=30)

    await jobs.check_sla(ctx)

    listed = await client.get("/api/tickets", params={"overdue": "true"}, headers=make.auth(admin))
    overview = await client.get("/api/reports/overview", headers=make.auth(admin))
    flagged = [
        ticket["id"]
        for ticket in [await desk.ticket(admin, t["id"]) for t in (late, answered, in_time)]
        if ticket["first_response_breached"] or ticket["resolution_breached"]
    ]
    assert [ticket["id"] for ticket in listed.json()["data"]] == flagged == [late["id"]]
    assert overview.json()["sla_breached"] == 1


async def test_the_sla_check_reads_only_tickets_whose_clocks_run(
    database: Database, statements: StatementCounter
) -> None:
    # Ten thousand tickets whose clocks stopped long ago: answered, finished or breached.
    overdue = {"first_response_due_at": T0 - timedelta(days=9), "resolution_due_at": T0}
    async with database.transaction() as session:
        await session.execute(
            insert(Ticket),
            ticket_rows(10_000, first_responded_at=T0, resolution_breached_at=T0, **overdue),
        )
        if not database.is_sqlite:
            await session.execute(text("ANALYZE tickets"))

    statements.start()
    async with database.transaction() as session:
        assert await SlaService(session).record_breaches(T0) == []
    statements.stop()

    checks = [(sql, p) for sql, p in statements.executed if sql.startswith("UPDATE tickets")]
    assert len(checks) == 2
    for sql, parameters in checks:
        assert await table_scans(database, sql, parameters) == []
