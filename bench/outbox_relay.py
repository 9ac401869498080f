"""How many outbox events per second the relay hands to arq, on PostgreSQL and Redis.

Fills the outbox with ``--events`` pending events, then runs ``--relays`` relays at once
(as that many ``supportdesk worker`` processes would, sharing the rows through
``FOR UPDATE SKIP LOCKED``) until the outbox is empty, and prints events per second.
It then checks that every event was published once and queued once.

Only the relay is measured (claim, enqueue one arq job per event, mark published); the
event jobs themselves are left in the queue and removed at the end. The database is
migrated first and its outbox emptied: use a throw-away database. SupportDesk's queue and
jobs are removed from Redis before and after the run; other keys are left alone.

    python bench/outbox_relay.py \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/sd_bench \\
        --redis-url redis://127.0.0.1:6379/7
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.migrations import upgrade_to_head
from supportdesk.models import OutboxEvent
from supportdesk.worker import jobs
from supportdesk.worker.arq_app import QUEUE_NAME
from supportdesk.worker.context import Resources, make_ctx

PROTECTED_DATABASES = frozenset({"postgres", "supportdesk_ci", "template0", "template1"})
INSERT_CHUNK = 5000


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgresql+asyncpg://…")
    parser.add_argument("--redis-url", required=True, help="redis://host:port/<db, not 0>")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100, help="events claimed per transaction")
    parser.add_argument("--relays", type=int, default=1, help="relays running at once")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs")
    return parser.parse_args()


def _check_targets(args: argparse.Namespace) -> None:
    url = make_url(args.database_url)
    if url.get_backend_name() != "postgresql" or url.database in PROTECTED_DATABASES:
        sys.exit("--database-url must name a throw-away PostgreSQL database")
    redis = RedisSettings.from_dsn(args.redis_url)
    if redis.database == 0:
        sys.exit("--redis-url must name a Redis database of its own (not 0)")


async def _fill(database: Database, count: int) -> None:
    now = datetime.now(UTC)
    row = {"event_type": "ticket.updated", "created_at": now, "attempts": 0}
    async with database.transaction() as session:
        await session.execute(text("TRUNCATE outbox RESTART IDENTITY"))
        for start in range(0, count, INSERT_CHUNK):
            size = min(INSERT_CHUNK, count - start)
            await session.execute(
                insert(OutboxEvent),
                [{**row, "payload": {"ticket_id": start + i}} for i in range(size)],
            )


async def _clear(pool: ArqRedis) -> None:
    """Remove SupportDesk's queue and event jobs, nothing else."""
    keys = [QUEUE_NAME]
    async for key in pool.scan_iter(match="arq:*outbox:*", count=10_000):
        keys.append(key)
    for start in range(0, len(keys), 10_000):
        await pool.delete(*keys[start : start + 10_000])


async def _run(args: argparse.Namespace, resources: Resources) -> tuple[float, int, int]:
    pool = await create_pool(RedisSettings.from_dsn(args.redis_url), default_queue_name=QUEUE_NAME)
    try:
        await _clear(pool)
        await _fill(resources.database, args.events)
        ctx = make_ctx(resources, redis=pool)
        started = time.perf_counter()
        counts = await asyncio.gather(*(jobs.relay_outbox(ctx) for _ in range(args.relays)))
        elapsed = time.perf_counter() - started
        queued = int(await pool.zcard(QUEUE_NAME))
        await _clear(pool)
    finally:
        await pool.aclose()
    async with resources.database.transaction(read_only=True) as session:
        published = int(
            await session.scalar(select(func.count()).where(OutboxEvent.published_at.is_not(None)))
            or 0
        )
    assert sum(counts) == published == queued == args.events, (counts, published, queued)
    return elapsed, published, queued


async def _bench(args: argparse.Namespace) -> None:
    settings = Settings(
        database_url=args.database_url,
        redis_url=args.redis_url,
        outbox_batch_size=args.batch,
        _env_file=None,  # type: ignore[call-arg]
    )
    resources = Resources.build(settings)
    try:
        print(f"{args.events} events, batch {args.batch}, {args.relays} relay(s) at once")
        rates = []
        for run in range(1, args.repeat + 1):
            elapsed, published, _ = await _run(args, resources)
            rates.append(published / elapsed)
            print(f"run {run}: {published} events in {elapsed:.2f} s = {rates[-1]:,.0f} events/s")
        rates.sort()
        print(f"median: {rates[len(rates) // 2]:,.0f} events/s (each published and queued once)")
    finally:
        await resources.database.dispose()


def main() -> None:
    args = _arguments()
    _check_targets(args)
    upgrade_to_head(args.database_url)  # runs its own event loop
    asyncio.run(_bench(args))


if __name__ == "__main__":
    main()
