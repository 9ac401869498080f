"""Load benchmark of the SupportDesk portal API (/api) against a running `supportdesk serve`.

Logs in as an administrator, makes sure the default project holds enough tickets, then
drives three endpoints one after another with a fixed number of concurrent clients:

    GET  /api/tickets?per_page=20
    GET  /api/tickets/{id}
    POST /api/tickets

and prints requests per second, p50/p95/p99 latency and the error count of each. Every
loop is bounded twice: by a request count and by a time limit. Only a server on this
machine (127.0.0.1, localhost or ::1) is accepted as a target.

    python bench/portal_load.py --email admin@support.local --password '…'
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PROJECT_ID = 1
SEED_CONCURRENCY_CAP = 8
REQUEST_TIMEOUT = 30.0
SCENARIOS = ("list", "get", "create")

Call = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    first_error: str | None = None

    @property
    def count(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed > 0 else 0.0

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile of the successful requests, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] * 1000

    def record_error(self, detail: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = detail


def loopback_url(raw: str) -> str:
    """The base URL without a trailing slash, if it points at this machine; else exit."""
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL as exc:
        raise SystemExit(f"error: invalid --base-url {raw!r}: {exc}") from exc
    if url.scheme not in ("http", "https"):
        raise SystemExit(f"error: --base-url must be http:// or https://, not {raw!r}")
    if url.host not in LOOPBACK_HOSTS:
        raise SystemExit(
            f"error: --base-url host {url.host!r} is not a loopback address "
            f"({', '.join(sorted(LOOPBACK_HOSTS))}); this benchmark targets only this machine"
        )
    return str(url).rstrip("/")


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--email", default="admin@support.local", help="an admin's e-mail")
    parser.add_argument("--password", required=True, help="that admin's password")
    parser.add_argument("--concurrency", type=positive, default=16, help="concurrent clients")
    parser.add_argument(
        "--requests", type=positive, default=2000, help="requests per endpoint (at most)"
    )
    parser.add_argument(
        "--duration",
        type=positive_float,
        default=60.0,
        help="time limit per endpoint, seconds",
    )
    parser.add_argument(
        "--seed-tickets",
        type=positive,
        default=200,
        help="tickets the default project must hold before measuring",
    )
    parser.add_argument(
        "--warmup", type=int, default=50, help="unmeasured requests before each endpoint"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SCENARIOS,
        help="measure only this endpoint (repeatable): list, get or create",
    )
    return parser.parse_args(argv)


def new_ticket_body(n: int) -> dict[str, Any]:
    return {
        "project_id": PROJECT_ID,
        "subject": f"Benchmark ticket {n}",
        "description": "Created by bench/portal_load.py to measure the portal API.",
        "priority": ("low", "medium", "high", "critical")[n % 4],
    }


async def login(client: httpx.AsyncClient, email: str, password: str) -> str:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    if response.status_code != 200:
        raise SystemExit(f"error: login failed: {response.status_code} {response.text[:300]}")
    user = response.json().get("user", {})
    if user.get("role") not in ("super_admin", "admin"):
        raise SystemExit(f"error: {email} is a {user.get('role')}, not an admin")
    token: str = response.json()["access_token"]
    return token


async def ticket_total(client: httpx.AsyncClient) -> int:
    response = await client.get("/api/tickets", params={"per_page": 1, "project_id": PROJECT_ID})
    response.raise_for_status()
    total: int = response.json()["total"]
    return total


async def seed(client: httpx.AsyncClient, wanted: int, deadline: float) -> int:
    """Create tickets until the default project holds `wanted`; return how many were made."""
    missing = wanted - await ticket_total(client)
    if missing <= 0:
        return 0
    numbers = iter(range(missing))
    created = 0

    async def creator() -> None:
        nonlocal created
        for n in numbers:
            if time.monotonic() > deadline:
                return
            response = await client.post("/api/tickets", json=new_ticket_body(n))
            if response.status_code != 201:
                raise SystemExit(
                    f"error: seeding failed: {response.status_code} {response.text[:300]}"
                )
            created += 1

    async with asyncio.TaskGroup() as group:
        for _ in range(min(SEED_CONCURRENCY_CAP, missing)):
            group.create_task(creator())
    return created


async def ticket_ids(client: httpx.AsyncClient) -> list[int]:
    response = await client.get("/api/tickets", params={"per_page": 100, "project_id": PROJECT_ID})
    response.raise_for_status()
    return [item["id"] for item in response.json()["data"]]


async def drive(
    client: httpx.AsyncClient,
    name: str,
    call: Call,
    *,
    requests: int,
    concurrency: int,
    duration: float,
) -> Result:
    """Send at most `requests` calls with `concurrency` clients, stopping after `duration`."""
    result = Result(name)
    counter = itertools.count()
    deadline = time.monotonic() + duration

    async def worker() -> None:
        while time.monotonic() < deadline:
            n = next(counter)
            if n >= requests:
                return
            started = time.perf_counter()
            try:
                response = await call(client, n)
            except httpx.HTTPError as exc:
                result.record_error(f"{type(exc).__name__}: {exc}")
                continue
            latency = time.perf_counter() - started
            if response.status_code >= 400:
                result.record_error(f"{response.status_code} {response.text[:200]}")
            else:
                result.latencies.append(latency)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, requests)):
            group.create_task(worker())
    result.elapsed = time.perf_counter() - started
    return result


def scenarios(ids: list[int]) -> list[tuple[str, str, Call]]:
    async def list_page(client: httpx.AsyncClient, _: int) -> httpx.Response:
        return await client.get("/api/tickets", params={"per_page": 20})

    async def get_one(client: httpx.AsyncClient, n: int) -> httpx.Response:
        return await client.get(f"/api/tickets/{ids[n % len(ids)]}")

    async def create(client: httpx.AsyncClient, n: int) -> httpx.Response:
        return await client.post("/api/tickets", json=new_ticket_body(n))

    return [
        ("list", "GET /api/tickets?per_page=20", list_page),
        ("get", "GET /api/tickets/{id}", get_one),
        ("create", "POST /api/tickets", create),
    ]


def render(results: list[Result]) -> str:
    header = (
        f"{'endpoint':<30} {'requests':>8} {'errors':>6} {'req/s':>8} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.name:<30} {r.count:>8} {r.errors:>6} {r.rps:>8.1f} "
            f"{r.percentile_ms(50):>8.1f} {r.percentile_ms(95):>8.1f} {r.percentile_ms(99):>8.1f}"
        )
    for r in results:
        if r.first_error is not None:
            lines.append(f"first error of {r.name}: {r.first_error}")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> int:
    base_url = loopback_url(args.base_url)
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=REQUEST_TIMEOUT, trust_env=False
    ) as client:
        token = await login(client, args.email, args.password)
        client.headers["Authorization"] = f"Bearer {token}"

        created = await seed(client, args.seed_tickets, time.monotonic() + args.duration)
        ids = await ticket_ids(client)
        if not ids:
            raise SystemExit("error: the default project holds no tickets to read")
        print(
            f"target {base_url}: {args.concurrency} clients, at most {args.requests} requests "
            f"or {args.duration:g}s per endpoint; seeded {created} tickets",
            flush=True,
        )

        results = []
        for key, name, call in scenarios(ids):
            if args.only and key not in args.only:
                continue
            if args.warmup > 0:
                await drive(
                    client,
                    name,
                    call,
                    requests=args.warmup,
                    concurrency=args.concurrency,
                    duration=args.duration,
                )
            result = await drive(
                client,
                name,
                call,
                requests=args.requests,
                concurrency=args.concurrency,
                duration=args.duration,
            )
            print(f"  {name}: {result.count} requests in {result.elapsed:.1f}s", flush=True)
            results.append(result)

    print()
    print(render(results))
    return 1 if any(r.errors for r in results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except httpx.HTTPError as exc:
        print(
            f"error: {type(exc).__name__}: {exc} (is `supportdesk serve` running at "
            f"{args.base_url}?)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
