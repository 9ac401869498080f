"""The internal API's reports (seed 000): overview, agents and departments.

Each covers the tickets created from ``start_date`` to ``end_date`` (whole UTC days,
both included; by default the last 30 days, today included). Statuses are counted in
seed 000's words (``core.status_words``), as its tickets show them; a ticket counts as
resolved once it is resolved or closed, as its ``is_resolved`` says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock, status_words
from supportdesk.core.enums import TicketStatus
from supportdesk.core.errors import ValidationFailed
from supportdesk.repositories.reports import ReportScope
from supportdesk.repositories.staff_reports import StaffReportRepository
from supportdesk.services.reports import DEFAULT_DAYS, mean_minutes, percent


@dataclass(frozen=True, slots=True)
class Period:
    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True)
class OverviewFigures:
    period: Period
    total_tickets: int
    open_tickets: int
    in_progress_tickets: int
    on_hold_tickets: int
    closed_tickets: int
    resolved_tickets: int
    unassigned_tickets: int
    sla_breached_tickets: int
    avg_first_response_minutes: float | None
    avg_resolution_minutes: float | None


@dataclass(frozen=True, slots=True)
class AgentReportRow:
    id: int
    name: str
    email: str
    assigned_tickets: int
    open_tickets: int
    resolved_tickets: int
    sla_breached_tickets: int
    replies: int
    resolve_rate: float
    avg_first_response_minutes: float | None
    avg_resolution_minutes: float | None


@dataclass(frozen=True, slots=True)
class DepartmentReportRow:
    id: int
    name: str
    total_tickets: int
    open_tickets: int
    resolved_tickets: int
    unassigned_tickets: int
    sla_breached_tickets: int
    resolve_rate: float
    avg_resolution_minutes: float | None


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Report(Generic[T]):
    period: Period
    rows: Sequence[T]


def _shown_as(counts: Mapping[TicketStatus, int], word: str) -> int:
    """How many tickets the internal API shows with the status ``word``."""
    return sum(counts[status] for status in status_words.INTERNAL.matching(word))


def report_period(start: date | None, end: date | None) -> Period:
    """The days asked for; ``end_date`` defaults to today (UTC), ``start_date`` to 29 days before."""
    last = end or clock.now().date()
    first = start or date.fromordinal(max(last.toordinal() - (DEFAULT_DAYS - 1), 1))
    if first > last:
        raise ValidationFailed.field(
            "start_date", "The start date must be a date before or equal to the end date."
        )
    return Period(first, last)


class InternalReportService:
    def __init__(self, session: AsyncSession) -> None:
        self.reports = StaffReportRepository(session)

    @staticmethod
    def _scope(principal: Principal, report: Scope, period: Period) -> ReportScope:
        principal.require(report)
        return ReportScope(
            start=datetime.combine(period.start_date, time.min, UTC),
            end=datetime.combine(period.end_date, time.max, UTC),
        )

    async def overview(self, principal: Principal, period: Period) -> OverviewFigures:
        row = await self.reports.overview(
            principal, self._scope(principal, Scope.REPORTS_OVERVIEW, period)
        )
        counts = row.by_status
        return OverviewFigures(
            period=period,
            total_tickets=row.total,
            open_tickets=_shown_as(counts, "open"),
            in_progress_tickets=_shown_as(counts, "in_progress"),
            on_hold_tickets=_shown_as(counts, "on_hold"),
            closed_tickets=_shown_as(counts, "closed"),
            resolved_tickets=sum(counts[status] for status in TicketStatus if status.is_finished),
            unassigned_tickets=row.unassigned,
            sla_breached_tickets=row.breached,
            avg_first_response_minutes=mean_minutes(row.first_response),
            avg_resolution_minutes=mean_minutes(row.resolution),
        )

    async def agents(self, principal: Principal, period: Period) -> Report[AgentReportRow]:
        """Every agent, by name, with the tickets assigned to them."""
        rows = await self.reports.agent_figures(
            principal, self._scope(principal, Scope.REPORTS_AGENTS, period)
        )
        return Report(
            period,
            [
                AgentReportRow(
                    id=row.user_id,
                    name=row.name,
                    email=row.email,
                    assigned_tickets=row.assigned,
                    open_tickets=row.open,
                    resolved_tickets=row.resolved,
                    sla_breached_tickets=row.breached,
                    replies=row.replies,
                    resolve_rate=percent(row.resolved, row.assigned),
                    avg_first_response_minutes=mean_minutes(row.first_response),
                    avg_resolution_minutes=mean_minutes(row.resolution),
                )
                for row in rows
            ],
        )

    async def departments(
        self, principal: Principal, period: Period
    ) -> Report[DepartmentReportRow]:
        """Every department, in display order, with its tickets."""
        rows = await self.reports.department_figures(
            principal, self._scope(principal, Scope.REPORTS_DEPARTMENTS, period)
        )
        return Report(
            period,
            [
                DepartmentReportRow(
                    id=row.department_id,
                    name=row.name,
                    total_tickets=row.total,
                    open_tickets=row.open,
                    resolved_tickets=row.resolved,
                    unassigned_tickets=row.unassigned,
                    sla_breached_tickets=row.breached,
                    resolve_rate=percent(row.resolved, row.total),
                    avg_resolution_minutes=mean_minutes(row.resolution),
                )
                for row in rows
            ],
        )
