"""What an Idempotency-Key adds to a create: `POST /api/tickets` with and without one.

Starts `supportdesk serve` on a throw-away PostgreSQL database (dropped and created
afresh) and logs in as the bootstrap administrator. Then ``--concurrency`` keep-alive
connections each send creates for ``--duration`` seconds, alternating one without the
header and one with a new key (each keyed request claims, then completes, a record of
its own). Alternating request by request puts both kinds under the same load at the same
moments, which on a shared machine matters more than anything else: the figures are a
paired comparison, not two runs minutes apart. It prints p50, p99 and the mean of each
kind, and the differences: the latency the idempotency record adds.

    python3 -m uv run python bench/idempotency_cost.py --duration 60

Every key is new (numbered within the run): a key sent twice would be a replay, which
skips the create, and flatter the figure. The script checks that every keyed create
left its record.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import load
import procfs
import servers
from scenarios import create_body

PROTECTED_DATABASES = frozenset({"postgres", "supportdesk_ci", "template0", "template1"})
ADMIN_EMAIL = "admin@support.local"
KINDS = ("without key", "with a new key")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="supportdesk_bench_idempotency")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=2, help="keep-alive connections")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument(
        "--server-cmd",
        default="python3 -m uv run supportdesk serve",
        help="how to start the server",
    )
    return parser.parse_args()


def _login(port: int) -> str:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        response = client.post(
            "/api/auth/login", json={"email": ADMIN_EMAIL, "password": servers.ADMIN_PASSWORD}
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token


async def _stored_records(database: str) -> int:
    connection = await asyncpg.connect(servers.dsn(database))
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM idempotency_records")
        return count
    finally:
        await connection.close()


async def _measure(
    port: int, token: str, connections: int, warmup: float, duration: float
) -> tuple[dict[str, list[float]], int]:
    """Latencies (seconds) of each kind, and how many keyed creates were answered."""
    body = create_body(1)
    base = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    keys = (f"{uuid.uuid4().hex[:8]}-{n}" for n in itertools.count())
    latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
    keyed = 0

    async def connection(first: int, until: float, record: bool) -> None:
        nonlocal keyed
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30
        ) as client:
            for turn in itertools.count(first):
                if time.monotonic() >= until:
                    return
                kind = KINDS[turn % 2]
                headers = base if kind == KINDS[0] else {**base, "Idempotency-Key": next(keys)}
                started = time.perf_counter()
                response = await client.post("/api/tickets", content=body, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 201 or "Idempotent-Replayed" in response.headers:
                    sys.exit(f"error: {kind}: {response.status_code} {response.text[:300]}")
                if kind == KINDS[1]:
                    keyed += 1
                if record:
                    latencies[kind].append(elapsed)

    for seconds, record in ((warmup, False), (duration, True)):
        until = time.monotonic() + seconds
        await asyncio.gather(*(connection(n, until, record) for n in range(connections)))
    return latencies, keyed


async def _stored_records(database: str) -> int:
    connection = await asyncpg.connect(servers.dsn(database))
    try:
        count: int = await connection.fetchval("SELECT count(*) FROM idempotency_records")
        return count
    finally:
        await connection.close()


def main() -> None:
    args = _arguments()
    if args.database in PROTECTED_DATABASES:
        sys.exit("--database must name a throw-away database")
    commands = servers.Commands(tuple(args.server_cmd.split()), Path.cwd())
    scratch = Path(tempfile.mkdtemp(prefix="bench-idempotency-"))
    asyncio.run(servers.recreate_database(args.database))
    port = servers.free_port()
    server = servers.product_server(commands, args.database, port, args.workers, scratch)
    server.start()
    try:
        server.wait_ready(port, "/health")
        token = _login(port)
        load_start = procfs.load_average()
        latencies, keyed = asyncio.run(
            _measure(port, token, args.concurrency, args.warmup, args.duration)
        )
        load_end = procfs.load_average()
        stored = asyncio.run(_stored_records(args.database))
        if stored != keyed:
            sys.exit(f"error: {stored} records for {keyed} keyed creates")
    finally:
        server.stop()

    print(
        f"{args.duration:g} s, {args.concurrency} connection(s), {args.workers} worker(s), "
        f"load average {load_start:.1f} to {load_end:.1f}"
    )
    figures: dict[str, tuple[float, float, float]] = {}
    for kind in KINDS:
        ordered = sorted(latencies[kind])
        p50, p99 = load.percentile_ms(ordered, 50), load.percentile_ms(ordered, 99)
        mean = statistics.fmean(ordered) * 1000
        figures[kind] = (p50, p99, mean)
        print(
            f"  {kind:>15}: {len(ordered):6d} creates  p50 {p50:7.2f} ms  "
            f"p99 {p99:7.2f} ms  mean {mean:7.2f} ms"
        )
    (p50a, p99a, meana), (p50b, p99b, meanb) = figures[KINDS[0]], figures[KINDS[1]]
    print(
        f"  {'added by the key':>15}:                 p50 {p50b - p50a:+7.2f} ms  "
        f"p99 {p99b - p99a:+7.2f} ms  mean {meanb - meana:+7.2f} ms"
    )


if __name__ == "__main__":
    main()
