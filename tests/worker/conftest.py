"""The worker's harness: an SMTP sink, job resources, and one way to run the pipeline.

``pipeline.deliver()`` runs what a deployment runs: with SUPPORTDESK_TEST_REDIS_URL the
relay enqueues on Redis and a real arq worker handles the jobs; without it the
in-process runner of ``serve`` does both.
"""

from __future__ import annotations

import email
import os
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from httpx import AsyncClient

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.worker import jobs
from supportdesk.worker.arq_app import QUEUE_NAME, create_worker
from supportdesk.worker.context import CTX_KEY, Resources, make_ctx
from supportdesk.worker.inprocess import InProcessRunner
from tests.factories import Factory
from tests.worker.support import Desk

REDIS_URL = os.environ.get("SUPPORTDESK_TEST_REDIS_URL", "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class SmtpSink:
    """An SMTP server on 127.0.0.1 keeping every message it is sent."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def smtp(smtp_server: tuple[SmtpSink, int]) -> SmtpSink:
    sink, _ = smtp_server
    sink.messages.clear()
    return sink


@pytest.fixture
def worker_settings(settings: Settings, smtp_server: tuple[SmtpSink, int]) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server[1],
            "smtp_starttls": False,
            "smtp_timeout": 5.0,
            "job_retry_seconds": 0.0,
            "job_max_tries": 3,
        }
    )


@pytest.fixture
def desk(client: AsyncClient, make: Factory) -> Desk:
    return Desk(client, make)


@pytest.fixture
def res(worker_settings: Settings, database: Database) -> Resources:
    return Resources.build(worker_settings, database)


@pytest.fixture
def ctx(res: Resources) -> dict[str, Any]:
    return make_ctx(res)


@pytest.fixture
async def runner(
    worker_settings: Settings, database: Database, res: Resources
) -> AsyncIterator[InProcessRunner]:
    in_process = InProcessRunner(worker_settings, database, res)
    yield in_process
    await in_process.stop()


@pytest.fixture
async def redis() -> AsyncIterator[ArqRedis]:
    if not REDIS_URL:
        pytest.skip("SUPPORTDESK_TEST_REDIS_URL is not set")
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=QUEUE_NAME)
    await clear_queue(pool)  # event ids restart with every test's clean database
    yield pool
    await clear_queue(pool)
    await pool.aclose()


async def clear_queue(pool: ArqRedis) -> None:
    """Forget SupportDesk's jobs, and only them: the Redis database may hold other keys."""
    keys = [QUEUE_NAME]
    async for key in pool.scan_iter(match="arq:*outbox:*", count=1000):
        keys.append(key)
    await pool.delete(*keys)


def arq_worker(res: Resources, pool: ArqRedis, **options: Any) -> Any:
    """A real arq worker on the test's Redis, handling jobs with the test's resources."""
    return create_worker(
        res.settings,
        redis_pool=pool,
        burst=True,
        handle_signals=False,
        poll_delay=0.01,
        cron_jobs=[],
        on_startup=None,
        on_shutdown=None,
        ctx={CTX_KEY: res},
        **options,
    )


class Pipeline:
    """The relay and the event jobs, as the deployment under test runs them."""

    def __init__(self, res: Resources, runner: InProcessRunner, pool: ArqRedis | None) -> None:
        self.res = res
        self.runner = runner
        self.pool = pool

    @property
    def mode(self) -> str:
        return "redis" if self.pool is not None else "in-process"

    async def deliver(self) -> None:
        if self.pool is None:
            await self.runner.relay()
            return
        await jobs.relay_outbox(make_ctx(self.res, redis=self.pool))
        await arq_worker(self.res, self.pool).main()


@pytest.fixture
async def pipeline(res: Resources, runner: InProcessRunner) -> AsyncIterator[Pipeline]:
    if not REDIS_URL:
        yield Pipeline(res, runner, None)
        return
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL), default_queue_name=QUEUE_NAME)
    await clear_queue(pool)
    yield Pipeline(res, runner, pool)
    await clear_queue(pool)
    await pool.aclose()
