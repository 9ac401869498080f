"""Reports & Analytics (seed 003): figures over the tickets a principal may see.

The repository aggregates in SQL; this service owns the rules around it: who may ask,
the date range, which project, and how sums become rates and means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.reports import (
    Bucket,
    Duration,
    ReportRepository,
    ReportScope,
    TrendRow,
)

# "The last 30 days" when no range is given: today and the 29 days before it.
DEFAULT_DAYS = 30
# A trend lists every period of its range; this bounds the size of one answer.
MAX_PERIODS = 3660

_TENTH = Decimal("0.1")
_MICROSECONDS_PER_MINUTE = 60_000_000

# The order by_priority lists the priorities in, most urgent first as the seed shows.
PRIORITY_ORDER = (Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW)

UNCATEGORISED = "Uncategorised"


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """What a report was asked for; any part may be missing."""

    start: date | None = None
    end: date | None = None
    project_id: int | None = None  # honoured for admins only


@dataclass(frozen=True, slots=True)
class Overview:
    total_tickets: int
    by_status: dict[TicketStatus, int]  # every status, those without tickets at 0
    unassigned: int
    sla_breached: int
    avg_first_response_mins: float | None
    avg_resolution_minutes: float | None


@dataclass(frozen=True, slots=True)
class ProjectFigures:
    project: str
    total: int
    resolved: int
    breached: int
    resolve_rate: float


@dataclass(frozen=True, slots=True)
class AgentFigures:
    agent: str
    total_assigned: int
    total_resolved: int
    resolve_rate: float
    avg_resolution_minutes: float | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: str
    created: int
    resolved: int


@dataclass(frozen=True, slots=True)
class PriorityFigures:
    total: int
    fr_breached: int
    res_breached: int


@dataclass(frozen=True, slots=True)
class SlaFigures:
    total_tickets: int
    fr_breach_rate: float
    res_breach_rate: float
    by_priority: dict[str, PriorityFigures]


@dataclass(frozen=True, slots=True)
class CategoryFigures:
    category: str
    color: str | None
    total: int


def _tenth(value: Decimal) -> float:
    # Half up, as people round; Decimal so that 0.25 is not 0.2499… first.
    return float(value.quantize(_TENTH, rounding=ROUND_HALF_UP))


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent to one decimal; 0 of nothing is 0."""
    if whole == 0:
        return 0.0
    return _tenth(Decimal(part * 100) / Decimal(whole))


def mean_minutes(duration: Duration) -> float | None:
    """The mean of summed durations in minutes to one decimal; None when none were summed."""
    if duration.count == 0:
        return None
    return _tenth(Decimal(duration.total_us) / (duration.count * _MICROSECONDS_PER_MINUTE))


def periods(start: date, end: date, bucket: Bucket) -> list[str]:
    """The labels of every period from ``start`` to ``end``, as the repository writes them."""
    match bucket:
        case Bucket.DAY:
            return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
        case Bucket.WEEK:
            monday = start - timedelta(days=start.weekday())
            return [
                (monday + timedelta(days=n)).isoformat()
                for n in range(0, (end - monday).days + 1, 7)
            ]
        case Bucket.MONTH:
            first = start.year * 12 + start.month - 1
            last = end.year * 12 + end.month - 1
            return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def period_count(start: date, end: date, bucket: Bucket) -> int:
    match bucket:
        case Bucket.DAY:
            return (end - start).days + 1
        case Bucket.WEEK:
            return (end - start + timedelta(days=start.weekday())).days // 7 + 1
        case Bucket.MONTH:
            return (end.year - start.year) * 12 + end.month - start.month + 1


class ReportService:
    def __init__(self, session: AsyncSession) -> None:
        self.reports = ReportRepository(session)
        self.projects = ProjectRepository(session)

    async def _scope(self, principal: Principal, query: ReportQuery) -> ReportScope:
        principal.require(Scope.REPORTS_READ)
        start, end = self._range(query)
        # Only admins choose a project; everyone else's reports are already limited to
        # the tickets they may see, so a project_id from them is ignored, as in the
        # ticket list.
        project_id = query.project_id if policy.oversees_hub(principal) else None
        if project_id is not None and await self.projects.get(project_id) is None:
            raise NotFound("Project not found.")
        return ReportScope(
            start=datetime.combine(start, time.min, UTC),
            # Inclusive to the last microsecond: "the day after" may not exist (9999-12-31).
            end=datetime.combine(end, time.max, UTC),
            project_id=project_id,
        )

    @staticmethod
    def _range(query: ReportQuery) -> tuple[date, date]:
        """The days a report covers; ``to`` defaults to today (UTC), ``from`` to 29 days before."""
        end = query.end or clock.now().date()
        if query.start is not None:
            start = query.start
        else:
            # Counted in ordinals: subtracting days from the first dates would overflow.
            start = date.fromordinal(max(end.toordinal() - (DEFAULT_DAYS - 1), 1))
        if start > end:
            raise ValidationFailed.field(
                "from", "The from field must be a date before or equal to to."
            )
        return start, end

    async def overview(self, principal: Principal, query: ReportQuery) -> Overview:
        scope = await self._scope(principal, query)
        row = await self.reports.overview(principal, scope)
        return Overview(
            total_tickets=row.total,
            by_status={status: row.by_status.get(status, 0) for status in TicketStatus},
            unassigned=row.unassigned,
            sla_breached=row.breached,
            avg_first_response_mins=mean_minutes(row.first_response),
            avg_resolution_minutes=mean_minutes(row.resolution),
        )

    async def projects_report(
        self, principal: Principal, query: ReportQuery
    ) -> Sequence[ProjectFigures]:
        scope = await self._scope(principal, query)
        rows = await self.reports.projects(principal, scope)
        return [
            ProjectFigures(
                project=row.name,
                total=row.total,
                resolved=row.resolved,
                breached=row.breached,
                resolve_rate=percent(row.resolved, row.total),
            )
            for row in rows
        ]

    async def agents_report(
        self, principal: Principal, query: ReportQuery
    ) -> Sequence[AgentFigures]:
        scope = await self._scope(principal, query)
        return [
            AgentFigures(
                agent=row.name,
                total_assigned=row.assigned,
                total_resolved=row.resolved,
                resolve_rate=percent(row.resolved, row.assigned),
                avg_resolution_minutes=mean_minutes(row.resolution),
            )
            for row in await self.reports.agents(principal, scope)
        ]

    async def trends(
        self, principal: Principal, query: ReportQuery, bucket: Bucket
    ) -> Sequence[TrendPoint]:
        """Tickets created and resolved per period, every period of the range listed.

        A ticket counts as created in the period of its created_at and as resolved in
        the period of its resolved_at, so a ticket resolved in the range counts there
        even when it was opened before it. A week is labelled by its Monday, which may
        fall before ``from``; only days inside the range are counted.
        """
        scope = await self._scope(principal, query)
        start, end = scope.start.date(), scope.end.date()
        if period_count(start, end, bucket) > MAX_PERIODS:
            raise ValidationFailed.field(
                "from",
                f"The range is too long: at most {MAX_PERIODS} periods of a {bucket}.",
            )
        found = await self.reports.trends(principal, scope, bucket)
        empty = TrendRow("", 0, 0)
        return [
            TrendPoint(period, found.get(period, empty).created, found.get(period, empty).resolved)
            for period in periods(start, end, bucket)
        ]

    async def sla(self, principal: Principal, query: ReportQuery) -> SlaFigures:
        scope = await self._scope(principal, query)
        rows = {row.priority: row for row in await self.reports.by_priority(principal, scope)}
        by_priority = {
            str(priority): PriorityFigures(
                total=row.total if row else 0,
                fr_breached=row.first_response_breached if row else 0,
                res_breached=row.resolution_breached if row else 0,
            )
            for priority in PRIORITY_ORDER
            for row in [rows.get(priority)]
        }
        total = sum(figures.total for figures in by_priority.values())
        fr = sum(figures.fr_breached for figures in by_priority.values())
        res = sum(figures.res_breached for figures in by_priority.values())
        return SlaFigures(
            total_tickets=total,
            fr_breach_rate=percent(fr, total),
            res_breach_rate=percent(res, total),
            by_priority=by_priority,
        )

    async def categories(
        self, principal: Principal, query: ReportQuery
    ) -> Sequence[CategoryFigures]:
        """Tickets per category; those without one are counted as "Uncategorised", last."""
        scope = await self._scope(principal, query)
        return [
            CategoryFigures(
                category=row.name if row.name is not None else UNCATEGORISED,
                color=row.color,
                total=row.total,
            )
            for row in await self.reports.categories(principal, scope)
        ]
