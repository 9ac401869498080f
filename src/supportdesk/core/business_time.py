"""Business time: when a span of working time ends, and how much of it lies between two instants.

A calendar is a time zone, working intervals per weekday, and days it is closed. Each
working interval is stated in local wall-clock time ("09:00-17:00") and becomes, on each
day, an *opening*: a pair of absolute UTC instants. Business time is the real time
elapsed inside openings, so a 09:00-17:00 day lasts eight hours on the days clocks go
forward or back (the change happens at night), and an interval that spans the change
itself lasts the hours that actually pass.

The walk goes day by day over openings, never minute by minute: its cost grows with the
number of days spanned and the intervals per day. An interval belongs to the day it
starts on: an overnight interval (22:00-06:00) is that day's, ends the next morning, and
is skipped as a whole when its day is closed. A wall time that does not exist (inside a
spring-forward gap) is read with the offset in force before the change, i.e. as the
instant an hour later; an ambiguous one (fall-back) as its first occurrence.

No I/O: a calendar is built from plain values, its closed days asked of a container.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A walk that finds no opening for this long has met a calendar that never opens again
# (every working day a holiday): it stops rather than loop.
MAX_WALK_DAYS = 366 * 20
# Openings of this many days are kept per calendar, so computing due dates again (the
# next ticket, the next read) converts no wall times.
_DAY_CACHE_SIZE = 4096
_ONE_SECOND = timedelta(seconds=1)


class NoWorkingTime(ValueError):
    """The calendar has no working time within the reach of the walk."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A working interval of one weekday, in minutes after local midnight.

    ``end`` is after ``start``; past 1440 it ends the next day (an overnight interval).
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < MINUTES_PER_DAY:
            raise ValueError("An interval starts between 00:00 and 23:59.")
        if not self.start < self.end <= self.start + MINUTES_PER_DAY:
            raise ValueError("An interval ends after it starts, within a day.")


def interval(start: str, end: str) -> Interval:
    """An interval from wall times "HH:MM"; an end not after the start is the next day's,
    and "24:00" is midnight at the end of the day."""
    first, last = minutes_of(start), minutes_of(end)
    if first == MINUTES_PER_DAY:
        raise ValueError("An interval starts between 00:00 and 23:59.")
    if last <= first:
        last += MINUTES_PER_DAY
    return Interval(first, last)


def minutes_of(wall: str) -> int:
    """Minutes after midnight of "HH:MM" (00:00 to 24:00)."""
    hours, sep, minutes = wall.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and (hours + minutes).isdigit()):
        raise ValueError(f"{wall!r} is not a time of day as HH:MM.")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_PER_DAY:
        raise ValueError(f"{wall!r} is not a time of day as HH:MM.")
    return value


def wall_time(minutes: int) -> str:
    """ "HH:MM" of minutes after midnight (an overnight end reads as the next day's time)."""
    if minutes == MINUTES_PER_DAY:
        return "24:00"
    hours, rest = divmod(minutes % MINUTES_PER_DAY, 60)
    return f"{hours:02d}:{rest:02d}"


@dataclass(frozen=True, slots=True)
class Closures:
    """The days a calendar is closed: given dates, dates every year, a region's holidays."""

    dates: frozenset[date] = frozenset()
    yearly: frozenset[tuple[int, int]] = frozenset()  # (month, day)
    public: Container[date] | None = None

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return (
            day in self.dates
            or (day.month, day.day) in self.yearly
            or (self.public is not None and day in self.public)
        )


@dataclass(frozen=True, slots=True)
class Opening:
    """Working time as absolute instants (UTC), ``start`` before ``end``."""

    start: datetime
    end: datetime


class BusinessHours:
    """A time zone, working intervals per weekday (Monday first), and closed days.

    ``closed`` answers whether a local date is a holiday. An always-open calendar (24x7)
    counts every second and needs neither.
    """

    def __init__(
        self,
        zone: ZoneInfo,
        week: Sequence[Sequence[Interval]] = (),
        closed: Container[date] = frozenset(),
        *,
        always_open: bool = False,
    ) -> None:
        if not always_open:
            if len(week) != len(WEEKDAYS):
                raise ValueError("A week has seven days of intervals, Monday first.")
            if not any(week):
                raise NoWorkingTime("A calendar needs working time on at least one weekday.")
        self.zone = zone
        self.always_open = always_open
        self.week = tuple(tuple(sorted(day, key=lambda i: i.start)) for day in week)
        self.closed = closed
        self._days: dict[date, tuple[Opening, ...]] = {}

    # ------------------------------------------------------------------ the walk

    def due(self, start: datetime, seconds: int) -> datetime:
        """The instant at which ``seconds`` of business time have passed since ``start``.

        Zero seconds is the first working instant at or after ``start``; a span that
        ends exactly at a closing time is due at that closing time.
        """
        if seconds < 0:
            raise ValueError("A span of business time is not negative.")
        remaining = timedelta(seconds=seconds)
        if self.always_open:
            return start + remaining
        for opening in self._openings(start, None):
            begin = max(opening.start, start)
            available = opening.end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise NoWorkingTime("The calendar has no working time left.")  # pragma: no cover

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants (zero if ``end`` is not after ``start``)."""
        if end <= start:
            return timedelta(0)
        if self.always_open:
            return end - start
        total = timedelta(0)
        for opening in self._openings(start, end):
            if opening.start >= end:
                break
            total += min(opening.end, end) - max(opening.start, start)
        return total

    def business_seconds(self, start: datetime, end: datetime) -> int:
        """Whole seconds of business time between two instants."""
        return self.elapsed(start, end) // _ONE_SECOND

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself during working time, else the start of the next opening."""
        if self.always_open:
            return at
        for opening in self._openings(at, None):
            return max(opening.start, at)
        raise NoWorkingTime("The calendar has no working time left.")  # pragma: no cover

    def is_open(self, at: datetime) -> bool:
        return self.always_open or self.next_opening(at) == at

    # ------------------------------------------------------------------ days

    def openings_on(self, day: date) -> tuple[Opening, ...]:
        """The openings of the intervals that start on local date ``day``, by start."""
        found = self._days.get(day)
        if found is None:
            found = self._compute_day(day)
            if len(self._days) >= _DAY_CACHE_SIZE:
                self._days.clear()
            self._days[day] = found
        return found

    def _compute_day(self, day: date) -> tuple[Opening, ...]:
        if self.always_open:
            start = self._instant(day, 0)
            return (Opening(start, self._instant(day, MINUTES_PER_DAY)),)
        intervals = self.week[day.weekday()]
        if not intervals or day in self.closed:
            return ()
        openings = [
            Opening(self._instant(day, i.start), self._instant(day, i.end)) for i in intervals
        ]
        # A wall time in a spring-forward gap moves an hour on, which may reorder or
        # empty an interval that touches the gap.
        return tuple(sorted((o for o in openings if o.end > o.start), key=lambda o: o.start))

    def _instant(self, day: date, minutes: int) -> datetime:
        wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
        return wall.replace(tzinfo=self.zone).astimezone(UTC)

    def _openings(self, since: datetime, until: datetime | None) -> Iterator[Opening]:
        """Openings that end after ``since``, merged where they touch or overlap, in order.

        Starts the day before ``since``'s local date (its overnight interval may still
        run); with ``until``, stops after the day that holds it.
        """
        first = since.astimezone(self.zone).date() - timedelta(days=1)
        last = until.astimezone(self.zone).date() if until is not None else None
        current: Opening | None = None
        for offset in range(MAX_WALK_DAYS):
            day = first + timedelta(days=offset)
            if last is not None and day > last:
                break
            for opening in self.openings_on(day):
                if current is None:
                    current = opening
                elif opening.start <= current.end:
                    if opening.end > current.end:
                        current = Opening(current.start, opening.end)
                else:
                    if current.end > since:
                        yield current
                    current = opening
        if current is not None and current.end > since:
            yield current
        if last is None:
            raise NoWorkingTime("The calendar has no working time left.")
