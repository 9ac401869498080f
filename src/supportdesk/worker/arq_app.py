"""``supportdesk worker``: the jobs on arq and Redis (``SUPPORTDESK_REDIS_URL``).

Every worker process relays the outbox (claims skip each other's rows on PostgreSQL),
runs event jobs and takes its turn at the cron jobs (arq runs each cron slot once across
workers). Run as many as the load needs.

Losing Redis does not end a worker (``run_worker``): the arq worker is torn down, and
connecting again is tried with back-off until Redis answers. The outage is logged once
when it starts and once when it ends. While disconnected the worker records no
heartbeat, so ``GET /ready`` says so once the last one is stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal
from typing import Any

from arq import Worker, create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.worker import func
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError

from supportdesk.config import Settings
from supportdesk.core.db import database_outage, is_connection_error
from supportdesk.core.outage import Outage
from supportdesk.worker import jobs
from supportdesk.worker.context import CTX_KEY, Resources, resources
from supportdesk.worker.health import heartbeat_forever
from supportdesk.worker.schedule import SCHEDULES

log = logging.getLogger(__name__)

BACKGROUND_TASKS = "supportdesk_tasks"
OWNS_RESOURCES = "supportdesk_owns_resources"
QUEUE_NAME = jobs.QUEUE_NAME
# arq stops a job after this many tries without asking it; the handler gives up (and
# marks the event failed) after job_max_tries, so arq's limit leaves room for tries
# spent on cancellations (a worker stopped mid-job).
EXTRA_TRIES_FOR_CANCELLATIONS = 5
# Waits between attempts to reach Redis again: doubling from the first to the last.
RECONNECT_FIRST_DELAY = 1.0
RECONNECT_MAX_DELAY = 30.0

# What Redis going away looks like, to the worker's loop and to its jobs.
REDIS_DOWN: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    OSError,
    asyncio.TimeoutError,
)
redis_outage = Outage("Redis", log)


def is_redis_down(exc: BaseException) -> bool:
    """Whether ``exc`` says Redis went away: one of REDIS_DOWN, or the WatchError redis-py
    raises instead when the connection drops while a transaction watches keys (arq
    watches one as it starts each job)."""
    if isinstance(exc, WatchError):
        return isinstance(exc.__cause__, REDIS_DOWN)
    return isinstance(exc, REDIS_DOWN)


def _note_failure(what: str, exc: Exception) -> None:
    if is_connection_error(exc):
        database_outage.failed(exc)
    elif isinstance(exc, REDIS_DOWN):
        redis_outage.failed(exc)
    else:
        log.warning("%s failed, retrying: %s", what, exc)


async def relay_forever(ctx: dict[str, Any]) -> None:
    """Drain the outbox, then wait a poll interval; Redis or database down: try later."""
    settings = resources(ctx).settings
    while True:
        try:
            await jobs.relay_outbox(ctx)
        except Exception as exc:  # the events wait in the outbox; nothing is lost
            _note_failure("outbox relay", exc)
        await asyncio.sleep(settings.outbox_poll_seconds)


def worker_options(settings: Settings) -> dict[str, Any]:
    """The arq Worker's arguments (also the attributes of ``WorkerSettings``)."""

    async def on_startup(ctx: dict[str, Any]) -> None:
        if CTX_KEY not in ctx:
            ctx[CTX_KEY] = Resources.build(settings)
            ctx[OWNS_RESOURCES] = True
        res = resources(ctx)
        ctx[BACKGROUND_TASKS] = [
            asyncio.create_task(relay_forever(ctx)),
            asyncio.create_task(jobs.send_webhooks_forever(res)),
            asyncio.create_task(heartbeat_forever(res.database, settings.worker_heartbeat_seconds)),
        ]
        log.info(
            "worker started: relaying the outbox and sending webhooks every %ss",
            settings.outbox_poll_seconds,
        )

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        tasks: list[asyncio.Task[None]] = ctx.pop(BACKGROUND_TASKS, [])
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if ctx.pop(OWNS_RESOURCES, False):
            await resources(ctx).webhooks.sender.aclose()
            await resources(ctx).database.dispose()

    return {
        "functions": [
            func(
                jobs.handle_event,
                name=jobs.HANDLE_EVENT,
                max_tries=settings.job_max_tries + EXTRA_TRIES_FOR_CANCELLATIONS,
            )
        ],
        "cron_jobs": [schedule.as_cron() for schedule in SCHEDULES],
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "queue_name": QUEUE_NAME,
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "health_check_interval": settings.worker_health_check_seconds,
        "keep_result": 3600,
    }


def create_worker(settings: Settings, **overrides: Any) -> Worker:
    if not settings.redis_url:
        raise RuntimeError("SUPPORTDESK_REDIS_URL is not set: `serve` runs the jobs in-process")
    return Worker(**{**worker_options(settings), **overrides})


async def run_worker(
    settings: Settings,
    *,
    res: Resources | None = None,
    first_delay: float = RECONNECT_FIRST_DELAY,
    max_delay: float = RECONNECT_MAX_DELAY,
    **overrides: Any,
) -> None:
    """Run the jobs until cancelled (or, in burst mode, until the queue is empty).

    Redis unreachable, at start or later: wait, doubling the wait from ``first_delay`` to
    ``max_delay``, and connect again. Jobs cut short are run again (arq's in-progress
    key expires, or the relay hands their events on again).
    """
    if not settings.redis_url:
        raise RuntimeError("SUPPORTDESK_REDIS_URL is not set: `serve` runs the jobs in-process")
    owned = res is None
    res = res or Resources.build(settings)
    # arq's own retries log every attempt; this loop retries, and logs the outage once.
    redis_settings = dataclasses.replace(RedisSettings.from_dsn(settings.redis_url), conn_retries=0)
    delay = first_delay
    try:
        while True:
            try:
                pool = await create_pool(redis_settings, default_queue_name=QUEUE_NAME)
            except REDIS_DOWN as exc:
                redis_outage.failed(exc)
            else:
                redis_outage.recovered()
                delay = first_delay
                try:
                    await _work(settings, res, pool, overrides)
                    return
                except Exception as exc:
                    if not is_redis_down(exc):
                        raise
                    redis_outage.failed(exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)
    finally:
        if owned:
            await res.database.dispose()


async def _work(
    settings: Settings, res: Resources, pool: ArqRedis, overrides: dict[str, Any]
) -> None:
    """One arq worker on one connection pool, until Redis fails (or it is stopped)."""
    options = {**worker_options(settings), "handle_signals": False, **overrides}
    worker = Worker(**{**options, "redis_pool": pool, "ctx": {CTX_KEY: res}})
    try:
        await worker.main()
    finally:
        # Not worker.close(): it gives up at its first Redis command when Redis is gone.
        for task in worker.tasks.values():
            task.cancel()
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        if worker.on_shutdown is not None:
            await worker.on_shutdown(worker.ctx)
        with contextlib.suppress(RedisError, *REDIS_DOWN):
            await pool.delete(worker.health_check_key)
        with contextlib.suppress(RedisError, *REDIS_DOWN):
            await pool.aclose()


async def run_until_stopped(settings: Settings) -> None:
    """``supportdesk worker``: run the jobs until SIGINT or SIGTERM."""
    running = asyncio.create_task(run_worker(settings))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, running.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await running
    log.info("worker stopped")


def __getattr__(name: str) -> Any:
    # ``arq supportdesk.worker.arq_app.WorkerSettings`` works too; built on first use so
    # importing this module reads no environment.
    if name == "WorkerSettings":
        from supportdesk.config import resolve_secret_key

        return type("WorkerSettings", (), worker_options(resolve_secret_key(Settings())))
    raise AttributeError(name)
