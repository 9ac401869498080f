"""Small test helpers: a movable clock, a SQL statement counter, stored rows and storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from supportdesk.config import Settings
from supportdesk.core.db import Database
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
