"""Report queries: every figure is an SQL aggregate over the tickets a principal may see.

Each report costs one statement whatever the number of tickets. Results are raw sums and
counts; the report service turns them into rates and means, so the rounding rule lives
in one place and both databases give the same figures to the last digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    false,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import QueryableAttribute

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.models import Category, Project, ProjectAgent, Ticket, User
from supportdesk.repositories.base import Repository, count_if, not_deleted, sum_if
from supportdesk.repositories.dialect import microseconds_between
from supportdesk.repositories.visibility import visibility

FINISHED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"  # labelled by the week's Monday
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which tickets a report counts: created in [start, end], in one project if given."""

    start: datetime
    end: datetime  # inclusive: the last microsecond of the last day
    project_id: int | None = None


@dataclass(frozen=True, slots=True)
class Duration:
    """The sum of some tickets' durations, in microseconds, and how many were summed."""

    total_us: int
    count: int


@dataclass(frozen=True, slots=True)
class OverviewRow:
    total: int
    by_status: dict[TicketStatus, int]
    unassigned: int
    breached: int
    first_response: Duration
    resolution: Duration


@dataclass(frozen=True, slots=True)
class ProjectRow:
    name: str
    total: int
    resolved: int
    breached: int


@dataclass(frozen=True, slots=True)
class AgentRow:
    name: str
    assigned: int
    resolved: int
    resolution: Duration


@dataclass(frozen=True, slots=True)
class PriorityRow:
    priority: Priority
    total: int
    first_response_breached: int
    resolution_breached: int


@dataclass(frozen=True, slots=True)
class CategoryRow:
    name: str | None  # None: the tickets without a category
    color: str | None
    total: int


@dataclass(frozen=True, slots=True)
class TrendRow:
    period: str
    created: int
    resolved: int


def _sql(text: str) -> ColumnElement[str]:
    """A constant string written into the statement (only ever our own literals)."""
    return literal_column(f"'{text}'")


def _finished() -> ColumnElement[bool]:
    return Ticket.status.in_(FINISHED)


def _breached() -> ColumnElement[bool]:
    return or_(
        Ticket.first_response_breached_at.is_not(None),
        Ticket.resolution_breached_at.is_not(None),
    )


def _resolved_with_time() -> ColumnElement[bool]:
    return and_(_finished(), Ticket.resolved_at.is_not(None))


class ReportRepository(Repository):
    # ------------------------------------------------------------ expressions

    def _microseconds(
        self, later: QueryableAttribute[Any], earlier: QueryableAttribute[Any]
    ) -> ColumnElement[int]:
        return microseconds_between(later, earlier, postgresql=self.is_postgresql)

    def _period(self, column: QueryableAttribute[Any], bucket: Bucket) -> ColumnElement[str]:
        """The label of the UTC day, week (its Monday) or month a timestamp falls in.

        The constants are inlined, not bound: PostgreSQL only accepts a GROUP BY
        expression it can see is the selected one, and two parameters never are.
        """
        if self.is_postgresql:
            # Bucketed in UTC whatever the connection's TimeZone setting.
            utc = func.timezone(_sql("UTC"), column)
            match bucket:
                case Bucket.DAY:
                    return func.to_char(utc, _sql("YYYY-MM-DD"))
                case Bucket.WEEK:
                    # date_trunc('week') starts weeks on Monday (ISO 8601).
                    return func.to_char(func.date_trunc(_sql("week"), utc), _sql("YYYY-MM-DD"))
                case Bucket.MONTH:
                    return func.to_char(utc, _sql("YYYY-MM"))
        match bucket:
            case Bucket.DAY:
                return func.strftime(_sql("%Y-%m-%d"), column)
            case Bucket.WEEK:
                # Back six days, then forward to the next Monday: the Monday on or before.
                return func.date(column, _sql("-6 days"), _sql("weekday 1"))
            case Bucket.MONTH:
                return func.strftime(_sql("%Y-%m"), column)

    # ------------------------------------------------------------ scoping

    def _tickets(self, principal: Principal, scope: ReportScope) -> list[ColumnElement[bool]]:
        """The tickets of a report: visible, not deleted, created in the range."""
        conditions = [
            not_deleted(Ticket),
            visibility(principal),
            Ticket.created_at >= scope.start,
            Ticket.created_at <= scope.end,
        ]
        if scope.project_id is not None:
            conditions.append(Ticket.project_id == scope.project_id)
        return conditions

    # ------------------------------------------------------------ reports

    async def overview(self, principal: Principal, scope: ReportScope) -> OverviewRow:
        first_response = self._microseconds(Ticket.first_responded_at, Ticket.created_at)
        resolution = self._microseconds(Ticket.resolved_at, Ticket.created_at)
        statuses = list(TicketStatus)
        responded = Ticket.first_responded_at.is_not(None)
        row = (
            await self.session.execute(
                select(
                    func.count(Ticket.id),
                    *(count_if(Ticket.status == status) for status in statuses),
                    count_if(Ticket.assignee_id.is_(None)),
                    count_if(_breached()),
                    sum_if(responded, first_response),
                    count_if(responded),
                    sum_if(_resolved_with_time(), resolution),
                    count_if(_resolved_with_time()),
                ).where(*self._tickets(principal, scope))
            )
        ).one()
        values = [int(value) for value in row]
        total, rest = values[0], values[1:]
        by_status = dict(zip(statuses, rest[: len(statuses)], strict=True))
        unassigned, breached, fr_us, fr_n, res_us, res_n = rest[len(statuses) :]
        return OverviewRow(
            total=total,
            by_status=by_status,
            unassigned=unassigned,
            breached=breached,
            first_response=Duration(fr_us, fr_n),
            resolution=Duration(res_us, res_n),
        )

    async def projects(self, principal: Principal, scope: ReportScope) -> Sequence[ProjectRow]:
        """Per project: those with tickets in the range, and the principal's own even without."""
        listed = self._listed_projects(principal)
        total = func.count(Ticket.id)
        joined = and_(Ticket.project_id == Project.id, *self._tickets(principal, scope))
        query = (
            select(Project.name, total, count_if(_finished()), count_if(_breached()))
            .outerjoin(Ticket, joined)
            .group_by(Project.id, Project.name)
            # Grouped by the primary key, so the project's other columns may be read here.
            .having(or_(total > 0, listed))
            .order_by(total.desc(), Project.name, Project.id)
        )
        if scope.project_id is not None:
            query = query.where(Project.id == scope.project_id)
        rows = (await self.session.execute(query)).all()
        return [
            ProjectRow(name, int(count), int(resolved), int(breached))
            for name, count, resolved, breached in rows
        ]

    def _listed_projects(self, principal: Principal) -> ColumnElement[bool]:
        """The projects a report lists even in a period without tickets.

        Only which empty rows appear: the figures themselves always come through
        ``visibility``. Admins see every active project; anyone else the projects
        they work in.
        """
        if policy.oversees_hub(principal):
            return Project.is_active.is_(True)
        if principal.user_id is None:
            return false()
        return Project.id.in_(
            select(ProjectAgent.project_id).where(ProjectAgent.user_id == principal.user_id)
        )

    async def agents(self, principal: Principal, scope: ReportScope) -> Sequence[AgentRow]:
        total = func.count(Ticket.id)
        resolution = self._microseconds(Ticket.resolved_at, Ticket.created_at)
        rows = (
            await self.session.execute(
                select(
                    User.name,
                    total,
                    count_if(_finished()),
                    sum_if(_resolved_with_time(), resolution),
                    count_if(_resolved_with_time()),
                )
                .join(User, User.id == Ticket.assignee_id)
                .where(*self._tickets(principal, scope))
                .group_by(User.id, User.name)
                .order_by(total.desc(), User.name, User.id)
            )
        ).all()
        return [
            AgentRow(name, int(assigned), int(resolved), Duration(int(res_us), int(res_n)))
            for name, assigned, resolved, res_us, res_n in rows
        ]

    async def by_priority(self, principal: Principal, scope: ReportScope) -> Sequence[PriorityRow]:
        rows = (
            await self.session.execute(
                select(
                    Ticket.priority,
                    func.count(Ticket.id),
                    count_if(Ticket.first_response_breached_at.is_not(None)),
                    count_if(Ticket.resolution_breached_at.is_not(None)),
                )
                .where(*self._tickets(principal, scope))
                .group_by(Ticket.priority)
            )
        ).all()
        return [
            PriorityRow(Priority(priority), int(total), int(fr), int(res))
            for priority, total, fr, res in rows
        ]

    async def categories(self, principal: Principal, scope: ReportScope) -> Sequence[CategoryRow]:
        total = func.count(Ticket.id)
        rows = (
            await self.session.execute(
                select(Category.name, Category.color, total)
                .select_from(Ticket)
                .outerjoin(Category, Category.id == Ticket.category_id)
                .where(*self._tickets(principal, scope))
                .group_by(Category.id, Category.name, Category.color)
                # The tickets without a category (a NULL id) come last.
                .order_by(Category.id.is_(None), total.desc(), Category.name, Category.id)
            )
        ).all()
        return [CategoryRow(name, color, int(count)) for name, color, count in rows]

    async def trends(
        self, principal: Principal, scope: ReportScope, bucket: Bucket
    ) -> dict[str, TrendRow]:
        """Created (by created_at) and resolved (by resolved_at) per period, in one statement.

        Only periods with tickets appear; the service fills in the empty ones.
        """
        base = [not_deleted(Ticket), visibility(principal)]
        if scope.project_id is not None:
            base.append(Ticket.project_id == scope.project_id)
        created_period = self._period(Ticket.created_at, bucket).label("period")
        resolved_period = self._period(Ticket.resolved_at, bucket).label("period")
        created = (
            select(created_period, _sql("created").label("kind"), func.count(Ticket.id))
            .where(*base, Ticket.created_at >= scope.start, Ticket.created_at <= scope.end)
            .group_by(created_period)
        )
        resolved = (
            select(resolved_period, _sql("resolved").label("kind"), func.count(Ticket.id))
            .where(
                *base,
                _finished(),
                Ticket.resolved_at >= scope.start,
                Ticket.resolved_at <= scope.end,
            )
            .group_by(resolved_period)
        )
        counts: dict[str, dict[str, int]] = {}
        for period, kind, count in (await self.session.execute(union_all(created, resolved))).all():
            counts.setdefault(str(period), {})[str(kind)] = int(count)
        return {
            period: TrendRow(period, kinds.get("created", 0), kinds.get("resolved", 0))
            for period, kinds in counts.items()
        }
