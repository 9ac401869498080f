from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.enums import Priority
from supportdesk.models.base import Base, TimestampMixin, enum_type


class SlaPolicy(TimestampMixin, Base):
    """Response and resolution targets for one priority, for a project or globally."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        # One policy per (project, priority); NULLs never collide in a unique constraint,
        # so the global policies (project_id NULL) need their own partial index.
        Index(
            "uq_sla_policies_project_id_priority",
            "project_id",
            "priority",
            unique=True,
            postgresql_where=text("project_id IS NOT NULL"),
            sqlite_where=text("project_id IS NOT NULL"),
        ),
        Index(
            "uq_sla_policies_global_priority",
            "priority",
            unique=True,
            postgresql_where=text("project_id IS NULL"),
            sqlite_where=text("project_id IS NULL"),
        ),
        CheckConstraint("first_response_minutes > 0", name="first_response_positive"),
        CheckConstraint("resolution_minutes > 0", name="resolution_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority))
    first_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int]
    # Overrides the project's calendar for the tickets this policy applies to.
    business_calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_calendars.id", ondelete="SET NULL")
    )
