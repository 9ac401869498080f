"""The `sla.warning` at 80% of a target's business time: once per target, by the minute's
check, reading only clocks not yet warned of."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import Ticket
from supportdesk.services.sla import SlaService
from supportdesk.worker import jobs
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter, table_scans, ticket_rows
from tests.worker.conftest import Pipeline
from tests.worker.support import Desk, events, notifications

T0 = datetime.fromisoformat("2026-03-02T09:00:00+00:00")  # the frozen clock's start


async def test_a_warning_goes_out_once_when_80_percent_of_the_first_response_time_passed(
    desk: Desk,
    make: Factory,
    database: Database,
    ctx: dict[str, Any],
    pipeline: Pipeline,
    frozen_clock: FrozenClock,
) -> None:
    lead = await make.user(Role.AGENT, projects=[1], lead=True)
    await desk.open(await make.user(Role.CUSTOMER), priority="high")  # 1 h to respond
    frozen_clock.advance(minutes=47)
    early = await events(database, "sla.warning")
    frozen_clock.advance(minutes=1)  # 48 minutes: 80%

    await jobs.check_sla(ctx)
    frozen_clock.advance(minutes=1)
    await jobs.check_sla(ctx)
    await pipeline.deliver()

    assert early == []
    [warning] = await events(database, "sla.warning")
    assert warning.payload["kind"] == "first_response"
    [notice] = await notifications(database, type="sla_warning")
    assert notice.user_id == lead.id


async def test_a_target_already_breached_gets_no_warning(
    desk: Desk, make: Factory, database: Database, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    await desk.open(await make.user(Role.CUSTOMER), priority="critical")  # 15 min / 2 h
    frozen_clock.advance(minutes=16)

    await jobs.check_sla(ctx)

    assert len(await events(database, "sla.breached")) == 1
    assert [e.payload["kind"] for e in await events(database, "sla.warning")] == []


async def test_the_warning_check_reads_only_clocks_not_yet_warned_of(
    database: Database, statements: StatementCounter
) -> None:
    # Ten thousand tickets whose clocks stopped long ago, or were warned of already.
    warned = {
        "first_response_warns_at": T0 - timedelta(days=9),
        "resolution_warns_at": T0 - timedelta(days=9),
        "first_response_warned_at": T0,
    }
    async with database.transaction() as session:
        await session.execute(
            insert(Ticket), ticket_rows(10_000, resolution_breached_at=T0, **warned)
        )
        if not database.is_sqlite:
            await session.execute(text("ANALYZE tickets"))

    statements.start()
    async with database.transaction() as session:
        assert await SlaService(session).record_warnings(T0) == []
    statements.stop()

    checks = [(sql, p) for sql, p in statements.executed if sql.startswith("UPDATE tickets")]
    assert len(checks) == 2
    for sql, parameters in checks:
        assert await table_scans(database, sql, parameters) == []
