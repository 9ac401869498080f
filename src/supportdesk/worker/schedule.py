"""When the cron jobs run: one table for the arq worker and the in-process runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from arq.cron import CronJob, cron, next_cron

from supportdesk.worker import jobs

Job = Callable[[dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Schedule:
    job: Job
    day: int | None = None
    hour: int | None = None
    minute: int | None = None
    second: int = 0

    @property
    def name(self) -> str:
        return self.job.__name__

    def next_after(self, moment: datetime) -> datetime:
        # arq's own calculation, so both modes agree to the second.
        return next_cron(
            moment,
            day=self.day,
            hour=self.hour,
            minute=self.minute,
            second=self.second,
            microsecond=0,
        )

    def as_cron(self) -> CronJob:
        return cron(
            self.job,  # type: ignore[arg-type]
            name=f"cron:{self.name}",
            day=self.day,
            hour=self.hour,
            minute=self.minute,
            second=self.second,
            microsecond=0,
            # The previous run still going: skip this one rather than pile up.
            unique=True,
        )


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(jobs.check_sla),  # every minute
    Schedule(jobs.fold_tallies, second=30),  # every minute, between SLA checks
    Schedule(jobs.auto_close, minute=5),  # hourly
    Schedule(jobs.expire_idempotency_keys, minute=35),  # hourly
    Schedule(jobs.cleanup, hour=3, minute=15),  # daily
    Schedule(jobs.purge_deleted, day=1, hour=3, minute=45),  # monthly
)
