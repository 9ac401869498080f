"""Request and response bodies of the REST API (seed 002), and its prefixed ids."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from supportdesk.api.types import MAX_ID, MAX_TAGS, Email, Instant, hex_color
from supportdesk.api.validation import RequestBody
from supportdesk.core import status_words
from supportdesk.core.cursor import CursorPage
from supportdesk.core.enums import MessageType, Priority, Role
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.status_words import RestStatus
from supportdesk.models import KnowledgeArticle, Message, Tag, Ticket, User

# ---------------------------------------------------------------------- ids


class Prefix:
    TICKET = "tkt"
    CONVERSATION = "conv"
    CUSTOMER = "cust"
    USER = "user"
    TAG = "tag"
    ARTICLE = "art"
    COLLECTION = "col"


def public_id(prefix: str, row_id: int) -> str:
    return f"{prefix}_{row_id}"


def _row_id(prefix: str, value: str) -> int | None:
    head, _, digits = value.partition("_")
    if head != prefix or not digits.isascii() or not digits.isdigit() or len(digits) > 10:
        return None
    row_id = int(digits)
    return row_id if 1 <= row_id <= MAX_ID else None


def path_id(prefix: str, value: str) -> int:
    """The row a path's id names; a malformed id names nothing (404)."""
    row_id = _row_id(prefix, value)
    if row_id is None:
        raise NotFound()
    return row_id


def field_id(prefix: str, value: str, field: str) -> int:
    """The row a body's or a query's id names; a malformed one is invalid data (400)."""
    row_id = _row_id(prefix, value)
    if row_id is None:
        raise ValidationFailed.field(field, f"The {field.replace('_', ' ')} is invalid.")
    return row_id


def query_text(value: str | None, field: str) -> str | None:
    """A free-text filter, stripped; None when blank. A NUL, which no text column can
    hold, is invalid data on every database alike."""
    if value is None or not value.strip():
        return None
    if "\x00" in value:
        raise ValidationFailed.field(field, f"The {field} must not contain NUL characters.")
    return value.strip()


# ---------------------------------------------------------------------- values


OrderDir = Literal["asc", "desc"]
TicketOrder = Literal["created_at", "updated_at", "priority"]
TimeOrder = Literal["created_at", "updated_at"]

# ---------------------------------------------------------------------- requests


In = RequestBody


def _present(value: Any, info: ValidationInfo) -> Any:
    """An update may omit these fields, not set them to null (validators run on given values)."""
    if value is None:
        raise ValueError(f"The {str(info.field_name).replace('_', ' ')} field cannot be null.")
    return value


TagName = Annotated[str, Field(min_length=1, max_length=255)]
Color = Annotated[str, hex_color("The color field must be a hex color such as #FF0000 or #F00.")]


class TicketCreateIn(In):
    subject: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=65_535)
    customer_email: Email | None = None
    customer_name: str | None = Field(default=None, min_length=1, max_length=255)
    priority: Priority | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=MAX_TAGS)


class TicketUpdateIn(In):
    # A field this body does not take (misspelt, or read-only like ``id``) is refused:
    # ignoring it would answer 200 for a change that never happened.
    model_config = ConfigDict(extra="forbid")

    _not_null = field_validator(
        "status", "priority", "tags", "subject", "description", "custom_fields"
    )(_present)

    status: RestStatus | None = None
    priority: Priority | None = None
    assignee_id: str | None = Field(default=None, max_length=32)
    tags: list[TagName] | None = Field(default=None, max_length=MAX_TAGS)
    subject: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=65_535)
    custom_fields: dict[str, Any] | None = None


class ConversationIn(In):
    ticket_id: str = Field(max_length=32)
    content: str = Field(min_length=1, max_length=65_535)
    type: Literal["reply", "note"] = "reply"
    internal: bool = False


# Each create/update pair shares a base declaring every field as the update takes it
# (optional); the create body narrows what it requires or defaults. Both keep one field
# order, and neither overrides the other's types.


class _CustomerFields(In):
    email: Email | None = None
    name: str | None = Field(default=None, min_length=1, max_length=255)
    phone: str | None = Field(default=None, max_length=50)
    company: str | None = Field(default=None, max_length=255)
    custom_fields: dict[str, Any] | None = None


class CustomerIn(_CustomerFields):
    email: Email


class CustomerUpdateIn(_CustomerFields):
    _not_null = field_validator("email", "name")(_present)


class _TagFields(In):
    name: TagName | None = None
    color: Color | None = None


class TagIn(_TagFields):
    name: TagName


class TagUpdateIn(_TagFields):
    _not_null = field_validator("name")(_present)


ArticleStatus = Literal["draft", "published"]


class _ArticleFields(In):
    title: str | None = Field(default=None, min_length=1, max_length=250)
    body: str | None = Field(default=None, max_length=1_000_000, description="Markdown")
    collection_id: str | None = Field(default=None, max_length=32)
    status: ArticleStatus | None = None


class ArticleIn(_ArticleFields):
    title: str = Field(min_length=1, max_length=250)
    status: ArticleStatus = "draft"


class ArticleUpdateIn(_ArticleFields):
    _not_null = field_validator("title", "status")(_present)


# ---------------------------------------------------------------------- responses


class Meta(BaseModel):
    limit: int
    total: int
    next_cursor: str | None


class Deleted(BaseModel):
    id: str
    deleted: bool = True


class DeletedEnvelope(BaseModel):
    data: Deleted


def deleted(prefix: str, row_id: int) -> DeletedEnvelope:
    return DeletedEnvelope(data=Deleted(id=public_id(prefix, row_id)))


class PersonRef(BaseModel):
    id: str | None
    email: str | None
    name: str | None = None


class TicketOut(BaseModel):
    id: str
    ticket_number: str
    subject: str
    status: str
    priority: str
    customer: PersonRef | None
    assignee: PersonRef | None
    tags: list[str]
    created_at: Instant
    updated_at: Instant


class TicketDetailOut(TicketOut):
    description: str
    custom_fields: dict[str, Any]


class TicketPage(BaseModel):
    data: list[TicketOut]
    meta: Meta


class TicketEnvelope(BaseModel):
    data: TicketDetailOut


class ConversationOut(BaseModel):
    id: str
    ticket_id: str
    type: str
    internal: bool
    content: str
    content_text: str
    created_at: Instant


class ConversationPage(BaseModel):
    data: list[ConversationOut]
    meta: Meta


class ConversationEnvelope(BaseModel):
    data: ConversationOut


class CustomerOut(BaseModel):
    id: str
    email: str
    name: str
    phone: str | None
    company: str | None
    custom_fields: dict[str, Any]
    ticket_count: int
    created_at: Instant
    updated_at: Instant


class CustomerPage(BaseModel):
    data: list[CustomerOut]
    meta: Meta


class CustomerEnvelope(BaseModel):
    data: CustomerOut


class UserOut(BaseModel):
    id: str
    name: str
    email: str
    role: str
    phone: str | None
    is_active: bool
    created_at: Instant


class UserPage(BaseModel):
    data: list[UserOut]
    meta: Meta


class UserEnvelope(BaseModel):
    data: UserOut


class TagOut(BaseModel):
    id: str
    name: str
    color: str | None
    created_at: Instant
    updated_at: Instant


class TagPage(BaseModel):
    data: list[TagOut]
    meta: Meta


class TagEnvelope(BaseModel):
    data: TagOut


class ArticleOut(BaseModel):
    id: str
    title: str
    slug: str
    body: str | None
    excerpt: str | None
    collection_id: str | None
    status: str
    views: int
    created_at: Instant
    updated_at: Instant


class ArticlePage(BaseModel):
    data: list[ArticleOut]
    meta: Meta


class ArticleEnvelope(BaseModel):
    data: ArticleOut


StaffRole = Literal["agent", "admin", "super_admin"]


# ---------------------------------------------------------------------- rendering


def meta(page: CursorPage[Any]) -> Meta:
    return Meta(limit=page.limit, total=page.total, next_cursor=page.next_cursor)


def _customer_ref(ticket: Ticket) -> PersonRef | None:
    customer = ticket.customer
    if customer is not None:
        return PersonRef(
            id=public_id(Prefix.CUSTOMER, customer.id), email=customer.email, name=customer.name
        )
    if ticket.customer_email is None and ticket.customer_name is None:
        return None
    # A ticket opened for someone without an account: only its snapshot names them.
    return PersonRef(id=None, email=ticket.customer_email, name=ticket.customer_name)


def _assignee_ref(ticket: Ticket) -> PersonRef | None:
    user = ticket.assignee
    if user is None:
        return None
    return PersonRef(id=public_id(Prefix.USER, user.id), email=user.email, name=user.name)


def _ticket_fields(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": public_id(Prefix.TICKET, ticket.id),
        "ticket_number": ticket.ticket_number,
        "subject": ticket.subject,
        "status": status_words.REST.word(ticket.status),
        "priority": ticket.priority.value,
        "customer": _customer_ref(ticket),
        "assignee": _assignee_ref(ticket),
        "tags": [tag.name for tag in ticket.tags],
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def ticket_out(ticket: Ticket) -> TicketOut:
    return TicketOut(**_ticket_fields(ticket))


def ticket_detail(ticket: Ticket) -> TicketDetailOut:
    return TicketDetailOut(
        **_ticket_fields(ticket),
        description=ticket.description,
        custom_fields=dict(ticket.custom_fields or {}),
    )


def conversation_out(message: Message, content_text: str) -> ConversationOut:
    return ConversationOut(
        id=public_id(Prefix.CONVERSATION, message.id),
        ticket_id=public_id(Prefix.TICKET, message.ticket_id),
        type=message.type.value,
        internal=message.type is MessageType.NOTE,
        content=message.body,
        content_text=content_text,
        created_at=message.created_at,
    )


def customer_out(customer: User, ticket_count: int) -> CustomerOut:
    return CustomerOut(
        id=public_id(Prefix.CUSTOMER, customer.id),
        email=customer.email,
        name=customer.name,
        phone=customer.phone,
        company=customer.company,
        custom_fields=dict(customer.custom_fields or {}),
        ticket_count=ticket_count,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def user_out(user: User) -> UserOut:
    return UserOut(
        id=public_id(Prefix.USER, user.id),
        name=user.name,
        email=user.email,
        role=user.role.value,
        phone=user.phone,
        is_active=user.is_active,
        created_at=user.created_at,
    )


def tag_out(tag: Tag) -> TagOut:
    return TagOut(
        id=public_id(Prefix.TAG, tag.id),
        name=tag.name,
        color=tag.color,
        created_at=tag.created_at,
        updated_at=tag.updated_at,
    )


def staff_role(role: StaffRole | None) -> Role | None:
    return Role(role) if role is not None else None


def article_out(article: KnowledgeArticle) -> ArticleOut:
    return ArticleOut(
        id=public_id(Prefix.ARTICLE, article.id),
        title=article.title,
        slug=article.slug,
        body=article.content,
        excerpt=article.excerpt,
        collection_id=(
            public_id(Prefix.COLLECTION, article.category_id) if article.category_id else None
        ),
        status=article.status,
        views=article.views,
        created_at=article.created_at,
        updated_at=article.updated_at,
    )
