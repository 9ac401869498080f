"""The outbox is the source of truth: an event is done once handled, not once handed to
Redis, and one Redis lost is handed on again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient

from supportdesk.core import clock
from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.repositories.outbox import OutboxRepository
from supportdesk.worker import jobs
from supportdesk.worker.context import Resources, make_ctx
from tests.factories import Factory
from tests.support import FrozenClock
from tests.worker.conftest import QUEUE_NAME, SmtpSink, arq_worker, clear_queue
from tests.worker.support import Desk, events, notifications


async def _hand_on(database: Database, overdue_after: timedelta | None = None) -> list[int]:
    """What the relay claims now: new events, or those handed on over ``overdue_after`` ago."""
    now = clock.now()
    overdue_before = None if overdue_after is None else now - overdue_after
    async with database.transaction() as session:
        return await OutboxRepository(session).publish_next(100, now, overdue_before=overdue_before)


async def test_an_event_handed_to_redis_is_pending_until_its_handler_has_run(
    desk: Desk, make: Factory, client: AsyncClient, res: Resources, frozen_clock: FrozenClock
) -> None:
    await desk.open(await make.user(Role.CUSTOMER))
    [event_id] = await _hand_on(res.database)

    assert (await client.get("/ready")).json()["outbox"]["pending"] == 1
    await jobs.deliver_event(res, event_id)
    assert (await client.get("/ready")).json()["outbox"]["pending"] == 0


async def test_an_event_not_handled_in_time_is_handed_on_again_and_a_handled_one_is_not(
    desk: Desk, make: Factory, res: Resources, frozen_clock: FrozenClock
) -> None:
    customer = await make.user(Role.CUSTOMER)
    await desk.open(customer, subject="Lost")
    await desk.open(customer, subject="Handled")
    lost, handled = await _hand_on(res.database)
    await jobs.deliver_event(res, handled)
    deadline = timedelta(seconds=res.settings.outbox_redeliver_seconds)

    frozen_clock.advance(seconds=res.settings.outbox_redeliver_seconds - 1)
    assert await _hand_on(res.database, deadline) == []
    frozen_clock.advance(seconds=2)
    assert await _hand_on(res.database, deadline) == [lost]
    assert await _hand_on(res.database, deadline) == []  # not again until the next deadline


async def test_an_event_delivered_twice_sends_its_e_mail_once(
    desk: Desk, make: Factory, res: Resources, smtp: SmtpSink
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.reply(agent, ticket["id"], "Try resetting your password.")
    replied = next(e for e in await events(res.database) if e.event_type == "ticket.replied")

    await jobs.deliver_event(res, replied.id)
    await jobs.deliver_event(res, replied.id)  # handed on again: Redis lost the first job

    assert len(smtp.to(customer.email)) == 1


@pytest.mark.redis
async def test_events_redis_lost_are_queued_again_and_handled(
    desk: Desk,
    make: Factory,
    database: Database,
    res: Resources,
    redis: ArqRedis,
    frozen_clock: FrozenClock,
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    await desk.open(await make.user(Role.CUSTOMER))
    await jobs.relay_outbox(make_ctx(res, redis=redis))
    await clear_queue(redis)  # Redis restarts without persistence: its jobs are gone

    frozen_clock.advance(seconds=res.settings.outbox_redeliver_seconds + 1)
    await jobs.relay_outbox(make_ctx(res, redis=redis))
    frozen_clock.advance(seconds=res.settings.outbox_redeliver_seconds + 1)
    await jobs.relay_outbox(make_ctx(res, redis=redis))  # still queued: not queued twice
    assert await redis.zcard(QUEUE_NAME) == 1
    await arq_worker(res, redis).main()

    assert [n.user_id for n in await notifications(database)] == [agent.id]
    [event] = await events(database)
    assert event.handled_at is not None
