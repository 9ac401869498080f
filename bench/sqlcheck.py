"""Do the twins send the product's SQL? Both are run in this process and compared.

The product (`supportdesk.app`, this checkout's) is driven through httpx's ASGI transport
with a SQLAlchemy listener recording each statement it executes; the twins
(bench/twins.py) likewise, with asyncpg's query logger on their connections. Each
request is sent once to warm up (first connections introspect types), then once more
recorded. Transaction control (BEGIN, COMMIT) is left out and whitespace is collapsed;
what remains must be the same statements, as many times each; the order is reported.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import servers
import twins

TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})
ASGI_CLIENT = ("127.0.0.1", 50000)
SHOWN_DIFF_LINES = 40


@dataclass(frozen=True, slots=True)
class Probe:
    method: str
    path: str
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    probe: Probe
    product: list[str]
    twin: list[str]

    @property
    def same(self) -> bool:
        """The same statements, as many times each (SQLAlchemy's order of the eager loads
        of one query is not fixed from one process to the next)."""
        return sorted(self.product) == sorted(self.twin)

    @property
    def same_order(self) -> bool:
        return self.product == self.twin

    def diff(self) -> list[str]:
        lines = difflib.unified_diff(self.product, self.twin, "product", "twin", lineterm="", n=0)
        return [line[:300] for line in lines][:SHOWN_DIFF_LINES]


def _normalised(statement: str) -> str | None:
    text = " ".join(statement.split()).rstrip(";")
    return None if text.upper() in TRANSACTION_CONTROL else text


Recorder = list[str]


async def _record(
    app: Any, token: str, probes: Sequence[Probe], recorded: Recorder
) -> list[list[str]]:
    """Each probe's statements, as ``recorded`` collects them while it is answered."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    transport = httpx.ASGITransport(app=app, client=ASGI_CLIENT)
    results = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for warm in (True, False):
            for probe in probes:
                recorded.clear()
                response = await client.request(
                    probe.method, probe.path, content=probe.body, headers=headers
                )
                await asyncio.sleep(0)  # asyncpg tells its query loggers with call_soon
                if response.status_code >= 300:
                    raise RuntimeError(
                        f"{probe.method} {probe.path}: {response.status_code} {response.text[:300]}"
                    )
                if not warm:
                    statements = [_normalised(s) for s in recorded]
                    results.append([s for s in statements if s is not None])
    return results


async def _product(database: str, token: str, probes: Sequence[Probe]) -> list[list[str]]:
    from sqlalchemy import event

    from supportdesk.app import create_app
    from supportdesk.config import Settings

    settings = Settings(
        database_url=f"postgresql+asyncpg://{servers.PG_USER}@{servers.PG_HOST}:"
        f"{servers.PG_PORT}/{database}",
        secret_key=servers.SECRET_KEY,
        redis_url="",
        in_process_jobs=False,
        rate_limit_per_minute=100_000_000,
        log_level="warning",
    )
    app = create_app(settings)
    recorded: Recorder = []

    def record(*args: Any) -> None:
        recorded.append(args[2])  # (connection, cursor, statement, parameters, …)

    database = app.state.database
    # The request's engine, and the one for work committed apart (ticket numbers).
    for engine in (database.engine, getattr(database, "autonomous", None)):
        if engine is not None:
            event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        return await _record(app, token, probes, recorded)
    finally:
        await app.state.database.dispose()


async def _twin(database: str, token: str, probes: Sequence[Probe]) -> list[list[str]]:
    app = twins.Twins(servers.dsn(database), servers.SECRET_KEY, servers.principal_cache_seconds())
    recorded: Recorder = []
    await app.start(on_query=lambda logged: recorded.append(logged.query))
    try:
        return await _record(app, token, probes, recorded)
    finally:
        await app.stop()


async def compare(database: str, token: str, probes: Sequence[Probe]) -> list[Comparison]:
    product = await _product(database, token, probes)
    twin = await _twin(database, token, probes)
    return [Comparison(probe, p, t) for probe, p, t in zip(probes, product, twin, strict=True)]
