"""Bodies of the agent API (seed 001): its envelopes and the shapes it documents.

Kept apart from every other surface's shapes, even where they coincide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Literal, TypeVar, cast

from pydantic import (
    BaseModel,
    Field,
    ValidationInfo,
    field_validator,
)

from supportdesk.api.types import Instant, TagIds
from supportdesk.api.validation import RequestBody
from supportdesk.core import status_words
from supportdesk.core.enums import MessageType, Priority
from supportdesk.core.pagination import Page
from supportdesk.core.status_words import InternalStatus
from supportdesk.models import (
    CannedResponse,
    CustomField,
    KnowledgeArticle,
    Message,
    Notification,
    Ticket,
    User,
)
from supportdesk.services.custom_fields import ticket_values
from supportdesk.services.filters import DashboardCounts, Likes

T = TypeVar("T")
X = TypeVar("X")


In = RequestBody


def _present(value: Any, info: ValidationInfo) -> Any:
    """An update may leave these out, but not send them as null."""
    if value is None:
        raise ValueError(f"The {(info.field_name or 'value').replace('_', ' ')} field is required.")
    return value


# ---------------------------------------------------------------------- envelopes


class AgentEnvelope(BaseModel, Generic[T]):
    status: Literal[True] = True
    data: T


class AgentPageMeta(BaseModel):
    current_page: int
    last_page: int
    per_page: int
    total: int


class AgentPage(BaseModel, Generic[T]):
    status: Literal[True] = True
    data: list[T]
    meta: AgentPageMeta


def paged(page: Page[X], render: Callable[[X], T]) -> AgentPage[T]:
    """A page of items rendered one by one, with the page's numbers."""
    return AgentPage[T](
        data=[render(item) for item in page.items],
        meta=AgentPageMeta(
            current_page=page.page,
            last_page=page.last_page,
            per_page=page.per_page,
            total=page.total,
        ),
    )


class AgentStatusMessage(BaseModel):
    status: Literal[True] = True
    message: str


# ---------------------------------------------------------------------- dashboard


class AgentDashboard(BaseModel):
    open_tickets: int
    in_progress_tickets: int
    needs_response: int
    closed_today: int


def dashboard_out(counts: DashboardCounts) -> AgentDashboard:
    return AgentDashboard(
        open_tickets=counts.open_tickets,
        in_progress_tickets=counts.in_progress_tickets,
        needs_response=counts.needs_response,
        closed_today=counts.closed_today,
    )


# ---------------------------------------------------------------------- profile


class AgentProfile(BaseModel):
    id: int
    name: str
    email: str
    phone: str | None
    locale: str | None
    timezone: str | None
    avatar_url: str | None
    notification_settings: dict[str, Any]
    is_active: bool
    created_at: Instant


def profile_out(user: User) -> AgentProfile:
    return AgentProfile(
        id=user.id,
        name=user.name,
        email=user.email,
        phone=user.phone,
        locale=user.locale,
        timezone=user.timezone,
        avatar_url=user.avatar_url,
        notification_settings=user.notification_settings or {},
        is_active=user.is_active,
        created_at=user.created_at,
    )


class AgentProfileIn(In):
    name: str | None = Field(default=None, min_length=1, max_length=250)
    phone: str | None = Field(default=None, max_length=50)
    locale: str | None = Field(default=None, max_length=10)
    # Not in the reference's table: the zone "today" is counted in on the dashboard.
    timezone: str | None = Field(default=None, max_length=64)
    notification_settings: dict[str, Any] | None = None

    _name_not_null = field_validator("name")(_present)

    @field_validator("notification_settings", mode="before")
    @classmethod
    def _empty_list_is_empty_object(cls, value: Any) -> Any:
        # Clients built on PHP send an empty settings map as [].
        return {} if value == [] else value


# ---------------------------------------------------------------------- notifications


class AgentNotification(BaseModel):
    id: int
    type: str
    title: str
    message: str
    ticket_id: int | None
    sender_name: str | None
    sender_avatar: str | None
    is_read: bool
    created_at: Instant


def notification_out(notification: Notification) -> AgentNotification:
    return AgentNotification(
        id=notification.id,
        type=notification.type,
        title=notification.title,
        message=notification.message,
        ticket_id=notification.ticket_id,
        sender_name=notification.sender_name,
        sender_avatar=notification.sender_avatar,
        is_read=notification.is_read,
        created_at=notification.created_at,
    )


class AgentUnreadCount(BaseModel):
    unread_count: int


# ---------------------------------------------------------------------- canned responses


class AgentCannedResponse(BaseModel):
    id: int
    title: str
    content: str
    category: str | None
    shortcut: str | None
    is_active: bool
    sort_order: int


def canned_response_out(response: CannedResponse) -> AgentCannedResponse:
    return AgentCannedResponse(
        id=response.id,
        title=response.title,
        content=response.body,
        category=response.category_label,
        shortcut=response.shortcut,
        is_active=response.is_active,
        sort_order=response.sort_order,
    )


# ---------------------------------------------------------------------- knowledge base


class AgentNamed(BaseModel):
    id: int
    name: str


class AgentArticle(BaseModel):
    id: int
    title: str
    slug: str
    excerpt: str | None
    content: str | None
    category: AgentNamed | None
    views: int
    status: str
    created_at: Instant


def article_out(article: KnowledgeArticle) -> AgentArticle:
    return AgentArticle(
        id=article.id,
        title=article.title,
        slug=article.slug,
        excerpt=article.excerpt,
        content=article.content,
        category=_named(article.category),
        views=article.views,
        status=article.status,
        created_at=article.created_at,
    )


# ---------------------------------------------------------------------- likes


class AgentLike(BaseModel):
    liked: bool
    count: int


def like_out(likes: Likes) -> AgentLike:
    return AgentLike(liked=likes.liked, count=likes.count)


# ---------------------------------------------------------------------- tickets

# The agent API shares the internal API's words (seed 001 = seed 000).
AgentStatus = InternalStatus


class AgentTicketUpdateIn(In):
    status: AgentStatus | None = None
    priority: Priority | None = None
    labels: TagIds | None = None

    _not_null = field_validator("status", "priority", "labels")(_present)


class AgentReplyIn(In):
    content: str = Field(min_length=1, max_length=65_535)
    is_internal: bool = False


class AgentCustomer(BaseModel):
    id: int | None
    name: str | None
    email: str | None


class AgentLabel(BaseModel):
    id: int
    name: str
    color: str | None


class AgentCustomFieldValue(BaseModel):
    id: int
    label: str
    type: str
    value: Any


class AgentTicket(BaseModel):
    id: int
    reference_id: str
    title: str
    content: str
    status: AgentStatus
    priority: Priority
    department: AgentNamed | None
    category: AgentNamed | None
    product: AgentNamed | None
    customer: AgentCustomer | None
    labels: list[AgentLabel]
    assigned_to: AgentNamed | None
    agents: list[AgentNamed]
    custom_fields: list[AgentCustomFieldValue]
    is_resolved: bool
    is_locked: bool
    last_reply_at: Instant | None
    closed_at: Instant | None
    created_at: Instant
    updated_at: Instant


def _named(entity: Any) -> AgentNamed | None:
    return AgentNamed(id=entity.id, name=entity.name) if entity is not None else None


def ticket_out(ticket: Ticket, definitions: Mapping[int, CustomField]) -> AgentTicket:
    """Render a ticket loaded with the relations of the ticket resource."""
    customer = None
    if ticket.customer is not None:
        customer = AgentCustomer(
            id=ticket.customer.id, name=ticket.customer.name, email=ticket.customer.email
        )
    elif ticket.customer_email or ticket.customer_name:
        # Opened for someone without an account: the contact the ticket keeps.
        customer = AgentCustomer(id=None, name=ticket.customer_name, email=ticket.customer_email)
    assignee = _named(ticket.assignee)
    return AgentTicket(
        id=ticket.id,
        reference_id=f"#{1000 + ticket.id}",
        title=ticket.subject,
        content=ticket.description,
        status=cast(AgentStatus, status_words.INTERNAL.word(ticket.status)),
        priority=ticket.priority,
        department=_named(ticket.department),
        category=_named(ticket.category),
        product=_named(ticket.product),
        customer=customer,
        labels=[AgentLabel(id=tag.id, name=tag.name, color=tag.color) for tag in ticket.tags],
        assigned_to=assignee,
        agents=[assignee] if assignee is not None else [],
        custom_fields=[
            AgentCustomFieldValue(
                id=item.field.id, label=item.field.label, type=item.field.type, value=item.value
            )
            for item in ticket_values(ticket, definitions)
        ],
        is_resolved=ticket.status.is_finished,
        is_locked=ticket.is_locked,
        last_reply_at=ticket.last_reply_at,
        closed_at=ticket.closed_at,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


class AgentMessage(BaseModel):
    id: int
    ticket_id: int
    content: str
    is_internal: bool
    sender_type: str
    sender: AgentNamed | None
    is_first_response: bool
    likes_count: int
    liked: bool
    created_at: Instant
    updated_at: Instant


def message_out(message: Message, likes: Likes | None = None) -> AgentMessage:
    """Render a message loaded with its author, with its likes (none if not given)."""
    likes = likes or Likes()
    return AgentMessage(
        id=message.id,
        ticket_id=message.ticket_id,
        content=message.body,
        is_internal=message.type is MessageType.NOTE,
        sender_type=str(message.sender_type),
        sender=_named(message.author),
        is_first_response=message.is_first_response,
        likes_count=likes.count,
        liked=likes.liked,
        created_at=message.created_at,
        updated_at=message.updated_at,
    )
