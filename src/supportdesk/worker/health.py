"""How the worker is doing, for ``GET /ready``: its heartbeat and the outbox backlog.

Every process running the jobs (each ``supportdesk worker`` while connected to Redis,
or the ``serve`` process leading the in-process jobs) records a heartbeat in the
database every ``worker_heartbeat_seconds``. A heartbeat older than
``worker_stale_seconds`` means no process is running the jobs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from supportdesk.config import Settings
from supportdesk.core import clock
from supportdesk.core.db import Database, database_outage, is_connection_error
from supportdesk.repositories.heartbeats import HeartbeatRepository
from supportdesk.repositories.outbox import OutboxRepository

log = logging.getLogger(__name__)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def beat(database: Database) -> None:
    async with database.transaction() as session:
        await HeartbeatRepository(session).beat(clock.now(), this_process())


async def heartbeat_forever(
    database: Database, interval: float, while_: Callable[[], bool] = lambda: True
) -> None:
    """Beat every ``interval`` seconds while ``while_()`` holds; failures are logged."""
    while True:
        if not while_():
            await asyncio.sleep(min(interval, 1.0))
            continue
        try:
            await beat(database)
        except Exception as exc:  # the next beat tries again; a stale one shows in /ready
            if is_connection_error(exc):
                database_outage.failed(exc)
            else:
                log.warning("worker heartbeat not recorded: %s", exc)
        await asyncio.sleep(interval)


@dataclass(frozen=True, slots=True)
class WorkerStatus:
    ok: bool
    # Seconds since the last heartbeat; None: none was ever recorded.
    age_seconds: float | None
    reason: str | None

    def as_json(self, settings: Settings) -> dict[str, Any]:
        return {
            "last_heartbeat_age_seconds": self.age_seconds,
            "stale_after_seconds": settings.worker_stale_seconds,
        }


def jobs_expected(settings: Settings) -> bool:
    """Some process is meant to run the jobs: a worker on Redis, or serve in-process."""
    return bool(settings.redis_url) or settings.in_process_jobs


async def worker_status(database: Database, settings: Settings) -> WorkerStatus:
    async with database.transaction(read_only=True) as session:
        last = await HeartbeatRepository(session).last()
    if last is None:
        return WorkerStatus(False, None, "no worker has recorded a heartbeat")
    age = max(0.0, round((clock.now() - last.beat_at).total_seconds(), 3))
    if age > settings.worker_stale_seconds:
        reason = (
            f"the worker's last heartbeat is {age:.0f} s old"
            f" (stale after {settings.worker_stale_seconds:g} s)"
        )
        return WorkerStatus(False, age, reason)
    return WorkerStatus(True, age, None)


async def outbox_backlog(database: Database) -> dict[str, Any]:
    """Events not yet handled, and the age in seconds of the oldest (None: no backlog)."""
    async with database.transaction(read_only=True) as session:
        backlog = await OutboxRepository(session).backlog()
    age = None
    if backlog.oldest_created_at is not None:
        age = max(0.0, round((clock.now() - backlog.oldest_created_at).total_seconds(), 3))
    return {"pending": backlog.pending, "oldest_age_seconds": age}
