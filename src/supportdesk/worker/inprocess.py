"""The jobs inside ``serve`` when there is no Redis (the single-machine default).

The same job functions on the same schedule as ``supportdesk worker``; events are
handled directly instead of being queued. Only one server process runs them at a time
(the leader lock): a PostgreSQL advisory lock, or a lock file beside the SQLite
database. The leader's death frees the lock and another process takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import time
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from supportdesk.config import Settings
from supportdesk.core import clock
from supportdesk.core.db import Database, database_outage, is_connection_error
from supportdesk.repositories.outbox import OutboxRepository
from supportdesk.worker import jobs
from supportdesk.worker.context import Resources, make_ctx
from supportdesk.worker.health import heartbeat_forever
from supportdesk.worker.schedule import SCHEDULES, Schedule

log = logging.getLogger(__name__)

# pg_advisory_lock key: "SDJOBS" as an integer, shared by every SupportDesk process.
ADVISORY_LOCK_KEY = 0x5344_4A4F_4253


class LeaderLock:
    """Held by at most one process per database for as long as it runs the jobs."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.database = database
        self.url = settings.database_url
        self._connection: AsyncConnection | None = None
        self._file: IO[bytes] | None = None
        self.held = False

    async def acquire(self) -> bool:
        if self.held and self._connection is not None and not await self._still_connected():
            # The session holding the advisory lock is gone, and the lock with it.
            await self.release()
        if self.held:
            return True
        if self.database.is_sqlite:
            self.held = self._lock_file()
        else:
            self.held = await self._lock_postgres()
        return self.held

    def _lock_file(self) -> bool:
        name = make_url(self.url).database or ""
        if name in ("", ":memory:"):
            return True  # an in-memory database lives in this process alone
        handle = Path(f"{name}.jobs.lock").open("ab")  # noqa: SIM115 - held while leader
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    async def _lock_postgres(self) -> bool:
        connection = await self.database.engine.connect()
        try:
            got = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        if got:
            self._connection = connection
            return True
        await connection.close()
        return False

    async def _still_connected(self) -> bool:
        assert self._connection is not None
        try:
            await self._connection.execute(text("SELECT 1"))
            await self._connection.commit()
        except Exception:
            return False
        return True

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self.held = False


class InProcessRunner:
    def __init__(
        self, settings: Settings, database: Database, resources: Resources | None = None
    ) -> None:
        self._owns_resources = resources is None
        self.resources = resources or Resources.build(settings, database)
        self.ctx: dict[str, Any] = make_ctx(self.resources)
        self.lock = LeaderLock(settings, database)
        # Event id -> monotonic time before which it is not retried.
        self._backoff: dict[int, float] = {}
        self._next_run: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._webhooks: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- one pass

    async def relay(self) -> int:
        """Handle every pending event due now; returns how many were delivered."""
        res = self.resources
        delivered = 0
        while True:
            now = time.monotonic()
            waiting = [event_id for event_id, until in self._backoff.items() if until > now]
            async with res.database.transaction(read_only=True) as session:
                pending = await OutboxRepository(session).pending(
                    res.settings.outbox_batch_size, excluding=waiting
                )
            for event_id in pending:
                if await self._deliver(event_id):
                    delivered += 1
            if len(pending) < res.settings.outbox_batch_size:
                return delivered

    async def _deliver(self, event_id: int) -> bool:
        res = self.resources
        try:
            delivered = await jobs.deliver_event(res, event_id)
        except Exception as exc:
            tries = await jobs.note_failure(res, event_id, exc)
            if tries is not None:
                delay = jobs.retry_delay(res.settings.job_retry_seconds, tries)
                self._backoff[event_id] = time.monotonic() + delay
            else:
                self._backoff.pop(event_id, None)
            return False
        self._backoff.pop(event_id, None)
        return delivered

    async def run_due(self, now: datetime | None = None) -> list[str]:
        """Run the cron jobs whose time has come; the first call only schedules them."""
        now = now or clock.now()
        ran = []
        for schedule in SCHEDULES:
            due = self._next_run.get(schedule.name)
            if due is None:
                self._next_run[schedule.name] = schedule.next_after(now)
                continue
            if due <= now:
                self._next_run[schedule.name] = schedule.next_after(now)
                await self._run(schedule)
                ran.append(schedule.name)
        return ran

    async def _run(self, schedule: Schedule) -> None:
        try:
            await schedule.job(self.ctx)
        except Exception:  # logged; the next slot runs it again
            log.exception("job %s failed", schedule.name)

    async def tick(self) -> None:
        if not await self.lock.acquire():
            return
        try:
            await self.relay()
        except Exception as exc:  # the events wait in the outbox; the next tick tries again
            if is_connection_error(exc):
                database_outage.failed(exc)
            else:
                log.exception("in-process outbox relay failed")
        await self.run_due()

    # ---------------------------------------------------------------- lifecycle

    async def _loop(self) -> None:
        interval = self.resources.settings.outbox_poll_seconds
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("in-process jobs: tick failed")
            await asyncio.sleep(interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="supportdesk-jobs")
            # Its own task, so a long cron job does not make the leader look dead.
            self._heartbeat = asyncio.create_task(
                heartbeat_forever(
                    self.resources.database,
                    self.resources.settings.worker_heartbeat_seconds,
                    while_=lambda: self.lock.held,
                ),
                name="supportdesk-jobs-heartbeat",
            )
            # Its own task too: a slow receiver must not hold up the outbox or the crons.
            self._webhooks = asyncio.create_task(
                self._send_webhooks(), name="supportdesk-jobs-webhooks"
            )
            log.info("running background jobs in-process (no SUPPORTDESK_REDIS_URL)")

    async def _send_webhooks(self) -> None:
        """The leader sends the webhooks due, every poll interval."""
        interval = self.resources.settings.outbox_poll_seconds
        while True:
            if self.lock.held:
                try:
                    await self.resources.webhooks.run()
                except Exception as exc:  # the deliveries wait; the next pass tries again
                    if is_connection_error(exc):
                        database_outage.failed(exc)
                    else:
                        log.exception("in-process webhook sending failed")
            await asyncio.sleep(interval)

    async def stop(self) -> None:
        for task in (self._task, self._heartbeat, self._webhooks):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._heartbeat = self._webhooks = None
        await self.lock.release()
        if self._owns_resources:
            await self.resources.webhooks.sender.aclose()
