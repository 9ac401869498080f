from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.core import clock
from supportdesk.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from supportdesk.models.user import User

DEFAULT_PROJECT_ID = 1


class Project(TimestampMixin, Base):
    """A connected project (a client site or app) whose customers open tickets."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    ticket_prefix: Mapped[str] = mapped_column(String(8), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    support_email: Mapped[str | None] = mapped_column(String(255))
    website_url: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    # When its tickets' SLA clocks run, unless their SLA policy names a calendar; none
    # is around the clock.
    business_calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_calendars.id", ondelete="SET NULL")
    )

    agent_links: Mapped[list[ProjectAgent]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan"
    )


class ProjectAgent(Base):
    """Membership of a staff user in a project; agents see the tickets of their projects."""

    __tablename__ = "project_agents"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_lead: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    project: Mapped[Project] = relationship(back_populates="agent_links", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")
