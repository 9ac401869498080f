"""The outbox: domain events waiting for the worker (DESIGN.md §7)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core import clock
from supportdesk.core.events import EventType
from supportdesk.models import OutboxEvent
from supportdesk.repositories.base import Repository

# How much of a failure's text an event keeps: enough to diagnose, never unbounded.
ERROR_MAX_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int
    oldest_created_at: datetime | None


def record_event(session: AsyncSession, event_type: EventType, payload: dict[str, Any]) -> None:
    """Queue an event for the worker; it is published only if the transaction commits."""
    session.add(OutboxEvent(event_type=str(event_type), payload=payload, created_at=clock.now()))


def _pending() -> tuple[ColumnElement[bool], ...]:
    return (OutboxEvent.published_at.is_(None), OutboxEvent.failed_at.is_(None))


class OutboxRepository(Repository):
    async def publish_next(self, limit: int, at: datetime) -> list[int]:
        """Mark the oldest pending events published, returning their ids (oldest first).

        One statement claims and marks them. On PostgreSQL the rows are locked with SKIP
        LOCKED, so several relays share the backlog without waiting on each other or
        publishing an event twice; SQLite has one writer at a time. The caller hands the
        events on before committing: if that fails, the rollback leaves them pending.
        """
        oldest = select(OutboxEvent.id).where(*_pending()).order_by(OutboxEvent.id).limit(limit)
        if self.is_postgresql:
            oldest = oldest.with_for_update(skip_locked=True)
        result = await self.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(oldest.scalar_subquery()))
            .values(published_at=at)
            .returning(OutboxEvent.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(result.scalars().all())

    async def pending(
        self, limit: int, *, excluding: Collection[int] = ()
    ) -> Sequence[tuple[int, int]]:
        """(id, attempts) of the oldest pending events, without locking them."""
        query = select(OutboxEvent.id, OutboxEvent.attempts).where(*_pending())
        if excluding:
            query = query.where(OutboxEvent.id.not_in(excluding))
        rows = await self.session.execute(query.order_by(OutboxEvent.id).limit(limit))
        return [(event_id, attempts) for event_id, attempts in rows.all()]

    async def get(self, event_id: int) -> OutboxEvent | None:
        return await self.session.get(OutboxEvent, event_id)

    async def mark_published(self, event_ids: Sequence[int], at: datetime) -> None:
        if event_ids:
            await self.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(event_ids), OutboxEvent.published_at.is_(None))
                .values(published_at=at)
            )

    async def record_failure(
        self, event_id: int, attempt: int, error: str, *, failed_at: datetime | None
    ) -> None:
        """Note a failed delivery; ``failed_at`` gives the event up for good."""
        await self.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id)
            .values(attempts=attempt, last_error=error[:ERROR_MAX_LENGTH], failed_at=failed_at)
        )

    async def backlog(self) -> Backlog:
        count, oldest = (
            await self.session.execute(
                select(func.count(), func.min(OutboxEvent.created_at)).where(*_pending())
            )
        ).one()
        return Backlog(int(count), oldest)

    async def delete_published_before(self, before: datetime) -> int:
        result = await self.session.execute(
            delete(OutboxEvent)
            .where(OutboxEvent.published_at < before, OutboxEvent.failed_at.is_(None))
            .returning(OutboxEvent.id)
        )
        return len(result.all())
