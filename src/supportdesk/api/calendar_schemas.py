"""Business calendars as the portal and the internal API show and take them: one shape on both."""

from __future__ import annotations

from datetime import date as Date  # noqa: N812 - "date" is a field's name here
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictBool, ValidationInfo, field_validator

from supportdesk.api.types import Instant
from supportdesk.api.validation import RequestBody
from supportdesk.core.business_time import WEEKDAYS
from supportdesk.services.business_calendars import (
    MAX_HOLIDAYS,
    MAX_INTERVALS_PER_DAY,
    CalendarFields,
    CalendarView,
    Holiday,
)

In = RequestBody
WallTime = Annotated[
    str,
    Field(
        pattern=r"^([01][0-9]|2[0-4]):[0-5][0-9]$",
        description="Local wall time HH:MM; an end not after the start is the next day's",
    ),
]
Intervals = Annotated[list["IntervalIn"], Field(max_length=MAX_INTERVALS_PER_DAY)]


class IntervalIn(In):
    start: WallTime
    end: WallTime


class WeekIn(In):
    """Working intervals per weekday; a day left out is closed."""

    monday: Intervals = Field(default_factory=list)
    tuesday: Intervals = Field(default_factory=list)
    wednesday: Intervals = Field(default_factory=list)
    thursday: Intervals = Field(default_factory=list)
    friday: Intervals = Field(default_factory=list)
    saturday: Intervals = Field(default_factory=list)
    sunday: Intervals = Field(default_factory=list)


class HolidayIn(In):
    date: Date
    name: str = Field(min_length=1, max_length=255)
    yearly: StrictBool = Field(default=False, description="Closed on this month and day every year")


class BusinessCalendarUpdateIn(In):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    timezone: str | None = Field(
        default=None, min_length=1, max_length=64, description="IANA time zone"
    )
    is_24x7: StrictBool | None = Field(default=None, description="Count every second")
    hours: WeekIn | None = None
    holidays: list[HolidayIn] | None = Field(default=None, max_length=MAX_HOLIDAYS)
    country: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{2,3}$",
        description="Add this country's public holidays (ISO 3166 code)",
    )
    subdivision: str | None = Field(
        default=None, min_length=1, max_length=16, description="... of this region of the country"
    )

    @field_validator("name", "timezone", "is_24x7", "hours", "holidays")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"The {str(info.field_name).replace('_', ' ')} field is required.")
        return value


class BusinessCalendarIn(BusinessCalendarUpdateIn):
    name: str = Field(min_length=1, max_length=255)
    timezone: str = Field(min_length=1, max_length=64, description="IANA time zone")


def calendar_fields(body: BusinessCalendarUpdateIn) -> CalendarFields:
    return CalendarFields(
        fields_set=frozenset(body.model_fields_set),
        name=body.name,
        timezone=body.timezone,
        is_24x7=body.is_24x7,
        hours=(
            {day: [(i.start, i.end) for i in getattr(body.hours, day)] for day in WEEKDAYS}
            if body.hours is not None
            else None
        ),
        holidays=(
            [Holiday(h.date, h.name, h.yearly) for h in body.holidays]
            if body.holidays is not None
            else None
        ),
        country=body.country,
        subdivision=body.subdivision,
    )


class IntervalOut(BaseModel):
    start: str
    end: str


class WeekOut(BaseModel):
    monday: list[IntervalOut]
    tuesday: list[IntervalOut]
    wednesday: list[IntervalOut]
    thursday: list[IntervalOut]
    friday: list[IntervalOut]
    saturday: list[IntervalOut]
    sunday: list[IntervalOut]


class HolidayOut(BaseModel):
    date: Date
    name: str
    yearly: bool


class OpeningOut(BaseModel):
    start: datetime = Field(description="In the calendar's time zone")
    end: datetime


class CalendarDayOut(BaseModel):
    date: Date
    weekday: str
    holiday: str | None = Field(description="The holiday that closes the day, if one does")
    hours: list[OpeningOut]


class BusinessCalendarOut(BaseModel):
    id: int
    name: str
    timezone: str
    is_24x7: bool
    hours: WeekOut
    holidays: list[HolidayOut]
    country: str | None
    subdivision: str | None
    next_14_days: list[CalendarDayOut] = Field(
        description="Opening hours of the next 14 days, today first, to check what was entered"
    )
    created_at: Instant
    updated_at: Instant


def calendar_out(view: CalendarView) -> BusinessCalendarOut:
    calendar = view.calendar
    return BusinessCalendarOut(
        id=calendar.id,
        name=calendar.name,
        timezone=calendar.timezone,
        is_24x7=calendar.is_24x7,
        hours=WeekOut(
            **{day: [IntervalOut(**i) for i in calendar.hours.get(day, [])] for day in WEEKDAYS}
        ),
        holidays=[HolidayOut(**h) for h in calendar.holidays],
        country=calendar.country,
        subdivision=calendar.subdivision,
        next_14_days=[
            CalendarDayOut(
                date=day.day,
                weekday=WEEKDAYS[day.day.weekday()],
                holiday=day.holiday,
                hours=[OpeningOut(start=o.start, end=o.end) for o in day.hours],
            )
            for day in view.next_days
        ],
        created_at=calendar.created_at,
        updated_at=calendar.updated_at,
    )
