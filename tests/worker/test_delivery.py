"""The outbox: nothing is lost while the worker or Redis is down, everything arrives once."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient
from redis.exceptions import ConnectionError as RedisConnectionError

from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.services.notifier import Notifier
from supportdesk.worker import jobs
from supportdesk.worker.context import Resources, make_ctx
from supportdesk.worker.inprocess import InProcessRunner
from tests.factories import Factory
from tests.support import FrozenClock
from tests.worker.conftest import Pipeline, SmtpSink, arq_worker, free_port
from tests.worker.support import Desk, events, notifications


async def test_requests_succeed_while_no_worker_runs_and_their_events_wait(
    desk: Desk, make: Factory, client: AsyncClient, database: Database, frozen_clock: FrozenClock
) -> None:
    await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.reply(customer, ticket["id"], "Still locked out.")
    frozen_clock.advance(minutes=2)

    ready = (await client.get("/ready")).json()

    assert ready["outbox"] == {"pending": 2, "oldest_age_seconds": 120.0}
    assert await notifications(database) == []


async def test_when_the_worker_starts_every_waiting_event_is_delivered_once(
    desk: Desk, make: Factory, client: AsyncClient, database: Database, pipeline: Pipeline
) -> None:
    agents = [await make.user(Role.AGENT, projects=[1]) for _ in range(2)]
    customer = await make.user(Role.CUSTOMER)
    first = await desk.open(customer, subject="First")
    second = await desk.open(customer, subject="Second")

    await pipeline.deliver()
    await pipeline.deliver()

    # Jobs run concurrently: the notices arrive in any order, each exactly once.
    received = sorted((n.user_id, n.ticket_id, n.type) for n in await notifications(database))
    assert received == [
        (agent.id, ticket["id"], "ticket_created") for agent in agents for ticket in (first, second)
    ]
    assert all(event.handled_at is not None for event in await events(database))
    assert (await client.get("/ready")).json()["outbox"] == {
        "pending": 0,
        "oldest_age_seconds": None,
    }


async def test_a_delivery_that_raises_is_retried_and_delivered(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline, monkeypatch: Any
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    await desk.open(await make.user(Role.CUSTOMER))
    deliver = Notifier.deliver
    calls = 0

    async def flaky(self: Notifier, event: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionResetError("database went away")
        return await deliver(self, event)

    monkeypatch.setattr(Notifier, "deliver", flaky)

    await pipeline.deliver()
    if pipeline.mode == "in-process":  # the retry waits for the next pass
        await pipeline.deliver()

    [event] = await events(database)
    assert [n.user_id for n in await notifications(database)] == [agent.id]
    assert event.attempts == 1 and "database went away" in (event.last_error or "")
    assert event.failed_at is None


async def test_an_event_failing_every_try_is_marked_failed_and_logged(
    desk: Desk,
    make: Factory,
    database: Database,
    pipeline: Pipeline,
    monkeypatch: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await make.user(Role.AGENT, projects=[1])
    await desk.open(await make.user(Role.CUSTOMER))

    async def broken(self: Notifier, event: Any) -> Any:
        raise RuntimeError("handler bug")

    monkeypatch.setattr(Notifier, "deliver", broken)

    with caplog.at_level(logging.ERROR, logger="supportdesk.worker.jobs"):
        for _ in range(pipeline.res.settings.job_max_tries):
            await pipeline.deliver()

    [event] = await events(database)
    assert event.failed_at is not None
    assert event.attempts == pipeline.res.settings.job_max_tries
    assert "handler bug" in (event.last_error or "")
    assert any("given up" in record.getMessage() for record in caplog.records)
    assert await notifications(database) == []


async def test_a_delivery_cancelled_mid_job_is_delivered_by_the_next_pass(
    desk: Desk, make: Factory, database: Database, runner: InProcessRunner, monkeypatch: Any
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    await desk.open(await make.user(Role.CUSTOMER))
    started = asyncio.Event()
    deliver = Notifier.deliver

    async def hangs_once(self: Notifier, event: Any) -> Any:
        if not started.is_set():
            started.set()
            await asyncio.Event().wait()  # the process is stopped here
        return await deliver(self, event)

    monkeypatch.setattr(Notifier, "deliver", hangs_once)
    stopped = asyncio.create_task(runner.relay())
    await started.wait()
    stopped.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopped

    await runner.relay()

    assert [n.user_id for n in await notifications(database)] == [agent.id]
    [event] = await events(database)
    assert event.handled_at is not None


@pytest.mark.redis
async def test_an_arq_job_cancelled_mid_run_is_run_again_and_delivered(
    desk: Desk,
    make: Factory,
    database: Database,
    res: Resources,
    redis: ArqRedis,
    monkeypatch: Any,
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    await desk.open(await make.user(Role.CUSTOMER))
    started = asyncio.Event()
    deliver = Notifier.deliver

    async def hangs_once(self: Notifier, event: Any) -> Any:
        if not started.is_set():
            started.set()
            await asyncio.Event().wait()
        return await deliver(self, event)

    monkeypatch.setattr(Notifier, "deliver", hangs_once)
    await jobs.relay_outbox(make_ctx(res, redis=redis))
    worker = arq_worker(res, redis)
    running = asyncio.create_task(worker.main())
    await started.wait()
    for task in list(worker.job_tasks.values()):
        task.cancel()  # the job's task dies; arq puts the job back in the queue

    await asyncio.wait_for(running, timeout=10)

    assert worker.jobs_retried == 1
    assert [n.user_id for n in await notifications(database)] == [agent.id]


@pytest.mark.redis
async def test_with_redis_down_the_relay_fails_and_the_events_wait(
    desk: Desk, make: Factory, database: Database, res: Resources, redis: ArqRedis
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    await desk.open(await make.user(Role.CUSTOMER))
    unreachable = ArqRedis.from_url(f"redis://127.0.0.1:{free_port()}/0")

    with pytest.raises(RedisConnectionError):
        await jobs.relay_outbox(make_ctx(res, redis=unreachable))
    await unreachable.aclose()
    [waiting] = await events(database)
    assert waiting.published_at is None

    await jobs.relay_outbox(make_ctx(res, redis=redis))
    await arq_worker(res, redis).main()

    assert [n.user_id for n in await notifications(database)] == [agent.id]


async def test_e_mail_is_sent_through_smtp_when_configured(
    desk: Desk, make: Factory, pipeline: Pipeline, smtp: SmtpSink
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer)
    await desk.reply(agent, ticket["id"], "Try resetting your password.")

    await pipeline.deliver()

    [mail] = smtp.to(customer.email)
    assert mail["Subject"] == f"Re: [{ticket['ticket_number']}] Cannot log in"
    assert "Try resetting your password." in mail.get_payload()


@pytest.mark.parametrize("subject", ["Cannot\r\nlog in", "Cannot\nlog in"])
async def test_a_subject_with_line_breaks_is_mailed_on_one_line(
    desk: Desk, make: Factory, pipeline: Pipeline, smtp: SmtpSink, subject: str
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    ticket = await desk.open(customer, subject=subject)
    await desk.reply(agent, ticket["id"], "Try resetting your password.")

    await pipeline.deliver()

    [mail] = smtp.to(customer.email)
    assert mail["Subject"] == f"Re: [{ticket['ticket_number']}] Cannot log in"
