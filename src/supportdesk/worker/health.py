"""How far behind the worker is, for ``GET /ready``."""

from __future__ import annotations

from typing import Any

from supportdesk.core import clock
from supportdesk.core.db import Database
from supportdesk.repositories.outbox import OutboxRepository


async def outbox_backlog(database: Database) -> dict[str, Any]:
    """Events not yet handed on, and the age in seconds of the oldest (None: no backlog)."""
    async with database.transaction(read_only=True) as session:
        backlog = await OutboxRepository(session).backlog()
    age = None
    if backlog.oldest_created_at is not None:
        age = max(0.0, round((clock.now() - backlog.oldest_created_at).total_seconds(), 3))
    return {"pending": backlog.pending, "oldest_age_seconds": age}
