"""Per agent and per department figures for the internal API's reports (seed 000).

Aggregates like every report: one statement each, whatever the number of tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from supportdesk.auth.principal import Principal
from supportdesk.core.enums import MessageType, Role, SenderType
from supportdesk.models import Department, Message, Ticket, User
from supportdesk.repositories.base import count_if, not_deleted, sum_if
from supportdesk.repositories.reports import (
    Duration,
    ReportRepository,
    ReportScope,
    _breached,
    _finished,
    _resolved_with_time,
)


@dataclass(frozen=True, slots=True)
class AgentFiguresRow:
    """An agent's tickets created in the range, and their replies posted in it."""

    user_id: int
    name: str
    email: str
    assigned: int
    open: int
    resolved: int
    breached: int
    replies: int
    first_response: Duration
    resolution: Duration


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    department_id: int
    name: str
    total: int
    open: int
    resolved: int
    breached: int
    unassigned: int
    resolution: Duration


class StaffReportRepository(ReportRepository):
    """Per agent and per department figures; every agent and department listed."""

    async def agent_figures(
        self, principal: Principal, scope: ReportScope
    ) -> Sequence[AgentFiguresRow]:
        resolution = self._microseconds(Ticket.resolved_at, Ticket.created_at)
        first_response = self._microseconds(Ticket.first_responded_at, Ticket.created_at)
        responded = Ticket.first_responded_at.is_not(None)
        replies = (
            select(func.count(Message.id))
            .where(
                Message.author_id == User.id,
                Message.type == MessageType.REPLY,
                Message.sender_type == SenderType.STAFF,
                Message.created_at >= scope.start,
                Message.created_at <= scope.end,
            )
            .correlate(User)
            .scalar_subquery()
        )
        joined = and_(Ticket.assignee_id == User.id, *self._tickets(principal, scope))
        rows = (
            await self.session.execute(
                select(
                    User.id,
                    User.name,
                    User.email,
                    func.count(Ticket.id),
                    count_if(and_(Ticket.id.is_not(None), ~_finished())),
                    count_if(_finished()),
                    count_if(_breached()),
                    replies,
                    sum_if(responded, first_response),
                    count_if(responded),
                    sum_if(_resolved_with_time(), resolution),
                    count_if(_resolved_with_time()),
                )
                .outerjoin(Ticket, joined)
                .where(User.role == Role.AGENT, not_deleted(User))
                .group_by(User.id, User.name, User.email)
                .order_by(User.name, User.id)
            )
        ).all()
        return [
            AgentFiguresRow(
                user_id=int(row[0]),
                name=row[1],
                email=row[2],
                assigned=int(row[3]),
                open=int(row[4]),
                resolved=int(row[5]),
                breached=int(row[6]),
                replies=int(row[7] or 0),
                first_response=Duration(int(row[8]), int(row[9])),
                resolution=Duration(int(row[10]), int(row[11])),
            )
            for row in rows
        ]

    async def department_figures(
        self, principal: Principal, scope: ReportScope
    ) -> Sequence[DepartmentRow]:
        resolution = self._microseconds(Ticket.resolved_at, Ticket.created_at)
        joined = and_(Ticket.department_id == Department.id, *self._tickets(principal, scope))
        rows = (
            await self.session.execute(
                select(
                    Department.id,
                    Department.name,
                    func.count(Ticket.id),
                    count_if(and_(Ticket.id.is_not(None), ~_finished())),
                    count_if(_finished()),
                    count_if(_breached()),
                    count_if(and_(Ticket.id.is_not(None), Ticket.assignee_id.is_(None))),
                    sum_if(_resolved_with_time(), resolution),
                    count_if(_resolved_with_time()),
                )
                .outerjoin(Ticket, joined)
                .group_by(Department.id, Department.name)
                .order_by(Department.sort_order, Department.name, Department.id)
            )
        ).all()
        return [
            DepartmentRow(
                department_id=int(row[0]),
                name=row[1],
                total=int(row[2]),
                open=int(row[3]),
                resolved=int(row[4]),
                breached=int(row[5]),
                unassigned=int(row[6]),
                resolution=Duration(int(row[7]), int(row[8])),
            )
            for row in rows
        ]
