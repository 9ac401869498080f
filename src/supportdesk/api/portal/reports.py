"""Reports & Analytics: /api/reports/*. Admins see every ticket, agents their projects'."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from supportdesk.api.deps import ReportServiceDep
from supportdesk.api.portal.deps import PrincipalDep
from supportdesk.api.portal.errors import PortalRoute
from supportdesk.api.portal.report_schemas import (
    AgentReportRow,
    CategoryReportRow,
    FromDate,
    GroupBy,
    OverviewOut,
    ProjectReportRow,
    SlaReportOut,
    StatusCounts,
    ToDate,
    TrendRowOut,
)
from supportdesk.api.types import QueryId
from supportdesk.services.filters import Bucket
from supportdesk.services.reports import ReportQuery

router = APIRouter(prefix="/reports", tags=["portal: reports"], route_class=PortalRoute)


async def report_query(
    from_: Annotated[
        FromDate | None, Query(alias="from", description="First day (YYYY-MM-DD)")
    ] = None,
    to: Annotated[ToDate | None, Query(description="Last day, included (YYYY-MM-DD)")] = None,
    project_id: Annotated[QueryId | None, Query(description="Admins only")] = None,
) -> ReportQuery:
    """The range and project every report accepts (default: the last 30 days)."""
    return ReportQuery(start=from_, end=to, project_id=project_id)


ReportQueryDep = Annotated[ReportQuery, Depends(report_query)]


@router.get("/overview", response_model=OverviewOut)
async def overview(
    principal: PrincipalDep, query: ReportQueryDep, reports: ReportServiceDep
) -> OverviewOut:
    """Ticket totals over a range of days.

    Counts by status, unassigned and SLA-breached tickets, and average first-response and
    resolution times.
    """
    overview = await reports.overview(principal, query)
    return OverviewOut.model_validate(
        {**asdict(overview), "by_status": StatusCounts.of(overview.by_status)}
    )


@router.get("/projects", response_model=list[ProjectReportRow])
async def projects(
    principal: PrincipalDep, query: ReportQueryDep, reports: ReportServiceDep
) -> list[ProjectReportRow]:
    """Tickets per project over a range of days, with resolve rates and SLA breaches."""
    rows = await reports.projects_report(principal, query)
    return [ProjectReportRow.model_validate(asdict(row)) for row in rows]


@router.get("/agents", response_model=list[AgentReportRow])
async def agents(
    principal: PrincipalDep, query: ReportQueryDep, reports: ReportServiceDep
) -> list[AgentReportRow]:
    """Tickets per agent over a range of days, with resolve rates and resolution times."""
    rows = await reports.agents_report(principal, query)
    return [AgentReportRow.model_validate(asdict(row)) for row in rows]


@router.get("/trends", response_model=list[TrendRowOut])
async def trends(
    principal: PrincipalDep,
    query: ReportQueryDep,
    reports: ReportServiceDep,
    group_by: GroupBy = "day",
) -> list[TrendRowOut]:
    """Tickets created and resolved per day, week or month."""
    rows = await reports.trends(principal, query, Bucket(group_by))
    return [TrendRowOut.model_validate(asdict(row)) for row in rows]


@router.get("/sla", response_model=SlaReportOut)
async def sla(
    principal: PrincipalDep, query: ReportQueryDep, reports: ReportServiceDep
) -> SlaReportOut:
    """SLA breaches over a range of days, per priority."""
    return SlaReportOut.model_validate(asdict(await reports.sla(principal, query)))


@router.get("/categories", response_model=list[CategoryReportRow])
async def categories(
    principal: PrincipalDep, query: ReportQueryDep, reports: ReportServiceDep
) -> list[CategoryReportRow]:
    """Tickets per category over a range of days."""
    rows = await reports.categories(principal, query)
    return [CategoryReportRow.model_validate(asdict(row)) for row in rows]
