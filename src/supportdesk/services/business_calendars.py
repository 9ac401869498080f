"""Business calendars: when SLA clocks run (issue 17).

A calendar is given to a project (its tickets' default) or to an SLA policy (which
overrides the project's); with neither, clocks run around the clock as they always did.
Every rule about a calendar's definition is checked here, once, for every surface that
manages calendars; services/sla.py counts business time with what ``business_hours``
compiles from one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.business_time import (
    WEEKDAYS,
    BusinessHours,
    Closures,
    Interval,
    interval,
    wall_time,
)
from supportdesk.core.errors import Conflict, NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.core.public_holidays import UnknownRegion, public_holidays
from supportdesk.models import BusinessCalendar
from supportdesk.repositories.business_calendars import BusinessCalendarRepository
from supportdesk.repositories.paging import fetch_page
from supportdesk.services.activity import ActivityLog
from supportdesk.services.projects import checked_timezone

LISTED_DAYS = 14
MAX_HOLIDAYS = 500
MAX_INTERVALS_PER_DAY = 12
_EDITABLE = ("name", "timezone", "is_24x7", "hours", "holidays", "country", "subdivision")
_REQUIRED = ("name", "timezone")

AROUND_THE_CLOCK = BusinessHours(ZoneInfo("UTC"), always_open=True)


class CalendarDefinition(Protocol):
    """What counting business time reads of a calendar: its row, or a read's view of it."""

    @property
    def timezone(self) -> str: ...
    @property
    def is_24x7(self) -> bool: ...
    @property
    def hours(self) -> dict[str, Any]: ...
    @property
    def holidays(self) -> list[dict[str, Any]]: ...
    @property
    def country(self) -> str | None: ...
    @property
    def subdivision(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name: str
    yearly: bool = False


@dataclass(frozen=True, slots=True)
class CalendarFields:
    """A new calendar, or a partial update: only ``fields_set`` is applied on update.

    ``hours`` maps weekday names (``monday`` ...) to ``(start, end)`` wall times "HH:MM".
    """

    fields_set: frozenset[str]
    name: str | None = None
    timezone: str | None = None
    is_24x7: bool | None = None
    hours: Mapping[str, Sequence[tuple[str, str]]] | None = None
    holidays: Sequence[Holiday] | None = None
    country: str | None = None
    subdivision: str | None = None


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """One opening, in the calendar's local time."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    holiday: str | None
    hours: list[OpeningHours]


@dataclass(frozen=True, slots=True)
class CalendarView:
    """A calendar with its next days of opening hours, for a person to check."""

    calendar: BusinessCalendar
    next_days: list[CalendarDay]


# ---------------------------------------------------------------------- compiling

_COMPILED: dict[str, BusinessHours] = {}
_COMPILED_LIMIT = 256


def business_hours(calendar: CalendarDefinition | None) -> BusinessHours:
    """The working time of a calendar (none: around the clock), compiled once per content.

    Keyed by the definition itself, not the row's id: an edited calendar compiles anew,
    and each compiled one keeps the openings of the days it has walked.
    """
    if calendar is None or calendar.is_24x7:
        return AROUND_THE_CLOCK
    key = repr(
        (
            calendar.timezone,
            calendar.hours,
            calendar.holidays,
            calendar.country,
            calendar.subdivision,
        )
    )
    found = _COMPILED.get(key)
    if found is None:
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        found = _COMPILED[key] = _compile(calendar)
    return found


def _compile(calendar: CalendarDefinition) -> BusinessHours:
    week = [
        [interval(item["start"], item["end"]) for item in calendar.hours.get(day, [])]
        for day in WEEKDAYS
    ]
    closures = Closures(
        dates=frozenset(
            date.fromisoformat(h["date"]) for h in calendar.holidays if not h.get("yearly")
        ),
        yearly=frozenset(
            (int(h["date"][5:7]), int(h["date"][8:10]))
            for h in calendar.holidays
            if h.get("yearly")
        ),
        public=(
            public_holidays(calendar.country, calendar.subdivision) if calendar.country else None
        ),
    )
    return BusinessHours(ZoneInfo(calendar.timezone), week, closures)


def holiday_name(calendar: CalendarDefinition, day: date) -> str | None:
    """Why ``day`` is closed, if a holiday closes it."""
    for holiday in calendar.holidays:
        held = date.fromisoformat(holiday["date"])
        if held == day or (
            holiday.get("yearly") and (held.month, held.day) == (day.month, day.day)
        ):
            return str(holiday["name"])
    if calendar.country:
        return public_holidays(calendar.country, calendar.subdivision).name(day)
    return None


def next_days(
    calendar: CalendarDefinition, now: datetime, days: int = LISTED_DAYS
) -> list[CalendarDay]:
    """The opening hours of the calendar's next ``days`` local days, today first."""
    zone = ZoneInfo(calendar.timezone)
    hours = business_hours(calendar)
    today = now.astimezone(zone).date()
    listed = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        openings = (
            [
                OpeningHours(
                    datetime.combine(day, datetime.min.time(), zone),
                    datetime.combine(day + timedelta(days=1), datetime.min.time(), zone),
                )
            ]
            if calendar.is_24x7
            else [
                OpeningHours(o.start.astimezone(zone), o.end.astimezone(zone))
                for o in hours.openings_on(day)
            ]
        )
        holiday = None if calendar.is_24x7 else holiday_name(calendar, day)
        listed.append(CalendarDay(day, holiday, openings))
    return listed


# ---------------------------------------------------------------------- the service


class BusinessCalendarService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.calendars = BusinessCalendarRepository(session)
        self.activity = ActivityLog(session)

    async def page(self, principal: Principal, page: PageRequest) -> Page[CalendarView]:
        principal.require(Scope.BUSINESS_CALENDARS_LIST)
        found: Page[BusinessCalendar] = await fetch_page(
            self.session, self.calendars.listing(), page
        )
        now = clock.now()
        return Page(
            items=[CalendarView(c, next_days(c, now)) for c in found.items],
            total=found.total,
            page=found.page,
            per_page=found.per_page,
        )

    async def get(self, principal: Principal, calendar_id: int) -> CalendarView:
        principal.require(Scope.BUSINESS_CALENDARS_READ)
        return self._view(await self._get(calendar_id))

    async def create(self, principal: Principal, fields: CalendarFields) -> CalendarView:
        principal.require(Scope.BUSINESS_CALENDARS_CREATE)
        values = _checked({name: _given(fields, name) for name in _EDITABLE})
        calendar = BusinessCalendar(**values)
        self.calendars.add(calendar)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "business_calendar.created",
            f"Business calendar “{calendar.name}” created",
            {"business_calendar_id": calendar.id},
        )
        return self._view(calendar)

    async def update(
        self, principal: Principal, calendar_id: int, fields: CalendarFields
    ) -> CalendarView:
        """Change a calendar: tickets keep the due dates they were given, new ones and
        those whose clocks are set again (priority, reopening) count in the new hours."""
        principal.require(Scope.BUSINESS_CALENDARS_UPDATE)
        calendar = await self._get(calendar_id)
        values = _checked(
            {
                name: _given(fields, name) if name in fields.fields_set else getattr(calendar, name)
                for name in _EDITABLE
            }
        )
        changed = [name for name, value in values.items() if value != getattr(calendar, name)]
        if changed:
            for name in changed:
                setattr(calendar, name, values[name])
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "business_calendar.updated",
                f"Business calendar “{calendar.name}” updated",
                {"business_calendar_id": calendar.id, "fields": changed},
            )
        return self._view(calendar)

    async def delete(self, principal: Principal, calendar_id: int) -> None:
        """Delete a calendar no project or SLA policy names any more."""
        principal.require(Scope.BUSINESS_CALENDARS_DELETE)
        calendar = await self._get(calendar_id)
        projects, policies = await self.calendars.users(calendar_id)
        if projects or policies:
            users = [f"project {p}" for p in projects] + [f"SLA policy {p}" for p in policies]
            raise Conflict(f"The business calendar is still used by {', '.join(users)}.")
        self.activity.record(
            principal,
            None,
            "business_calendar.deleted",
            f"Business calendar “{calendar.name}” deleted",
            {"business_calendar_id": calendar.id},
        )
        await self.calendars.delete(calendar)

    async def _get(self, calendar_id: int) -> BusinessCalendar:
        calendar = await self.calendars.get(calendar_id)
        if calendar is None:
            raise NotFound("Business calendar not found.")
        return calendar

    @staticmethod
    def _view(calendar: BusinessCalendar) -> CalendarView:
        return CalendarView(calendar, next_days(calendar, clock.now()))


# ---------------------------------------------------------------------- checking


def _given(fields: CalendarFields, name: str) -> Any:
    value = getattr(fields, name)
    if name == "hours" and value is not None:
        return {
            day: [{"start": start, "end": end} for start, end in intervals]
            for day, intervals in value.items()
            if intervals
        }
    if name == "holidays" and value is not None:
        return [
            {"date": h.day.isoformat(), "name": h.name, "yearly": h.yearly}
            for h in sorted(value, key=lambda h: (h.day, h.name))
        ]
    return value


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """The stored form of a calendar's values, or a 422 naming what is wrong."""
    for name in _REQUIRED:
        if values[name] is None:
            raise ValidationFailed.field(name, f"The {name} field is required.")
    values["timezone"] = checked_timezone(values["timezone"])
    values["is_24x7"] = bool(values["is_24x7"])
    values["hours"] = _checked_hours(values["hours"] or {})
    values["holidays"] = values["holidays"] or []
    if len(values["holidays"]) > MAX_HOLIDAYS:
        raise ValidationFailed.field(
            "holidays", f"The holidays field must not have more than {MAX_HOLIDAYS} items."
        )
    if not values["is_24x7"] and not values["hours"]:
        raise ValidationFailed.field(
            "hours",
            "A business calendar needs working hours on at least one day (or is_24x7).",
        )
    values["country"], values["subdivision"] = _checked_region(
        values["country"], values["subdivision"]
    )
    return values


def _checked_hours(hours: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    stored: dict[str, list[dict[str, str]]] = {}
    for day in WEEKDAYS:
        items = hours.get(day) or []
        if len(items) > MAX_INTERVALS_PER_DAY:
            raise ValidationFailed.field(
                f"hours.{day}", f"A day has at most {MAX_INTERVALS_PER_DAY} intervals."
            )
        parsed: list[Interval] = []
        for item in items:
            try:
                parsed.append(interval(item["start"], item["end"]))
            except ValueError as exc:
                raise ValidationFailed.field(f"hours.{day}", str(exc)) from None
        parsed.sort(key=lambda i: i.start)
        for earlier, later in itertools.pairwise(parsed):
            if later.start < earlier.end:
                raise ValidationFailed.field(
                    f"hours.{day}",
                    f"The {day} intervals overlap "
                    f"({wall_time(earlier.start)}-{wall_time(earlier.end)} and "
                    f"{wall_time(later.start)}-{wall_time(later.end)}).",
                )
        if parsed:
            stored[day] = [{"start": wall_time(i.start), "end": wall_time(i.end)} for i in parsed]
    unknown = sorted(set(hours) - set(WEEKDAYS))
    if unknown:
        raise ValidationFailed.field("hours", f"Unknown weekday {unknown[0]!r}.")
    return stored


def _checked_region(country: str | None, subdivision: str | None) -> tuple[str | None, str | None]:
    if country is None:
        if subdivision is not None:
            raise ValidationFailed.field(
                "subdivision", "A subdivision needs the country it belongs to."
            )
        return None, None
    country = country.upper()
    try:
        public_holidays(country, None)
    except UnknownRegion:
        raise ValidationFailed.field(
            "country", f"No public holidays are known for country {country!r}."
        ) from None
    if subdivision is not None:
        try:
            public_holidays(country, subdivision)
        except UnknownRegion:
            raise ValidationFailed.field(
                "subdivision", f"Country {country} has no subdivision {subdivision!r}."
            ) from None
    return country, subdivision
