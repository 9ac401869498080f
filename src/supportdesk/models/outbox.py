from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.models.base import Base

_UNHANDLED = "handled_at IS NULL AND failed_at IS NULL"


class OutboxEvent(Base):
    """A domain event waiting for the worker, written in the transaction that caused it.

    The row is the event's source of truth until its handlers have finished
    (``handled_at``): ``published_at`` only says when it was last handed to Redis, which
    may lose it, so an event not handled in time is handed on again.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_unhandled",
            "id",
            postgresql_where=text(_UNHANDLED),
            sqlite_where=text(_UNHANDLED),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
