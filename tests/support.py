"""Small test helpers: a movable clock, a SQL statement counter, stored rows and storage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.services.attachments import AttachmentStorage

Row = TypeVar("Row")


@dataclass
class FrozenClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@dataclass
class StatementCounter:
    """Counts the SQL statements the engine sends while ``count`` is true."""

    engine: AsyncEngine
    statements: list[str] = field(default_factory=list)
    # Each statement with the parameters it was sent with, to EXPLAIN it again.
    executed: list[tuple[str, Any]] = field(default_factory=list)
    counting: bool = False

    def __post_init__(self) -> None:
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any
    ) -> None:
        if self.counting:
            self.statements.append(statement)
            self.executed.append((statement, parameters))

    def start(self) -> None:
        self.statements.clear()
        self.executed.clear()
        self.counting = True

    def stop(self) -> int:
        self.counting = False
        return len(self.statements)

    def detach(self) -> None:
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._on_execute)


async def stored(database: Database, model: type[Row], row_id: int) -> Row:
    """A row as committed, read back in a transaction of its own."""
    async with database.transaction() as session:
        row = await session.get(model, row_id)
        assert row is not None, f"{model.__name__} {row_id} is not stored"
        return row


def attachment_storage(settings: Settings) -> AttachmentStorage:
    """The tests' attachment storage, with a 1 KiB limit."""
    return AttachmentStorage(settings.attachments_dir, 1024)


def ticket_rows(count: int, **values: Any) -> list[dict[str, Any]]:
    """``count`` tickets of project 1 as rows for one bulk INSERT, cycling through the
    statuses and priorities; ``values`` set the same column on every row."""
    created = datetime(2026, 1, 1, tzinfo=UTC)
    statuses = list(TicketStatus)
    priorities = list(Priority)
    return [
        {
            "project_id": 1,
            "year": 2026,
            "number": n,
            "ticket_number": f"DEMO-2026-{n:05d}",
            "subject": f"Ticket {n}",
            "description": "Bulk",
            "status": statuses[n % len(statuses)],
            "priority": priorities[n % len(priorities)],
            "created_at": created,
            "updated_at": created,
            **values,
        }
        for n in range(1, count + 1)
    ]


async def table_scans(database: Database, sql: str, parameters: Any) -> list[str]:
    """The tables the database's plan for ``sql`` reads whole (no index narrows them).

    PostgreSQL is asked to avoid whole-table reads, so that it reads one only where no
    index can serve: on a test's small table its costs may otherwise favour one, and the
    answer would depend on the statistics of the moment rather than on the indexes.
    """
    async with database.engine.connect() as connection:
        if database.is_sqlite:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters)
            steps = [str(row[-1]).split() for row in plan]
            return [step[1] for step in steps if step[0] == "SCAN" and "USING" not in step]
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        explained = await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", parameters)
        document = explained.scalar_one()
    root = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    scans: list[str] = []
    nodes = [root]
    while nodes:
        node = nodes.pop()
        if node["Node Type"] == "Seq Scan":
            scans.append(node["Relation Name"])
        nodes.extend(node.get("Plans", ()))
    return scans
