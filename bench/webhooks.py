"""How many webhook deliveries per second one worker sends to a local receiver.

Fills ``webhook_deliveries`` with ``--deliveries`` pending deliveries of one subscription
(their tickets spread over ``--tickets`` lines, so the per-ticket order applies), starts
a receiver in a process of its own (a bare asyncio HTTP/1.1 server answering 204), and
runs one worker's dispatcher until nothing is due: claim, sign, POST, record each
attempt. Prints deliveries per second and checks that the receiver got each one once.

The database is migrated and its webhook tables emptied: use a throw-away database.

    python bench/webhooks.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/sd_bench
    python bench/webhooks.py  # a scratch SQLite file
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.migrations import upgrade_to_head
from supportdesk.core.webhook_signature import new_secret
from supportdesk.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from supportdesk.services.webhook_delivery import WebhookDispatcher, WebhookSender

ANSWER = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"


# ---------------------------------------------------------------------- the receiver


async def _serve(port: int, counts: Path) -> None:
    received = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                received += 1
                writer.write(ANSWER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def report() -> None:
        while True:
            await asyncio.sleep(0.2)
            await asyncio.to_thread(counts.write_text, str(received))

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    asyncio.create_task(report())  # noqa: RUF006 - lives as long as the server
    async with server:
        await server.serve_forever()


async def _wait_for(port: int, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)
        else:
            writer.close()
            return


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------- the run


async def _fill(database: Database, url: str, deliveries: int, tickets: int) -> None:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        await session.execute(delete(WebhookAttempt))
        await session.execute(delete(WebhookDelivery))
        await session.execute(delete(WebhookSubscription))
        subscription = WebhookSubscription(url=url, events=["*"], secret=new_secret())
        session.add(subscription)
        await session.flush()
        payload = {
            "id": "evt_bench",
            "type": "ticket.updated",
            "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": {"ticket": {"id": "tkt_1", "subject": "Cannot log in" * 5}},
        }
        rows = [
            {
                "subscription_id": subscription.id,
                "event_id": f"evt_{index:024x}",
                "event_type": "ticket.updated",
                "payload": payload,
                "ordering_key": f"ticket:{index % tickets}",
                "sequence": index,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for index in range(1, deliveries + 1)
        ]
        for start in range(0, len(rows), 5000):
            await session.execute(insert(WebhookDelivery), rows[start : start + 5000])


async def _run(args: argparse.Namespace) -> int:
    settings = Settings(
        database_url=args.database_url,
        secret_key="b" * 40,  # type: ignore[arg-type]
        webhook_allow_http=True,
        webhook_allowed_hosts=("127.0.0.1",),
        webhook_concurrency=args.concurrency,
        _env_file=None,  # type: ignore[call-arg]
    )
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    database = Database(settings.database_url)
    port = _free_port()
    counts = Path(tempfile.mkdtemp()) / "received"
    # A process of its own, so the receiver does not share the worker's event loop.
    receiver = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-receiver", str(port), "--counts", str(counts)
    )
    try:
        await _wait_for(port)
        await _fill(database, f"http://127.0.0.1:{port}/hook", args.deliveries, args.tickets)
        sender = WebhookSender(settings)
        dispatcher = WebhookDispatcher(settings, database, sender)
        started = time.perf_counter()
        sent = await dispatcher.run()
        elapsed = time.perf_counter() - started
        await sender.aclose()
        await asyncio.sleep(0.5)
        received = int(await asyncio.to_thread(counts.read_text)) if counts.exists() else -1
        async with database.transaction(read_only=True) as session:
            delivered = await session.scalar(
                select(func.count()).where(WebhookDelivery.status == "delivered")
            )
        result = {
            "database": settings.database_url.split("://")[0],
            "deliveries": args.deliveries,
            "tickets": args.tickets,
            "concurrency": args.concurrency,
            "seconds": round(elapsed, 2),
            "deliveries_per_second": round(sent / elapsed, 1),
            "received": received,
            "delivered": delivered,
        }
        print(json.dumps(result))
        return 0 if received == args.deliveries == delivered else 1
    finally:
        receiver.terminate()
        await receiver.wait()
        await database.dispose()


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--serve-receiver", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--counts", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_receiver:
        asyncio.run(_serve(args.serve_receiver, Path(args.counts)))
        return 0
    if not args.database_url:
        args.database_url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    return asyncio.run(_run(args))


if __name__ == "__main__":
    sys.exit(main())
