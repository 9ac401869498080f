"""Bodies of the external-project API, as the SupportDesk reference shows them.

Kept apart from the portal's shapes: a connected project sees ticket numbers and names,
never the hub's ids, staff relations or internal notes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema, field_validator

from supportdesk.api.types import MAX_TEXT_LENGTH, Email, Id, Instant
from supportdesk.api.validation import RequestBody
from supportdesk.core import status_words
from supportdesk.core.enums import Priority, SenderType
from supportdesk.core.status_words import PortalStatus
from supportdesk.models import Message, Project, Ticket
from supportdesk.repositories.ticket_rows import TicketSummaryView

# The external-project API speaks the portal's words (both are seed 003).
ProjectStatus = PortalStatus


In = RequestBody


# ---------------------------------------------------------------------- requests


class ExternalTicketIn(In):
    customer_name: str = Field(min_length=1, max_length=255)
    customer_email: Email
    subject: str = Field(min_length=1, max_length=255)
    description: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)
    customer_phone: str | None = Field(default=None, max_length=50)
    # A project's own user reference: text or a whole number there, kept as text here.
    customer_id: Annotated[
        str | None,
        WithJsonSchema(
            {"anyOf": [{"type": "string", "maxLength": 255}, {"type": "integer"}, {"type": "null"}]}
        ),
    ] = Field(default=None, max_length=255)
    priority: Priority | None = None
    category_id: Id | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("customer_id", mode="before")
    @classmethod
    def _text_or_whole_number(cls, value: Any) -> Any:
        # Not bool (an int to Python) nor 4.2: neither names a user in any system.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if value is None or isinstance(value, str):
            return value
        raise ValueError("The customer id field must be a string or an integer.")

    @property
    def external_customer_id(self) -> str | None:
        return self.customer_id or None


class ExternalReplyIn(In):
    body: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)
    customer_email: Email


class ExternalCloseIn(In):
    customer_email: Email


# ---------------------------------------------------------------------- responses


class ExternalProject(BaseModel):
    id: int
    name: str
    slug: str


class ExternalPing(BaseModel):
    status: Literal["ok"] = "ok"
    project: ExternalProject
    timestamp: Instant


class ExternalTicketCreated(BaseModel):
    ticket_number: str
    ticket_id: int
    status: str
    priority: str
    created_at: Instant


class ExternalTicketRow(BaseModel):
    ticket_number: str
    subject: str
    status: str
    priority: str
    customer_name: str | None
    customer_email: str | None
    assigned_to: str | None
    created_at: Instant
    updated_at: Instant


class ExternalTicketPage(BaseModel):
    data: list[ExternalTicketRow]
    current_page: int
    last_page: int
    total: int
    per_page: int


class ExternalMessage(BaseModel):
    body: str
    from_: str | None = Field(serialization_alias="from")
    is_agent: bool
    created_at: Instant


class ExternalTicket(BaseModel):
    ticket_number: str
    subject: str
    description: str
    status: str
    priority: str
    assigned_to: str | None
    messages: list[ExternalMessage]
    created_at: Instant
    resolved_at: Instant | None


class ExternalTicketEnvelope(BaseModel):
    ticket: ExternalTicket


class ExternalReply(BaseModel):
    message_id: int
    ticket: str
    status: str


class ExternalClosed(BaseModel):
    message: Literal["Ticket closed"] = "Ticket closed"
    ticket: str


# ---------------------------------------------------------------------- builders


def project_out(project: Project) -> ExternalProject:
    return ExternalProject(id=project.id, name=project.name, slug=project.slug)


def ticket_created(ticket: Ticket) -> ExternalTicketCreated:
    return ExternalTicketCreated(
        ticket_number=ticket.ticket_number,
        ticket_id=ticket.id,
        status=status_words.PORTAL.word(ticket.status),
        priority=str(ticket.priority),
        created_at=ticket.created_at,
    )


def ticket_row(ticket: TicketSummaryView) -> ExternalTicketRow:
    return ExternalTicketRow(
        ticket_number=ticket.ticket_number,
        subject=ticket.subject,
        status=status_words.PORTAL.word(ticket.status),
        priority=str(ticket.priority),
        customer_name=ticket.customer_name,
        customer_email=ticket.customer_email,
        assigned_to=ticket.assignee.name if ticket.assignee is not None else None,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


def _author_name(ticket: Ticket, message: Message) -> str | None:
    if message.author is not None:
        return message.author.name
    # The author's account is gone: the customer's side still has the ticket's snapshot.
    if message.sender_type is SenderType.CUSTOMER:
        return ticket.customer_name
    return None


def conversation_message(ticket: Ticket, message: Message) -> ExternalMessage:
    return ExternalMessage(
        body=message.body,
        from_=_author_name(ticket, message),
        is_agent=message.sender_type is SenderType.STAFF,
        created_at=message.created_at,
    )


def ticket_conversation(ticket: Ticket) -> ExternalTicket:
    return ExternalTicket(
        ticket_number=ticket.ticket_number,
        subject=ticket.subject,
        description=ticket.description,
        status=status_words.PORTAL.word(ticket.status),
        priority=str(ticket.priority),
        assigned_to=ticket.assignee.name if ticket.assignee is not None else None,
        messages=[conversation_message(ticket, m) for m in ticket.messages],
        created_at=ticket.created_at,
        resolved_at=ticket.resolved_at,
    )
