"""The worker outlives Redis going away, and tells /ready it is running by a heartbeat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import WatchError
from sqlalchemy.engine import make_url

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import WorkerHeartbeat
from supportdesk.worker.arq_app import is_redis_down, redis_outage, run_worker
from supportdesk.worker.context import Resources
from supportdesk.worker.inprocess import InProcessRunner
from tests.factories import Factory
from tests.support import stored
from tests.worker.conftest import REDIS_URL, free_port
from tests.worker.support import Desk, eventually, notifications


class FlakyRedis:
    """A TCP relay to the test's Redis that can be cut and restored: Redis going away
    (every connection dropped, each new one dropped at once) and coming back, without
    touching the Redis server other tests share."""

    def __init__(self, target_url: str) -> None:
        target = make_url(target_url)
        self.host, self.target_port = target.host or "127.0.0.1", target.port or 6379
        self.url = f"redis://127.0.0.1:{free_port()}/{target.database or 0}"
        self.port = make_url(self.url).port
        self.up = True
        self.dropped = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            self.dropped += 1
            writer.transport.abort()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(
            self.host, self.target_port
        )
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.transport.abort()
            self._writers.discard(writer)

    def cut(self) -> None:
        self.up = False
        for writer in list(self._writers):
            writer.transport.abort()

    def restore(self) -> None:
        self.up = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def _last_beat(database: Database) -> datetime:
    return (await stored(database, WorkerHeartbeat, "worker")).beat_at


@pytest.mark.redis
async def test_the_worker_waits_out_a_redis_outage_then_delivers_what_waited(
    desk: Desk,
    make: Factory,
    database: Database,
    worker_settings: Settings,
    redis: ArqRedis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    flaky = FlakyRedis(REDIS_URL)
    await flaky.start()
    settings = worker_settings.model_copy(
        update={
            "redis_url": flaky.url,
            "outbox_poll_seconds": 0.05,
            "worker_heartbeat_seconds": 0.05,
        }
    )
    res = Resources.build(settings, database)
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER)

    async def notified(count: int) -> bool:
        return len(await notifications(database, user_id=agent.id)) == count

    async def dropped_more(than: int) -> bool:
        return flaky.dropped >= than

    with caplog.at_level(logging.INFO, logger="supportdesk.worker.arq_app"):
        worker = asyncio.create_task(
            run_worker(
                settings, res=res, first_delay=0.05, max_delay=0.1, poll_delay=0.02, cron_jobs=[]
            )
        )
        try:
            await desk.open(customer, subject="Before")
            await eventually(lambda: notified(1))

            flaky.cut()
            await eventually(lambda: dropped_more(3))  # it keeps trying
            assert redis_outage.ongoing
            await desk.open(customer, subject="During")
            beat_during, dropped = await _last_beat(database), flaky.dropped
            await eventually(lambda: dropped_more(dropped + 3))
            assert not worker.done()
            assert await _last_beat(database) == beat_during  # no heartbeat while cut off

            flaky.restore()
            await eventually(lambda: notified(2))
            assert await _last_beat(database) > beat_during
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await flaky.close()

    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [m for m in said if m.startswith("Redis unreachable")] == [said[0]]
    assert len([m for m in said if m.startswith("Redis reachable again")]) == 1


async def test_the_in_process_runner_records_a_heartbeat_while_it_runs_the_jobs(
    client: AsyncClient, worker_settings: Settings, database: Database
) -> None:
    settings = worker_settings.model_copy(
        update={"outbox_poll_seconds": 0.05, "worker_heartbeat_seconds": 0.05}
    )
    runner = InProcessRunner(settings, database)

    async def ready() -> bool:
        return (await client.get("/ready")).status_code == 200

    runner.start()
    try:
        await eventually(ready)
    finally:
        await runner.stop()


def test_a_connection_lost_while_watching_a_key_counts_as_redis_going_away() -> None:
    # redis-py raises WatchError, not ConnectionError, when the connection drops while a
    # transaction watches keys, as arq's does when it starts a job.
    try:
        try:
            raise RedisConnectionError("Connection closed by server.")
        except RedisConnectionError as lost:
            raise WatchError("A ConnectionError occurred while watching") from lost
    except WatchError as raised:
        assert is_redis_down(raised)


def test_a_watched_key_that_changed_is_not_redis_going_away() -> None:
    assert not is_redis_down(WatchError("Watched variable changed."))
