"""Request and response bodies of the portal API, as the SupportDesk reference shows them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from supportdesk.api.types import MAX_TEXT_LENGTH, Email, Id, Instant, TagIds
from supportdesk.api.validation import RequestBody
from supportdesk.core import clock, status_words
from supportdesk.core.enums import Priority
from supportdesk.core.status_words import PortalStatus
from supportdesk.models import (
    Activity,
    Attachment,
    Category,
    Message,
    Project,
    Rating,
    Tag,
    Ticket,
    User,
)
from supportdesk.repositories.ticket_rows import (
    ActivityView,
    AttachmentView,
    LabelRef,
    MessageView,
    ProjectRef,
    RatingView,
    TicketDetailView,
    TicketSummaryView,
    UserRef,
)
from supportdesk.services import sla
from supportdesk.services.sla import DEFAULT_TARGETS

In = RequestBody


class _Confirmed(In):
    # Declared first, so it is validated before ``password`` and visible in ``info.data``.
    password_confirmation: str | None = None

    # A field validator, not a model validator: the error is reported under ``password``.
    @field_validator("password", check_fields=False)
    @classmethod
    def _passwords_match(cls, password: str | None, info: ValidationInfo) -> str | None:
        if password is not None and password != info.data.get("password_confirmation"):
            raise ValueError("The password field confirmation does not match.")
        return password


# ---------------------------------------------------------------------- requests


class LoginIn(In):
    email: str = Field(min_length=1, max_length=255)
    password: str = Field(min_length=1, max_length=1024)


class RegisterIn(_Confirmed):
    name: str = Field(min_length=1, max_length=255)
    email: Email
    password: str = Field(min_length=8, max_length=1024)
    phone: str | None = Field(default=None, max_length=50)


class ProfileIn(_Confirmed):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    phone: str | None = Field(default=None, max_length=50)
    current_password: str | None = Field(
        default=None,
        max_length=1024,
        description="Required with password: the account's password now (missing or wrong: 422).",
    )
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class TicketCreateIn(In):
    project_id: Id
    subject: str = Field(min_length=1, max_length=255)
    description: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)
    priority: Priority | None = None
    category_id: Id | None = None
    tags: TagIds = Field(default_factory=list)
    customer_name: str | None = Field(
        default=None,
        max_length=255,
        description="Staff only; a customer's ticket keeps their account's name.",
    )
    customer_email: Email | None = Field(
        default=None,
        description=(
            "Staff only: where replies are e-mailed. A customer may send only their own"
            " address (another is 422)."
        ),
    )
    customer_phone: str | None = Field(default=None, max_length=50)
    metadata: dict[str, Any] = Field(default_factory=dict)


class TicketUpdateIn(In):
    subject: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_LENGTH)
    category_id: Id | None = None
    priority: Priority | None = None
    tags: TagIds | None = None


class StatusIn(In):
    status: PortalStatus


class AssignIn(In):
    user_id: Id | None


class MessageIn(In):
    body: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)
    type: Literal["reply", "note"] = "reply"


class RatingIn(In):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=5000)


# ---------------------------------------------------------------------- responses


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserBrief(Out):
    id: int
    name: str


class UserOut(Out):
    id: int
    name: str
    email: str
    role: str
    phone: str | None
    department: str | None
    avatar_url: str | None
    is_active: bool
    last_login_at: Instant | None
    created_at: Instant


class ProjectBrief(Out):
    id: int
    name: str
    slug: str


class MembershipOut(ProjectBrief):
    is_lead: bool


class MeOut(UserOut):
    projects: list[MembershipOut]


class CategoryBrief(Out):
    id: int
    name: str
    color: str | None


class TagOut(Out):
    id: int
    name: str
    color: str | None


class SlaPolicyOut(Out):
    id: int | None
    project_id: int | None
    priority: str
    first_response_minutes: int
    resolution_minutes: int
    business_calendar_id: int | None = Field(
        description="The calendar its tickets' clocks count in, over the project's; none: the project's"
    )


class CalendarBrief(Out):
    id: int
    name: str


class SlaTargetClock(BaseModel):
    due_at: Instant | None
    remaining_business_seconds: int | None = Field(
        description="Business time left until due (0 once due); none once the clock stopped"
    )
    paused: bool


class SlaClocks(BaseModel):
    business_calendar: CalendarBrief | None = Field(
        description="The calendar the clocks count in; none: around the clock"
    )
    first_response: SlaTargetClock
    resolution: SlaTargetClock


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    url: str
    created_at: Instant


class MessageOut(Out):
    id: int
    body: str
    type: str
    is_first_response: bool
    user: UserBrief | None
    attachments: list[AttachmentOut]
    created_at: Instant


class ActivityOut(Out):
    id: int
    action: str
    description: str
    changes: dict[str, Any]
    user: UserBrief | None
    created_at: Instant


class RatingOut(Out):
    score: int
    comment: str | None
    created_at: Instant


class TicketListItem(Out):
    id: int
    ticket_number: str
    subject: str
    status: str
    priority: str
    reply_count: int
    project: ProjectBrief
    category: CategoryBrief | None
    assignee: UserBrief | None
    creator: UserBrief | None
    tags: list[TagOut]
    last_activity_at: Instant
    created_at: Instant


class TicketOut(Out):
    id: int
    ticket_number: str
    subject: str
    description: str
    status: str
    priority: str
    source: str
    customer_name: str | None
    customer_email: str | None
    customer_phone: str | None
    assigned_to: int | None
    project: ProjectBrief
    category: CategoryBrief | None
    creator: UserBrief | None
    assignee: UserBrief | None
    tags: list[TagOut]
    metadata: dict[str, Any]
    is_locked: bool
    sla_policy: SlaPolicyOut
    first_response_due_at: Instant | None
    resolution_due_at: Instant | None
    first_responded_at: Instant | None
    first_response_breached: bool
    resolution_breached: bool
    sla_clocks: SlaClocks
    resolved_at: Instant | None
    closed_at: Instant | None
    last_activity_at: Instant
    created_at: Instant
    updated_at: Instant


class TicketDetail(TicketOut):
    messages: list[MessageOut]
    attachments: list[AttachmentOut]
    activities: list[ActivityOut]
    watchers: list[UserBrief]
    rating: RatingOut | None


class TicketPage(BaseModel):
    data: list[TicketListItem]
    current_page: int
    last_page: int
    total: int
    per_page: int


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class SessionOut(TokenOut):
    user: UserOut


class UserEnvelope(BaseModel):
    user: UserOut


class MeEnvelope(BaseModel):
    user: MeOut


class TicketEnvelope(BaseModel):
    ticket: TicketOut


class TicketDetailEnvelope(BaseModel):
    ticket: TicketDetail


class MessageEnvelope(BaseModel):
    message: MessageOut


class RatingEnvelope(BaseModel):
    rating: RatingOut


class WatchOut(BaseModel):
    watching: bool


class MessageText(BaseModel):
    message: str


# ---------------------------------------------------------------------- builders


def user_brief(user: User | UserRef | None) -> UserBrief | None:
    return UserBrief(id=user.id, name=user.name) if user is not None else None


def project_brief(project: Project | ProjectRef) -> ProjectBrief:
    return ProjectBrief(id=project.id, name=project.name, slug=project.slug)


def category_brief(category: Category | LabelRef | None) -> CategoryBrief | None:
    if category is None:
        return None
    return CategoryBrief(id=category.id, name=category.name, color=category.color)


def tags_out(tags: list[Tag] | list[LabelRef]) -> list[TagOut]:
    return [TagOut(id=tag.id, name=tag.name, color=tag.color) for tag in tags]


def sla_policy_out(ticket: Ticket | TicketDetailView) -> SlaPolicyOut:
    policy = ticket.sla_policy
    if policy is not None:
        return SlaPolicyOut(
            id=policy.id,
            project_id=policy.project_id,
            priority=str(policy.priority),
            first_response_minutes=policy.first_response_minutes,
            resolution_minutes=policy.resolution_minutes,
            business_calendar_id=policy.business_calendar_id,
        )
    targets = DEFAULT_TARGETS[ticket.priority]
    return SlaPolicyOut(
        id=None,
        project_id=None,
        priority=str(ticket.priority),
        first_response_minutes=targets.first_response_minutes,
        resolution_minutes=targets.resolution_minutes,
        business_calendar_id=None,
    )


def sla_clocks_out(ticket: Ticket | TicketDetailView) -> SlaClocks:
    calendar = ticket.business_calendar
    found = sla.standing(ticket, calendar, clock.now())
    return SlaClocks(
        business_calendar=(
            CalendarBrief(id=calendar.id, name=calendar.name) if calendar is not None else None
        ),
        first_response=SlaTargetClock(
            due_at=found.first_response.due_at,
            remaining_business_seconds=found.first_response.remaining_business_seconds,
            paused=found.first_response.paused,
        ),
        resolution=SlaTargetClock(
            due_at=found.resolution.due_at,
            remaining_business_seconds=found.resolution.remaining_business_seconds,
            paused=found.resolution.paused,
        ),
    )


def attachment_out(attachment: Attachment | AttachmentView) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        url=f"/api/attachments/{attachment.id}",
        created_at=attachment.created_at,
    )


def message_out(message: Message | MessageView) -> MessageOut:
    return MessageOut(
        id=message.id,
        body=message.body,
        type=str(message.type),
        is_first_response=message.is_first_response,
        user=user_brief(message.author),
        attachments=[attachment_out(a) for a in message.attachments],
        created_at=message.created_at,
    )


def activity_out(activity: Activity | ActivityView) -> ActivityOut:
    return ActivityOut(
        id=activity.id,
        action=activity.action,
        description=activity.description,
        changes=activity.changes,
        user=user_brief(activity.user),
        created_at=activity.created_at,
    )


def rating_out(rating: Rating | RatingView) -> RatingOut:
    return RatingOut(score=rating.score, comment=rating.comment, created_at=rating.created_at)


def ticket_list_item(ticket: TicketSummaryView) -> TicketListItem:
    return TicketListItem(
        id=ticket.id,
        ticket_number=ticket.ticket_number,
        subject=ticket.subject,
        status=status_words.PORTAL.word(ticket.status),
        priority=str(ticket.priority),
        reply_count=ticket.reply_count,
        project=project_brief(ticket.project),
        category=category_brief(ticket.category),
        assignee=user_brief(ticket.assignee),
        creator=user_brief(ticket.creator),
        tags=tags_out(ticket.tags),
        last_activity_at=ticket.last_activity_at,
        created_at=ticket.created_at,
    )


def _ticket_fields(ticket: Ticket | TicketDetailView) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "ticket_number": ticket.ticket_number,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": status_words.PORTAL.word(ticket.status),
        "priority": str(ticket.priority),
        "source": str(ticket.source),
        "customer_name": ticket.customer_name,
        "customer_email": ticket.customer_email,
        "customer_phone": ticket.customer_phone,
        "assigned_to": ticket.assignee_id,
        "project": project_brief(ticket.project),
        "category": category_brief(ticket.category),
        "creator": user_brief(ticket.creator),
        "assignee": user_brief(ticket.assignee),
        "tags": tags_out(ticket.tags),
        "metadata": ticket.meta,
        "is_locked": ticket.is_locked,
        "sla_policy": sla_policy_out(ticket),
        "first_response_due_at": ticket.first_response_due_at,
        "resolution_due_at": ticket.resolution_due_at,
        "first_responded_at": ticket.first_responded_at,
        "first_response_breached": ticket.first_response_breached_at is not None,
        "resolution_breached": ticket.resolution_breached_at is not None,
        "sla_clocks": sla_clocks_out(ticket),
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "last_activity_at": ticket.last_activity_at,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def ticket_out(ticket: Ticket) -> TicketOut:
    return TicketOut(**_ticket_fields(ticket))


def ticket_detail(ticket: TicketDetailView) -> TicketDetail:
    return TicketDetail(
        **_ticket_fields(ticket),
        messages=[message_out(m) for m in ticket.messages],
        attachments=[attachment_out(a) for a in ticket.attachments],
        activities=[activity_out(a) for a in ticket.activities],
        watchers=[UserBrief(id=user.id, name=user.name) for user in ticket.watchers],
        rating=rating_out(ticket.rating) if ticket.rating is not None else None,
    )
