"""Tickets read as rows rather than objects: the detail view and the pages of lists.

These are the most requested reads, and nothing in them is changed. The ORM would build,
track and relate a mapped object for every row (identity map, loader strategies), which
costs several times the statements themselves; here the statements run on the request's
connection and their rows become small frozen views. The views carry the mapped
classes' attribute names, so what renders a ``Ticket`` renders its view too.

Every statement the detail sends is built once (the ticket's own once per shape of
principal), with the ticket and the reader as parameters: SQLAlchemy then neither
builds, keys nor adapts a statement per request, only binds its values. A list's page
depends on its filters; only its tags' statement is built once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    ScalarSelect,
    Select,
    UnaryExpression,
    bindparam,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from supportdesk.auth.principal import Principal
from supportdesk.core.enums import MessageType, Priority, TicketSource, TicketStatus
from supportdesk.models import (
    Activity,
    Attachment,
    BusinessCalendar,
    Category,
    Message,
    Project,
    Rating,
    SlaPolicy,
    Tag,
    Ticket,
    User,
    Watcher,
)
from supportdesk.models.ticket import ticket_tags
from supportdesk.repositories.base import Repository, not_deleted
from supportdesk.repositories.visibility import (
    NOTE_ACTION,
    viewer_parameters,
    viewer_shape,
    visibility,
)


@dataclass(frozen=True, slots=True)
class UserRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ProjectRef:
    id: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class LabelRef:
    """A category or a tag: what a ticket shows of either."""

    id: int
    name: str
    color: str | None


@dataclass(frozen=True, slots=True)
class SlaPolicyRef:
    id: int
    project_id: int | None
    priority: Priority
    first_response_minutes: int
    resolution_minutes: int
    business_calendar_id: int | None


@dataclass(frozen=True, slots=True)
class BusinessCalendarRef:
    """The calendar a ticket's clocks count in, whole: the read counts business time."""

    id: int
    name: str
    timezone: str
    is_24x7: bool
    hours: dict[str, Any]
    holidays: list[dict[str, Any]]
    country: str | None
    subdivision: str | None


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: int
    message_id: int | None
    filename: str
    content_type: str
    size: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    body: str
    type: MessageType
    is_first_response: bool
    author: UserRef | None
    created_at: datetime
    attachments: list[AttachmentView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ActivityView:
    id: int
    action: str
    description: str
    changes: dict[str, Any]
    user: UserRef | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RatingView:
    score: int
    comment: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketDetailView:
    id: int
    ticket_number: str
    subject: str
    description: str
    status: TicketStatus
    priority: Priority
    source: TicketSource
    customer_name: str | None
    customer_email: str | None
    customer_phone: str | None
    assignee_id: int | None
    meta: dict[str, Any]
    is_locked: bool
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_responded_at: datetime | None
    first_response_breached_at: datetime | None
    resolution_breached_at: datetime | None
    sla_paused_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    last_activity_at: datetime
    created_at: datetime
    updated_at: datetime
    version: int
    project: ProjectRef
    category: LabelRef | None
    creator: UserRef | None
    assignee: UserRef | None
    sla_policy: SlaPolicyRef | None
    business_calendar: BusinessCalendarRef | None
    rating: RatingView | None
    tags: list[LabelRef]
    messages: list[MessageView]
    attachments: list[AttachmentView]
    activities: list[ActivityView]
    watchers: list[UserRef]


@dataclass(frozen=True, slots=True)
class TicketSummaryView:
    """A ticket as lists show it."""

    id: int
    ticket_number: str
    subject: str
    status: TicketStatus
    priority: Priority
    customer_name: str | None
    customer_email: str | None
    last_activity_at: datetime
    created_at: datetime
    updated_at: datetime
    project: ProjectRef
    category: LabelRef | None
    creator: UserRef | None
    assignee: UserRef | None
    reply_count: int
    tags: list[LabelRef]


_Creator = aliased(User)
_Assignee = aliased(User)
_TICKET_ID: BindParameter[int] = bindparam("ticket_id", type_=Integer)

_TAGS = (
    select(Tag.id, Tag.name, Tag.color)
    .join(ticket_tags, ticket_tags.c.tag_id == Tag.id)
    .where(ticket_tags.c.ticket_id == _TICKET_ID)
    .order_by(Tag.id)
)
_WATCHERS = (
    select(User.id, User.name)
    .join(Watcher, Watcher.user_id == User.id)
    .where(Watcher.ticket_id == _TICKET_ID)
    .order_by(Watcher.created_at)
)


def _messages(*, include_internal: bool) -> Select[*tuple[Any, ...]]:
    statement = (
        select(
            Message.id,
            Message.body,
            Message.type,
            Message.is_first_response,
            Message.created_at,
            User.id,
            User.name,
        )
        .outerjoin(User, User.id == Message.author_id)
        .where(Message.ticket_id == _TICKET_ID)
        .order_by(Message.id)
    )
    return statement if include_internal else statement.where(Message.type != MessageType.NOTE)


def _attachments(*, include_internal: bool) -> Select[*tuple[Any, ...]]:
    statement = (
        select(
            Attachment.id,
            Attachment.message_id,
            Attachment.filename,
            Attachment.content_type,
            Attachment.size,
            Attachment.created_at,
        )
        .where(Attachment.ticket_id == _TICKET_ID)
        .order_by(Attachment.id)
    )
    return statement if include_internal else statement.where(Attachment.is_internal.is_(False))


def _activities(*, include_internal: bool) -> Select[*tuple[Any, ...]]:
    statement = (
        select(
            Activity.id,
            Activity.action,
            Activity.description,
            Activity.changes,
            Activity.created_at,
            User.id,
            User.name,
        )
        .outerjoin(User, User.id == Activity.user_id)
        .where(Activity.ticket_id == _TICKET_ID)
        .order_by(Activity.id)
    )
    return statement if include_internal else statement.where(Activity.action != NOTE_ACTION)


# Staff read internal notes, their files and their trail; everyone else does not.
_RELATIONS = {
    include_internal: (
        _messages(include_internal=include_internal),
        _attachments(include_internal=include_internal),
        _activities(include_internal=include_internal),
    )
    for include_internal in (True, False)
}


# The many-to-one relations every ticket row shows: its project, category, creator and
# assignee (whose id is the ticket's assignee_id).
_SHOWN_COLUMNS = (
    Project.id.label("project_id"),
    Project.name.label("project_name"),
    Project.slug.label("project_slug"),
    Category.id.label("category_id"),
    Category.name.label("category_name"),
    Category.color.label("category_color"),
    _Creator.id.label("creator_id"),
    _Creator.name.label("creator_name"),
    _Assignee.name.label("assignee_name"),
)


def _join_shown(statement: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return (
        statement.join(Project, Project.id == Ticket.project_id)
        .outerjoin(Category, Category.id == Ticket.category_id)
        .outerjoin(_Creator, _Creator.id == Ticket.creator_id)
        .outerjoin(_Assignee, _Assignee.id == Ticket.assignee_id)
    )


def _shown(row: Row[*tuple[Any, ...]]) -> dict[str, Any]:
    """The views of the relations of ``_SHOWN_COLUMNS``, by the ticket views' names."""
    return {
        "project": ProjectRef(row.project_id, row.project_name, row.project_slug),
        "category": (
            LabelRef(row.category_id, row.category_name, row.category_color)
            if row.category_id is not None
            else None
        ),
        "creator": _user(row.creator_id, row.creator_name),
        "assignee": _user(row.assignee_id, row.assignee_name),
    }


# The ticket's own columns, named as the view names them.
_TICKET_COLUMNS = (
    Ticket.id,
    Ticket.ticket_number,
    Ticket.subject,
    Ticket.description,
    Ticket.status,
    Ticket.priority,
    Ticket.source,
    Ticket.customer_name,
    Ticket.customer_email,
    Ticket.customer_phone,
    Ticket.assignee_id,
    Ticket.meta.label("meta"),
    Ticket.is_locked,
    Ticket.first_response_due_at,
    Ticket.resolution_due_at,
    Ticket.first_responded_at,
    Ticket.first_response_breached_at,
    Ticket.resolution_breached_at,
    Ticket.sla_paused_at,
    Ticket.resolved_at,
    Ticket.closed_at,
    Ticket.last_activity_at,
    Ticket.created_at,
    Ticket.updated_at,
    Ticket.version,
)
# Its other many-to-one relations, joined in, with the rating (one per ticket at most).
_RELATED_COLUMNS = (
    SlaPolicy.id.label("sla_id"),
    SlaPolicy.project_id.label("sla_project_id"),
    SlaPolicy.priority.label("sla_priority"),
    SlaPolicy.first_response_minutes.label("sla_first_response_minutes"),
    SlaPolicy.resolution_minutes.label("sla_resolution_minutes"),
    SlaPolicy.business_calendar_id.label("sla_business_calendar_id"),
    BusinessCalendar.id.label("calendar_id"),
    BusinessCalendar.name.label("calendar_name"),
    BusinessCalendar.timezone.label("calendar_timezone"),
    BusinessCalendar.is_24x7.label("calendar_is_24x7"),
    BusinessCalendar.hours.label("calendar_hours"),
    BusinessCalendar.holidays.label("calendar_holidays"),
    BusinessCalendar.country.label("calendar_country"),
    BusinessCalendar.subdivision.label("calendar_subdivision"),
    Rating.score.label("rating_score"),
    Rating.comment.label("rating_comment"),
    Rating.created_at.label("rated_at"),
)


# The ticket's own statement, one per shape of principal (tickets.viewer_shape): who is
# looking, like which ticket, is a parameter.
_TICKET_STATEMENTS: dict[Hashable, Select[*tuple[Any, ...]]] = {}


def _ticket_statement(principal: Principal) -> Select[*tuple[Any, ...]]:
    shape = viewer_shape(principal)
    statement = _TICKET_STATEMENTS.get(shape)
    if statement is None:
        statement = _TICKET_STATEMENTS[shape] = (
            _join_shown(select(*_TICKET_COLUMNS, *_SHOWN_COLUMNS, *_RELATED_COLUMNS))
            .outerjoin(SlaPolicy, SlaPolicy.id == Ticket.sla_policy_id)
            .outerjoin(BusinessCalendar, BusinessCalendar.id == Ticket.business_calendar_id)
            .outerjoin(Rating, Rating.ticket_id == Ticket.id)
            .where(Ticket.id == _TICKET_ID, not_deleted(Ticket), visibility(principal))
        )
    return statement


class TicketDetailRepository(Repository):
    async def detail(
        self, principal: Principal, ticket_id: int, *, include_internal: bool
    ) -> TicketDetailView | None:
        """A ticket the principal can see, with its relations; internal ones if asked."""
        connection = await self.session.connection()
        bound = {"ticket_id": ticket_id}
        statement = _ticket_statement(principal)
        row = (await connection.execute(statement, bound | viewer_parameters(principal))).first()
        if row is None:
            return None
        messages, attachments, activities = _RELATIONS[include_internal]
        tags = (await connection.execute(_TAGS, bound)).all()
        message_rows = (await connection.execute(messages, bound)).all()
        attachment_rows = (await connection.execute(attachments, bound)).all()
        activity_rows = (await connection.execute(activities, bound)).all()
        watchers = (await connection.execute(_WATCHERS, bound)).all()
        files = [AttachmentView(*r) for r in attachment_rows]
        return _ticket(
            row,
            tags=[LabelRef(*r) for r in tags],
            messages=_with_attachments(message_rows, files),
            attachments=files,
            activities=[
                ActivityView(r[0], r[1], r[2], r[3], _user(r[5], r[6]), r[4]) for r in activity_rows
            ],
            watchers=[UserRef(*r) for r in watchers],
        )


def _user(user_id: Any, name: Any) -> UserRef | None:
    return UserRef(user_id, name) if user_id is not None and name is not None else None


def _with_attachments(
    rows: Sequence[Row[*tuple[Any, ...]]], attachments: list[AttachmentView]
) -> list[MessageView]:
    """Each message with its files, from the ticket's: a message's are internal exactly
    when the message is a note, so the ticket's files as read hold every shown message's."""
    by_message: dict[int, list[AttachmentView]] = defaultdict(list)
    for attachment in attachments:
        if attachment.message_id is not None:
            by_message[attachment.message_id].append(attachment)
    return [
        MessageView(r[0], r[1], r[2], r[3], _user(r[5], r[6]), r[4], by_message.get(r[0], []))
        for r in rows
    ]


def _ticket(
    row: Row[*tuple[Any, ...]],
    *,
    tags: list[LabelRef],
    messages: list[MessageView],
    attachments: list[AttachmentView],
    activities: list[ActivityView],
    watchers: list[UserRef],
) -> TicketDetailView:
    return TicketDetailView(
        id=row.id,
        ticket_number=row.ticket_number,
        subject=row.subject,
        description=row.description,
        status=row.status,
        priority=row.priority,
        source=row.source,
        customer_name=row.customer_name,
        customer_email=row.customer_email,
        customer_phone=row.customer_phone,
        assignee_id=row.assignee_id,
        meta=row.meta,
        is_locked=row.is_locked,
        first_response_due_at=row.first_response_due_at,
        resolution_due_at=row.resolution_due_at,
        first_responded_at=row.first_responded_at,
        first_response_breached_at=row.first_response_breached_at,
        resolution_breached_at=row.resolution_breached_at,
        sla_paused_at=row.sla_paused_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        last_activity_at=row.last_activity_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        **_shown(row),
        sla_policy=(
            SlaPolicyRef(
                row.sla_id,
                row.sla_project_id,
                row.sla_priority,
                row.sla_first_response_minutes,
                row.sla_resolution_minutes,
                row.sla_business_calendar_id,
            )
            if row.sla_id is not None
            else None
        ),
        business_calendar=(
            BusinessCalendarRef(
                row.calendar_id,
                row.calendar_name,
                row.calendar_timezone,
                row.calendar_is_24x7,
                row.calendar_hours,
                row.calendar_holidays,
                row.calendar_country,
                row.calendar_subdivision,
            )
            if row.calendar_id is not None
            else None
        ),
        rating=(
            RatingView(row.rating_score, row.rating_comment, row.rated_at)
            if row.rating_score is not None
            else None
        ),
        tags=tags,
        messages=messages,
        attachments=attachments,
        activities=activities,
        watchers=watchers,
    )


# ---------------------------------------------------------------------- list pages

_REPLY_COUNT = (
    select(func.count(Message.id))
    .where(Message.ticket_id == Ticket.id, Message.type == MessageType.REPLY)
    .correlate(Ticket)
    .scalar_subquery()
    .label("reply_count")
)
_SUMMARY_COLUMNS = (
    Ticket.id,
    Ticket.ticket_number,
    Ticket.subject,
    Ticket.status,
    Ticket.priority,
    Ticket.customer_name,
    Ticket.customer_email,
    Ticket.assignee_id,
    Ticket.last_activity_at,
    Ticket.created_at,
    Ticket.updated_at,
    _REPLY_COUNT,
)
_TAGS_OF_TICKETS = (
    select(ticket_tags.c.ticket_id, Tag.id, Tag.name, Tag.color)
    .join(Tag, Tag.id == ticket_tags.c.tag_id)
    .where(ticket_tags.c.ticket_id.in_(bindparam("ticket_ids", expanding=True)))
    .order_by(ticket_tags.c.ticket_id, Tag.id)
)


async def summaries(
    session: AsyncSession,
    ids: ScalarSelect[int],
    order_by: tuple[UnaryExpression[Any] | ColumnElement[Any], ...],
) -> list[TicketSummaryView]:
    """The tickets ``ids`` selects, in ``order_by``'s order, as lists show them.

    Two statements whatever their number: the tickets with their many-to-one relations
    and reply counts, then their tags.
    """
    connection = await session.connection()
    rows = (
        await connection.execute(
            _join_shown(select(*_SUMMARY_COLUMNS, *_SHOWN_COLUMNS))
            .where(Ticket.id.in_(ids))
            .order_by(*order_by)
        )
    ).all()
    tags: dict[int, list[LabelRef]] = defaultdict(list)
    if rows:
        bound = {"ticket_ids": [row.id for row in rows]}
        for ticket_id, *tag in await connection.execute(_TAGS_OF_TICKETS, bound):
            tags[ticket_id].append(LabelRef(*tag))
    return [
        TicketSummaryView(
            id=row.id,
            ticket_number=row.ticket_number,
            subject=row.subject,
            status=row.status,
            priority=row.priority,
            customer_name=row.customer_name,
            customer_email=row.customer_email,
            last_activity_at=row.last_activity_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            **_shown(row),
            reply_count=row.reply_count,
            tags=tags.get(row.id, []),
        )
        for row in rows
    ]
