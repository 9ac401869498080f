"""Domain event types. Events are written to the outbox (repositories/outbox.py) in the
transaction of the change that caused them."""

from __future__ import annotations

from enum import StrEnum


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
    SLA_WARNING = "sla.warning"
    CUSTOMER_CREATED = "customer.created"
