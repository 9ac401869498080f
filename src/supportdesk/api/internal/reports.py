"""Reports (seed 000): overview, agents and departments over a range of days."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from supportdesk.api.deps import InternalReportServiceDep
from supportdesk.api.internal.deps import require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.schemas import Envelope, one
from supportdesk.api.types import iso_date
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.services.internal_reports import OverviewFigures, Period, report_period

router = APIRouter(tags=["internal"], route_class=InternalRoute)

StartDate = Annotated[
    Annotated[date, iso_date("The start date field must be a valid date in the format YYYY-MM-DD.")]
    | None,
    Query(description="Period start, YYYY-MM-DD (default: 30 days ago)"),
]
EndDate = Annotated[
    Annotated[date, iso_date("The end date field must be a valid date in the format YYYY-MM-DD.")]
    | None,
    Query(description="Period end, YYYY-MM-DD (default: today)"),
]


class AgentsReport(BaseModel):
    period: dict[str, date]
    agents: list[dict[str, Any]]


class DepartmentsReport(BaseModel):
    period: dict[str, date]
    departments: list[dict[str, Any]]


def _period(period: Period) -> dict[str, date]:
    return {"start_date": period.start_date, "end_date": period.end_date}


@router.get("/reports/overview", response_model=Envelope[dict[str, Any]])
async def overview_report(
    principal: Annotated[Principal, require_scope(Scope.REPORTS_OVERVIEW)],
    reports: InternalReportServiceDep,
    start_date: StartDate = None,
    end_date: EndDate = None,
) -> Envelope[dict[str, Any]]:
    """Ticket figures over a range of days.

    The range defaults to the last 30 days.
    """
    figures: OverviewFigures = await reports.overview(
        principal, report_period(start_date, end_date)
    )
    return one(asdict(figures))


@router.get("/reports/agents", response_model=Envelope[AgentsReport])
async def agents_report(
    principal: Annotated[Principal, require_scope(Scope.REPORTS_AGENTS)],
    reports: InternalReportServiceDep,
    start_date: StartDate = None,
    end_date: EndDate = None,
) -> Envelope[AgentsReport]:
    """Every agent, by name, with the tickets assigned to them over a range of days."""
    report = await reports.agents(principal, report_period(start_date, end_date))
    rows = [asdict(row) for row in report.rows]
    return one(AgentsReport(period=_period(report.period), agents=rows))


@router.get("/reports/departments", response_model=Envelope[DepartmentsReport])
async def departments_report(
    principal: Annotated[Principal, require_scope(Scope.REPORTS_DEPARTMENTS)],
    reports: InternalReportServiceDep,
    start_date: StartDate = None,
    end_date: EndDate = None,
) -> Envelope[DepartmentsReport]:
    """Every department, in display order, with its tickets over a range of days."""
    report = await reports.departments(principal, report_period(start_date, end_date))
    rows = [asdict(row) for row in report.rows]
    return one(DepartmentsReport(period=_period(report.period), departments=rows))
