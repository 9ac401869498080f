"""An agent's ticket figures, counted in one aggregate statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from supportdesk.core.enums import SenderType, TicketStatus
from supportdesk.models import Ticket
from supportdesk.repositories.base import Repository, count_if, not_deleted


@dataclass(frozen=True, slots=True)
class DashboardCounts:
    open_tickets: int
    in_progress_tickets: int
    needs_response: int
    closed_today: int


class AgentDashboardRepository(Repository):
    async def counts(
        self, assignee_id: int, day_start: datetime, day_end: datetime
    ) -> DashboardCounts:
        """Figures over the tickets assigned to ``assignee_id`` (ix_tickets_assignee_id_status).

        A ticket needs a response while it is still being worked on and the customer
        spoke last, or nobody from staff has replied yet. ``last_reply_by`` is kept by
        every reply (internal notes leave it alone), so no message is read here.
        """
        unfinished = Ticket.status.not_in([TicketStatus.RESOLVED, TicketStatus.CLOSED])
        awaiting_staff = or_(
            Ticket.last_reply_by.is_(None), Ticket.last_reply_by == SenderType.CUSTOMER
        )
        row = (
            await self.session.execute(
                select(
                    count_if(Ticket.status == TicketStatus.OPEN),
                    count_if(Ticket.status == TicketStatus.IN_PROGRESS),
                    count_if(and_(unfinished, awaiting_staff)),
                    count_if(
                        and_(
                            Ticket.status == TicketStatus.CLOSED,
                            Ticket.closed_at >= day_start,
                            Ticket.closed_at < day_end,
                        )
                    ),
                ).where(Ticket.assignee_id == assignee_id, not_deleted(Ticket))
            )
        ).one()
        return DashboardCounts(*(int(value) for value in row))
