"""Business calendars in the portal's admin API: when SLA clocks run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from supportdesk.api.calendar_schemas import (
    BusinessCalendarIn,
    BusinessCalendarOut,
    BusinessCalendarUpdateIn,
    calendar_fields,
    calendar_out,
)
from supportdesk.api.deps import BusinessCalendarServiceDep
from supportdesk.api.portal.deps import PrincipalDep
from supportdesk.api.portal.errors import PortalRoute
from supportdesk.api.portal.schemas import MessageText
from supportdesk.api.types import PathId
from supportdesk.core.pagination import PageRequest

router = APIRouter(tags=["portal: admin"], route_class=PortalRoute)

PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]


class BusinessCalendarPage(BaseModel):
    data: list[BusinessCalendarOut]
    current_page: int
    last_page: int
    total: int
    per_page: int


class BusinessCalendarEnvelope(BaseModel):
    business_calendar: BusinessCalendarOut


@router.get("/admin/business-calendars", response_model=BusinessCalendarPage)
async def list_business_calendars(
    principal: PrincipalDep,
    calendars: BusinessCalendarServiceDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> BusinessCalendarPage:
    """Calendars by name, each with its next 14 days of opening hours."""
    found = await calendars.page(principal, PageRequest(page, per_page))
    return BusinessCalendarPage(
        data=[calendar_out(view) for view in found.items],
        current_page=found.page,
        last_page=found.last_page,
        total=found.total,
        per_page=found.per_page,
    )


@router.post("/admin/business-calendars", response_model=BusinessCalendarEnvelope, status_code=201)
async def create_business_calendar(
    body: BusinessCalendarIn, principal: PrincipalDep, calendars: BusinessCalendarServiceDep
) -> BusinessCalendarEnvelope:
    """Create a calendar; one with no working time (and not 24x7) is refused."""
    view = await calendars.create(principal, calendar_fields(body))
    return BusinessCalendarEnvelope(business_calendar=calendar_out(view))


@router.get("/admin/business-calendars/{calendar_id}", response_model=BusinessCalendarEnvelope)
async def get_business_calendar(
    calendar_id: PathId, principal: PrincipalDep, calendars: BusinessCalendarServiceDep
) -> BusinessCalendarEnvelope:
    """Read a calendar, with its next 14 days of opening hours."""
    return BusinessCalendarEnvelope(
        business_calendar=calendar_out(await calendars.get(principal, calendar_id))
    )


@router.put("/admin/business-calendars/{calendar_id}", response_model=BusinessCalendarEnvelope)
async def update_business_calendar(
    calendar_id: PathId,
    body: BusinessCalendarUpdateIn,
    principal: PrincipalDep,
    calendars: BusinessCalendarServiceDep,
) -> BusinessCalendarEnvelope:
    """Change a calendar: only the fields sent change. Tickets keep the due dates they
    were given; new tickets, and clocks set again, count in the new hours."""
    view = await calendars.update(principal, calendar_id, calendar_fields(body))
    return BusinessCalendarEnvelope(business_calendar=calendar_out(view))


@router.delete("/admin/business-calendars/{calendar_id}", response_model=MessageText)
async def delete_business_calendar(
    calendar_id: PathId, principal: PrincipalDep, calendars: BusinessCalendarServiceDep
) -> MessageText:
    """Delete a calendar no project or SLA policy names (409 while one does)."""
    await calendars.delete(principal, calendar_id)
    return MessageText(message="Business calendar deleted")
