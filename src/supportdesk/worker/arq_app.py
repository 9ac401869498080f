"""``supportdesk worker``: the jobs on arq and Redis (``SUPPORTDESK_REDIS_URL``).

Every worker process relays the outbox (claims skip each other's rows on PostgreSQL),
runs event jobs and takes its turn at the cron jobs (arq runs each cron slot once across
workers). Run as many as the load needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from arq import Worker
from arq.connections import RedisSettings
from arq.worker import func

from supportdesk.config import Settings
from supportdesk.worker import jobs
from supportdesk.worker.context import CTX_KEY, Resources, resources
from supportdesk.worker.schedule import SCHEDULES

log = logging.getLogger(__name__)

RELAY_TASK = "supportdesk_relay"
QUEUE_NAME = jobs.QUEUE_NAME
# arq stops a job after this many tries without asking it; the handler gives up (and
# marks the event failed) after job_max_tries, so arq's limit leaves room for tries
# spent on cancellations (a worker stopped mid-job).
EXTRA_TRIES_FOR_CANCELLATIONS = 5


async def relay_forever(ctx: dict[str, Any]) -> None:
    """Drain the outbox, then wait a poll interval; Redis or database down: try later."""
    settings = resources(ctx).settings
    while True:
        try:
            await jobs.relay_outbox(ctx)
        except Exception as exc:  # the events wait in the outbox; nothing is lost
            log.warning(
                "outbox relay failed, retrying in %ss: %s", settings.outbox_poll_seconds, exc
            )
        await asyncio.sleep(settings.outbox_poll_seconds)


def worker_options(settings: Settings) -> dict[str, Any]:
    """The arq Worker's arguments (also the attributes of ``WorkerSettings``)."""

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx[CTX_KEY] = Resources.build(settings)
        ctx[RELAY_TASK] = asyncio.create_task(relay_forever(ctx))
        log.info("worker started: relaying the outbox every %ss", settings.outbox_poll_seconds)

    async def on_shutdown(ctx: dict[str, Any]) -> None:
        task: asyncio.Task[None] | None = ctx.pop(RELAY_TASK, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if CTX_KEY in ctx:
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


def __getattr__(name: str) -> Any:
    # ``arq supportdesk.worker.arq_app.WorkerSettings`` works too; built on first use so
    # importing this module reads no environment.
    if name == "WorkerSettings":
        from supportdesk.config import resolve_secret_key

        return type("WorkerSettings", (), worker_options(resolve_secret_key(Settings())))
    raise AttributeError(name)
