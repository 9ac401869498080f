from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    and_,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.core import clock
from supportdesk.core.enums import Priority, SenderType, TicketSource, TicketStatus
from supportdesk.models.base import Base, TimestampMixin, enum_type

if TYPE_CHECKING:
    from supportdesk.models.activity import Activity
    from supportdesk.models.calendar import BusinessCalendar
    from supportdesk.models.department import Department
    from supportdesk.models.message import Attachment, Message
    from supportdesk.models.product import Product
    from supportdesk.models.project import Project
    from supportdesk.models.sla import SlaPolicy
    from supportdesk.models.taxonomy import Category, Tag
    from supportdesk.models.user import User


ticket_tags = Table(
    "ticket_tags",
    Base.metadata,
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TicketCounter(Base):
    """The last ticket number handed out per project and year (incremented atomically)."""

    __tablename__ = "ticket_counters"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class TicketTally(Base):
    """How many live tickets share a project, status, priority, assignee and breach.

    Lists show totals without counting tickets: they add up these rows instead, a number
    bounded by the hub's configuration, not by its tickets. Triggers on ``tickets``
    append a +1/-1 row for every insert, delete and change of these columns in the
    writing transaction (so concurrent writers never wait on one another's row), and
    the worker folds the rows into one per group now and then (TallyRepository.compact).
    """

    __tablename__ = "ticket_tallies"
    __table_args__ = (Index("ix_ticket_tallies_project_id_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int]
    status: Mapped[TicketStatus] = mapped_column(enum_type(TicketStatus))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority))
    assignee_id: Mapped[int | None] = mapped_column(index=True)
    # Either SLA recorded as breached (the flags the minute's check sets).
    breached: Mapped[bool]
    tickets: Mapped[int]


class Ticket(TimestampMixin, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("uq_tickets_project_id_year_number", "project_id", "year", "number", unique=True),
        # Lists page newest first; the live-ticket index also serves deep offsets
        # index-only (the ids of page 5,000 without reading 100,000 rows).
        Index("ix_tickets_created_at_id", "created_at", "id"),
        Index(
            "ix_tickets_live_created_at_id",
            "created_at",
            "id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index("ix_tickets_project_id_created_at", "project_id", "created_at"),
        Index("ix_tickets_status_priority", "status", "priority"),
        Index("ix_tickets_status_created_at", "status", "created_at"),
        Index("ix_tickets_assignee_id_status", "assignee_id", "status"),
        Index("ix_tickets_assignee_id_created_at", "assignee_id", "created_at"),
        Index("ix_tickets_customer_id", "customer_id"),
        # A customer sees the tickets they are the customer of OR created: one index each,
        # so the OR is a bitmap union instead of a scan of the table. Project and
        # assignee too: an agent's tickets outside their projects and queue are counted
        # on this index alone.
        Index(
            "ix_tickets_creator_id",
            "creator_id",
            "project_id",
            "assignee_id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # Search by ticket number or customer e-mail matches a prefix, case-insensitively.
        Index(
            "ix_tickets_ticket_number_prefix",
            "ticket_number",
            postgresql_ops={"ticket_number": "text_pattern_ops"},
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_tickets_customer_email_lower",
            func.lower(text("customer_email")).label("lower_email"),
            postgresql_ops={"lower_email": "text_pattern_ops"},
        ),
        Index("ix_tickets_resolution_due_at", "resolution_due_at"),
        Index("ix_tickets_first_response_due_at", "first_response_due_at"),
        Index("ix_tickets_resolved_at", "resolved_at"),  # reports and trends by resolution day
        # Full-text search on subjects; SQLite searches with LIKE instead.
        Index(
            "ix_tickets_subject_fts",
            func.to_tsvector(literal_column("'simple'"), text("subject")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_tickets_description_fts",
            func.to_tsvector(literal_column("'simple'"), text("description")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    year: Mapped[int]
    number: Mapped[int]
    ticket_number: Mapped[str] = mapped_column(String(32), unique=True)
    subject: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[TicketStatus] = mapped_column(enum_type(TicketStatus), default=TicketStatus.OPEN)
    priority: Mapped[Priority] = mapped_column(enum_type(Priority), default=Priority.MEDIUM)
    source: Mapped[TicketSource] = mapped_column(
        enum_type(TicketSource), default=TicketSource.PORTAL
    )

    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    customer_name: Mapped[str | None] = mapped_column(String(255))
    customer_email: Mapped[str | None] = mapped_column(String(255))
    customer_phone: Mapped[str | None] = mapped_column(String(50))
    external_customer_id: Mapped[str | None] = mapped_column(String(255))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    # "metadata" is reserved on declarative classes, hence the attribute name.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_locked: Mapped[bool] = mapped_column(default=False)

    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL")
    )
    first_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    first_responded_at: Mapped[datetime | None]
    first_response_breached_at: Mapped[datetime | None]
    resolution_breached_at: Mapped[datetime | None]
    # The resolution clock runs from sla_started_at (creation, or the last reopening),
    # less the seconds spent paused; sla_paused_at is set while it is paused.
    sla_started_at: Mapped[datetime | None]
    sla_paused_at: Mapped[datetime | None]
    sla_paused_seconds: Mapped[int] = mapped_column(default=0)
    # The calendar the due dates were counted in (none: around the clock); the seconds
    # above are business seconds of it. At *_warns_at 80% of a target's business time
    # has passed; *_warned_at records the one warning sent.
    business_calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_calendars.id", ondelete="SET NULL")
    )
    first_response_warns_at: Mapped[datetime | None]
    resolution_warns_at: Mapped[datetime | None]
    first_response_warned_at: Mapped[datetime | None]
    resolution_warned_at: Mapped[datetime | None]

    last_reply_at: Mapped[datetime | None]
    last_reply_by: Mapped[SenderType | None] = mapped_column(enum_type(SenderType))
    last_activity_at: Mapped[datetime] = mapped_column(default=clock.now)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    # Optimistic locking: a concurrent update of the same ticket fails instead of winning.
    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship(lazy="raise")
    customer: Mapped[User | None] = relationship(foreign_keys=[customer_id], lazy="raise")
    creator: Mapped[User | None] = relationship(foreign_keys=[creator_id], lazy="raise")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="raise")
    category: Mapped[Category | None] = relationship(lazy="raise")
    department: Mapped[Department | None] = relationship(lazy="raise")
    product: Mapped[Product | None] = relationship(lazy="raise")
    sla_policy: Mapped[SlaPolicy | None] = relationship(lazy="raise")
    business_calendar: Mapped[BusinessCalendar | None] = relationship(lazy="raise")
    tags: Mapped[list[Tag]] = relationship(secondary=ticket_tags, lazy="raise", order_by="Tag.id")
    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket", lazy="raise", order_by="Message.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(lazy="raise", order_by="Attachment.id")
    activities: Mapped[list[Activity]] = relationship(lazy="raise", order_by="Activity.id")
    watchers: Mapped[list[Watcher]] = relationship(lazy="raise", order_by="Watcher.created_at")
    rating: Mapped[Rating | None] = relationship(lazy="raise", uselist=False)


def _status_not_in(*statuses: TicketStatus) -> ColumnElement[bool]:
    # Literal values, not bound parameters: the planner must see them to know that a
    # query's condition implies a partial index's.
    return Ticket.status.not_in([literal_column(f"'{status.value}'") for status in statuses])


# Tickets whose SLA clocks run and have not breached: all the SLA check reads, and (past
# due) what a list shows as overdue besides the breached ones. Queries state them in
# these very words, so the partial indexes below serve them.
FIRST_RESPONSE_CLOCK_RUNS = and_(
    Ticket.first_responded_at.is_(None),
    Ticket.first_response_breached_at.is_(None),
    Ticket.deleted_at.is_(None),
    _status_not_in(TicketStatus.RESOLVED, TicketStatus.CLOSED),
)
RESOLUTION_CLOCK_RUNS = and_(
    Ticket.resolution_breached_at.is_(None),
    Ticket.deleted_at.is_(None),
    _status_not_in(
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
        TicketStatus.ON_HOLD,
        TicketStatus.PENDING_CUSTOMER,
    ),
)
Index(
    "ix_tickets_first_response_clock",
    Ticket.first_response_due_at,
    postgresql_where=FIRST_RESPONSE_CLOCK_RUNS,
    sqlite_where=FIRST_RESPONSE_CLOCK_RUNS,
)
Index(
    "ix_tickets_resolution_clock",
    Ticket.resolution_due_at,
    postgresql_where=RESOLUTION_CLOCK_RUNS,
    sqlite_where=RESOLUTION_CLOCK_RUNS,
)
# Running clocks not yet warned of: what the minute's warning check reads, in these words.
FIRST_RESPONSE_WARNING_PENDING = and_(
    FIRST_RESPONSE_CLOCK_RUNS, Ticket.first_response_warned_at.is_(None)
)
RESOLUTION_WARNING_PENDING = and_(RESOLUTION_CLOCK_RUNS, Ticket.resolution_warned_at.is_(None))
Index(
    "ix_tickets_first_response_warning",
    Ticket.first_response_warns_at,
    postgresql_where=FIRST_RESPONSE_WARNING_PENDING,
    sqlite_where=FIRST_RESPONSE_WARNING_PENDING,
)
Index(
    "ix_tickets_resolution_warning",
    Ticket.resolution_warns_at,
    postgresql_where=RESOLUTION_WARNING_PENDING,
    sqlite_where=RESOLUTION_WARNING_PENDING,
)


class Watcher(Base):
    __tablename__ = "watchers"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    user: Mapped[User] = relationship(lazy="raise")


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
