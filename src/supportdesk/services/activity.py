"""The audit trail: every change to a ticket, by whom, from where."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.core import clock
from supportdesk.models import Activity, Ticket


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
            user_id=principal.user_id,
            api_key_id=principal.api_key.id if principal.api_key is not None else None,
            action=action,
            description=description,
            changes=changes or {},
            ip_address=principal.ip_address,
            created_at=clock.now(),
        )
        self.session.add(activity)
        return activity
