"""How long one SLA due time takes to compute over a 30-day span (no database, no server).

The calendar: Europe/Berlin, Monday to Friday 09:00-12:30 and 13:30-18:00, 20 holidays
every other day from the start (15 of them inside the span) and a yearly one. The target is the business time of the span's 30
calendar days less a little, so the walk crosses all of them (a spring-forward change
included). Two figures:

- cold: a new calendar each time, so every day's openings are converted from wall time
  (what the first ticket after a calendar changes pays);
- warm: the same calendar again (its days' openings kept), as for every later ticket.

    python3 -m uv run python bench/business_time.py
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from supportdesk.core.business_time import BusinessHours, Closures, interval

ZONE = ZoneInfo("Europe/Berlin")
START = datetime(2027, 3, 12, 16, 30, tzinfo=UTC)  # a Friday, 17:30 in Berlin
SPAN_DAYS = 30
ROUNDS = 2000


def calendar() -> BusinessHours:
    day = [interval("09:00", "12:30"), interval("13:30", "18:00")]
    first = START.date()
    holidays = frozenset(first + timedelta(days=n) for n in range(1, 41, 2))  # 20 dates
    closures = Closures(dates=holidays, yearly=frozenset({(12, 25)}))
    return BusinessHours(ZONE, [day] * 5 + [[], []], closures)


def span_target() -> int:
    """Business seconds in the 30 days after START, less an hour: due near the span's end."""
    end = START + timedelta(days=SPAN_DAYS)
    return calendar().business_seconds(START, end) - 3600


def measure(cold: bool, seconds: int) -> list[float]:
    shared = calendar()
    timings = []
    for _ in range(ROUNDS):
        which = calendar() if cold else shared
        began = time.perf_counter()
        due = which.due(START, seconds)
        timings.append((time.perf_counter() - began) * 1000)
    assert (due - START) > timedelta(days=SPAN_DAYS - 3), due
    return timings


def main() -> None:
    seconds = span_target()
    due = calendar().due(START, seconds)
    print(f"target {seconds / 3600:.1f} business hours from {START:%a %Y-%m-%d %H:%M} UTC")
    print(f"due {due:%a %Y-%m-%d %H:%M} UTC ({(due - START).days} days on)")
    for label, cold in (("cold", True), ("warm", False)):
        timings = sorted(measure(cold, seconds))
        p50 = statistics.median(timings)
        p99 = timings[int(len(timings) * 0.99)]
        print(f"{label}: median {p50:.3f} ms, p99 {p99:.3f} ms over {ROUNDS} runs")


if __name__ == "__main__":
    main()
