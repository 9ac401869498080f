"""Properties of the interval walk, for random calendars and instants (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from supportdesk.core.business_time import BusinessHours, Closures, Interval

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")


@st.composite
def calendars(draw: st.DrawFn) -> BusinessHours:
    week: list[list[Interval]] = []
    for _ in range(7):
        starts = sorted(draw(st.sets(st.integers(0, 47), max_size=3)))
        day = []
        for n, start in enumerate(starts):
            limit = starts[n + 1] * 30 if n + 1 < len(starts) else start * 30 + 24 * 60
            end = draw(st.integers(start * 30 + 15, limit))
            day.append(Interval(start * 30, end))
        week.append(day)
    if not any(week):
        week[draw(st.integers(0, 6))] = [Interval(9 * 60, 17 * 60)]
    first = datetime(2026, 1, 1, tzinfo=UTC).date()
    closed = draw(st.sets(st.integers(0, 400), max_size=20))
    closures = Closures(dates=frozenset(first + timedelta(days=n) for n in closed))
    return BusinessHours(ZoneInfo(draw(st.sampled_from(ZONES))), week, closures)


instants = st.integers(0, 365 * 24 * 3600).map(
    lambda s: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
)
spans = st.integers(0, 30 * 24 * 3600)


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, spans, spans)
def test_due_is_monotonic_in_the_business_time_asked(
    hours: BusinessHours, start: datetime, first: int, second: int
) -> None:
    shorter, longer = sorted((first, second))

    assert hours.due(start, shorter) <= hours.due(start, longer)


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, spans)
def test_business_time_from_start_to_due_is_what_was_asked(
    hours: BusinessHours, start: datetime, seconds: int
) -> None:
    assert hours.business_seconds(start, hours.due(start, seconds)) == seconds
