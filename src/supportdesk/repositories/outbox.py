"""The outbox: domain events waiting for the worker (DESIGN.md §7)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, select, update
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


def _unhandled() -> tuple[ColumnElement[bool], ...]:
    return (OutboxEvent.handled_at.is_(None), OutboxEvent.failed_at.is_(None))


class OutboxRepository(Repository):
    async def publish_next(
        self, limit: int, at: datetime, *, overdue_before: datetime | None = None
    ) -> list[int]:
        """Mark the oldest events due to be handed on published, returning their ids.

        Without ``overdue_before``: events never handed on. With it: events handed on
        before that time and still not handled — Redis may have lost them — to be handed
        on again. One statement claims and marks them. On PostgreSQL the rows are locked
        with SKIP LOCKED, so several relays share the backlog without waiting on each
        other or publishing an event twice; SQLite has one writer at a time. The caller
        hands the events on before committing: if that fails, the rollback leaves them
        as they were.
        """
        due = (
            OutboxEvent.published_at.is_(None)
            if overdue_before is None
            else OutboxEvent.published_at < overdue_before
        )
        oldest = (
            select(OutboxEvent.id).where(*_unhandled(), due).order_by(OutboxEvent.id).limit(limit)
        )
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

    async def pending(self, limit: int, *, excluding: Collection[int] = ()) -> Sequence[int]:
        """Ids of the oldest events not yet handled, without locking them."""
        query = select(OutboxEvent.id).where(*_unhandled())
        if excluding:
            query = query.where(OutboxEvent.id.not_in(excluding))
        rows = await self.session.scalars(query.order_by(OutboxEvent.id).limit(limit))
        return rows.all()

    async def get(self, event_id: int) -> OutboxEvent | None:
        return await self.session.get(OutboxEvent, event_id)

    async def mark_handled(self, event_id: int, at: datetime) -> None:
        await self.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id, OutboxEvent.handled_at.is_(None))
            .values(handled_at=at)
        )

    async def record_failure(
        self, event_id: int, error: str, *, at: datetime, max_tries: int
    ) -> tuple[int, bool]:
        """Count a failed try; the event is given up (``failed_at``) after ``max_tries``.

        Counted in the row rather than taken from the queue's try number: an event
        handed on again starts a new job, not a new count. Returns the tries so far and
        whether the event was given up.
        """
        tries = OutboxEvent.attempts + 1
        result = await self.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id)
            .values(
                attempts=tries,
                last_error=error[:ERROR_MAX_LENGTH],
                failed_at=case((tries >= max_tries, at), else_=None),
            )
            .returning(OutboxEvent.attempts, OutboxEvent.failed_at)
            .execution_options(synchronize_session=False)
        )
        row = result.one_or_none()
        if row is None:
            return 0, True
        return int(row.attempts), row.failed_at is not None

    async def backlog(self) -> Backlog:
        count, oldest = (
            await self.session.execute(
                select(func.count(), func.min(OutboxEvent.created_at)).where(*_unhandled())
            )
        ).one()
        return Backlog(int(count), oldest)

    async def delete_handled_before(self, before: datetime) -> int:
        result = await self.session.execute(
            delete(OutboxEvent)
            .where(OutboxEvent.handled_at < before, OutboxEvent.failed_at.is_(None))
            .returning(OutboxEvent.id)
        )
        return len(result.all())
