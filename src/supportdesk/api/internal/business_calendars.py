"""Business calendars in the internal API: when SLA clocks run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from supportdesk.api.calendar_schemas import (
    BusinessCalendarIn,
    BusinessCalendarOut,
    BusinessCalendarUpdateIn,
    calendar_fields,
    calendar_out,
)
from supportdesk.api.deps import BusinessCalendarServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.schemas import Done, Envelope, ListEnvelope, listed, one
from supportdesk.api.types import PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope

router = APIRouter(tags=["internal"], route_class=InternalRoute)


@router.get("/business-calendars", response_model=ListEnvelope[BusinessCalendarOut])
async def list_business_calendars(
    principal: Annotated[Principal, require_scope(Scope.BUSINESS_CALENDARS_LIST)],
    calendars: BusinessCalendarServiceDep,
    page: PageDep,
) -> ListEnvelope[BusinessCalendarOut]:
    """Calendars by name, each with its next 14 days of opening hours."""
    return listed(await calendars.page(principal, page), calendar_out)


@router.post(
    "/business-calendars",
    response_model=Envelope[BusinessCalendarOut],
    status_code=status.HTTP_201_CREATED,
)
async def create_business_calendar(
    body: BusinessCalendarIn,
    principal: Annotated[Principal, require_scope(Scope.BUSINESS_CALENDARS_CREATE)],
    calendars: BusinessCalendarServiceDep,
) -> Envelope[BusinessCalendarOut]:
    """Create a calendar; one with no working time (and not 24x7) is refused."""
    return one(calendar_out(await calendars.create(principal, calendar_fields(body))))


@router.get("/business-calendars/{calendar_id}", response_model=Envelope[BusinessCalendarOut])
async def get_business_calendar(
    calendar_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.BUSINESS_CALENDARS_READ)],
    calendars: BusinessCalendarServiceDep,
) -> Envelope[BusinessCalendarOut]:
    """Read a calendar, with its next 14 days of opening hours."""
    return one(calendar_out(await calendars.get(principal, calendar_id)))


@router.put("/business-calendars/{calendar_id}", response_model=Envelope[BusinessCalendarOut])
async def update_business_calendar(
    calendar_id: PathId,
    body: BusinessCalendarUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.BUSINESS_CALENDARS_UPDATE)],
    calendars: BusinessCalendarServiceDep,
) -> Envelope[BusinessCalendarOut]:
    """Change a calendar: only the fields sent change."""
    return one(calendar_out(await calendars.update(principal, calendar_id, calendar_fields(body))))


@router.delete("/business-calendars/{calendar_id}", response_model=Done)
async def delete_business_calendar(
    calendar_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.BUSINESS_CALENDARS_DELETE)],
    calendars: BusinessCalendarServiceDep,
) -> Done:
    """Delete a calendar no project or SLA policy names (409 while one does)."""
    await calendars.delete(principal, calendar_id)
    return Done(message="Business calendar deleted successfully")
