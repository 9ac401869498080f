"""Domain events, written to the outbox in the transaction of the change that caused them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core import clock
from supportdesk.models.outbox import OutboxEvent


class EventType(StrEnum):
    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    TICKET_REPLIED = "ticket.replied"
    TICKET_NOTE_ADDED = "ticket.note_added"
    TICKET_ASSIGNED = "ticket.assigned"
    TICKET_STATUS_CHANGED = "ticket.status_changed"
    TICKET_PRIORITY_CHANGED = "ticket.priority_changed"
    TICKET_RATED = "ticket.rated"
    TICKET_DELETED = "ticket.deleted"
    SLA_BREACHED = "sla.breached"


def record_event(session: AsyncSession, event_type: EventType, payload: dict[str, Any]) -> None:
    """Queue an event for the worker; it is published only if the transaction commits."""
    session.add(OutboxEvent(event_type=str(event_type), payload=payload, created_at=clock.now()))
