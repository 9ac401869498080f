"""Query parameters and bodies of the portal's reports, as the seed's examples show them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel

from supportdesk.api.types import iso_date
from supportdesk.core import status_words
from supportdesk.core.enums import TicketStatus

FromDate = Annotated[
    date, iso_date("The from field must be a valid date in the format YYYY-MM-DD.")
]
ToDate = Annotated[date, iso_date("The to field must be a valid date in the format YYYY-MM-DD.")]
GroupBy = Literal["day", "week", "month"]


class Report(BaseModel):
    pass


class StatusCounts(Report):
    open: int
    inProgress: int  # noqa: N815 - the seed's key
    pending: int
    resolved: int
    closed: int

    @classmethod
    def of(cls, counts: Mapping[TicketStatus, int]) -> StatusCounts:
        """The seed's five buckets, from the count of every canonical status.

        Each ticket counts under the word the portal shows its status with.
        """
        shown: Counter[str] = Counter()
        for status, count in counts.items():
            shown[status_words.PORTAL.word(status)] += count
        return cls(
            open=shown["open"],
            inProgress=shown["in_progress"],
            pending=shown["pending_customer"],
            resolved=shown["resolved"],
            closed=shown["closed"],
        )


class OverviewOut(Report):
    total_tickets: int
    by_status: StatusCounts
    unassigned: int
    sla_breached: int
    avg_first_response_mins: float | None
    avg_resolution_minutes: float | None


class ProjectReportRow(Report):
    project: str
    total: int
    resolved: int
    breached: int
    resolve_rate: float


class AgentReportRow(Report):
    agent: str
    total_assigned: int
    total_resolved: int
    resolve_rate: float
    avg_resolution_minutes: float | None


class TrendRowOut(Report):
    period: str
    created: int
    resolved: int


class PriorityBreaches(Report):
    total: int
    fr_breached: int
    res_breached: int


class SlaReportOut(Report):
    total_tickets: int
    fr_breach_rate: float
    res_breach_rate: float
    by_priority: dict[str, PriorityBreaches]


class CategoryReportRow(Report):
    category: str
    color: str | None
    total: int
