"""The audit trail: every change to a ticket, by whom, from where."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.core import clock
from supportdesk.core.events import EventType
from supportdesk.models import Activity, Ticket
from supportdesk.repositories.outbox import record_event


def event_summary(ticket: Ticket, principal: Principal | None = None) -> dict[str, Any]:
    """What every ticket event says: which ticket, in which project, and who acted."""
    return {
        "ticket_id": ticket.id,
        "ticket_number": ticket.ticket_number,
        "project_id": ticket.project_id,
        # Whoever acted (None: the system); nobody is notified of their own action.
        "actor_id": _actor_id(ticket, principal),
    }


def _actor_id(ticket: Ticket, principal: Principal | None) -> int | None:
    if principal is None:
        return None
    if policy.speaks_for_customers(principal):
        # A connected project acts for the ticket's customer.
        return ticket.customer_id
    return principal.actor_id


def _described(principal: Principal, description: str) -> str:
    """A key writes as its user; the description still says which key it was."""
    key = principal.via_key
    return f'{description} (via API key "{key.name}")' if key is not None else description


class ActivityLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(
        self,
        principal: Principal,
        ticket: Ticket | None,
        action: str,
        description: str,
        changes: dict[str, Any] | None = None,
    ) -> Activity:
        activity = Activity(
            ticket_id=ticket.id if ticket is not None else None,
            user_id=principal.actor_id,
            api_key_id=principal.api_key.id if principal.api_key is not None else None,
            action=action,
            description=_described(principal, description),
            changes=changes or {},
            ip_address=principal.ip_address,
            created_at=clock.now(),
        )
        self.session.add(activity)
        return activity

    def record_ticket_change(
        self,
        principal: Principal,
        ticket: Ticket,
        event: EventType,
        action: str,
        description: str,
        changes: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> Activity:
        """A change to a ticket: its activity row, and the event that tells the worker.

        Both are written in the request's transaction, so the trail and the notifications
        never disagree. The event carries the ticket's summary and ``details``.
        """
        activity = self.record(principal, ticket, action, description, changes)
        record_event(self.session, event, {**event_summary(ticket, principal), **(details or {})})
        return activity
