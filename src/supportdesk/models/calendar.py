from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.models.base import Base, JSONType, TimestampMixin


class BusinessCalendar(TimestampMixin, Base):
    """When SLA clocks run: a time zone, working hours per weekday, and holidays.

    Its whole definition is in this one row (the hours and holidays as JSON), so a read
    that joins it in has all it needs to count business time, and a change is one write.

    ``hours`` maps weekday names to intervals: ``{"monday": [{"start": "09:00", "end":
    "12:30"}, ...], ...}``; a missing day is closed. ``holidays``: ``[{"date": "2026-12-24",
    "name": "Christmas Eve", "yearly": true}, ...]``. ``country`` (and ``subdivision``)
    add that region's public holidays. ``is_24x7`` counts every second, like having no
    calendar.
    """

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64))
    is_24x7: Mapped[bool] = mapped_column(default=False)
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    holidays: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    country: Mapped[str | None] = mapped_column(String(8))
    subdivision: Mapped[str | None] = mapped_column(String(16))
