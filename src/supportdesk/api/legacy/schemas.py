"""Requests and bodies of the simple ticket API, as its reference shows them.

Timestamps read ``YYYY-MM-DD HH:MM:SS`` in UTC; priorities are low, medium and high.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from supportdesk.api.bodies import loads_json
from supportdesk.api.types import MAX_TEXT_LENGTH, Email, Id
from supportdesk.core import status_words
from supportdesk.core.enums import MessageType, Priority, SenderType
from supportdesk.models import Message, Ticket
from supportdesk.repositories.ticket_rows import TicketSummaryView
from supportdesk.services.custom_fields import CustomFieldValue

LegacyPriority = Literal["low", "medium", "high"]
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


class In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        # A form sends an optional field it has no value for as "": that is no value.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data


# ---------------------------------------------------------------------- requests


class CreateTicketIn(In):
    subject: str = Field(min_length=1, max_length=255)
    message: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)
    user_email: Email
    name: str | None = Field(default=None, max_length=255)
    company: str | None = Field(default=None, max_length=255)
    priority: LegacyPriority | None = None
    category_id: Id | None = None
    custom_fields: dict[str, Any] | None = None

    @field_validator("custom_fields", mode="before")
    @classmethod
    def _json_object(cls, value: Any) -> Any:
        """A form carries the object as JSON text; a JSON body carries it as it is."""
        if isinstance(value, str):
            try:
                value = loads_json(value)
            except ValueError:
                raise ValueError("The custom fields field must be a JSON object.") from None
            if not isinstance(value, dict):
                raise ValueError("The custom fields field must be a JSON object.")
        return value


class UserEmailIn(In):
    user_email: Email


class TicketIn(In):
    ticket_id: Id
    user_email: Email


class ReplyIn(In):
    ticket_id: Id
    user_email: Email
    message: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)


# ---------------------------------------------------------------------- responses


class TicketCreated(BaseModel):
    success: Literal[True] = True
    ticket_id: int


class TicketRow(BaseModel):
    id: int
    subject: str
    status: str
    priority: LegacyPriority
    created_at: str
    updated_at: str


class TicketList(BaseModel):
    success: Literal[True] = True
    tickets: list[TicketRow]


class TicketDetail(TicketRow):
    message: str
    category_id: int | None
    user_email: str | None
    name: str | None


class ReplyOut(BaseModel):
    id: int
    ticket_id: int
    user_id: int | None
    message: str
    attachment: None = None
    created_at: str


class CustomFieldOut(BaseModel):
    name: str
    type: str
    required: bool
    # Text always: the reference's SDK decodes custom fields as [String: String].
    value: str


class TicketView(BaseModel):
    success: Literal[True] = True
    ticket: TicketDetail
    replies: list[ReplyOut]
    custom_fields: dict[str, CustomFieldOut]


class Replied(BaseModel):
    success: Literal[True] = True
    reply_id: int


# ---------------------------------------------------------------------- builders


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:  # stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


# The API knows three priorities: a critical ticket is, to it, a high one.
_PRIORITIES: dict[Priority, LegacyPriority] = {
    Priority.LOW: "low",
    Priority.MEDIUM: "medium",
    Priority.HIGH: "high",
    Priority.CRITICAL: "high",
}


def priority_out(priority: Priority) -> LegacyPriority:
    return _PRIORITIES[priority]


def ticket_row(ticket: Ticket | TicketSummaryView) -> TicketRow:
    return TicketRow(
        id=ticket.id,
        subject=ticket.subject,
        status=status_words.LEGACY.word(ticket.status),
        priority=priority_out(ticket.priority),
        created_at=timestamp(ticket.created_at),
        updated_at=timestamp(ticket.updated_at),
    )


def ticket_detail(ticket: Ticket) -> TicketDetail:
    return TicketDetail(
        **ticket_row(ticket).model_dump(),
        message=ticket.description,
        category_id=ticket.category_id,
        user_email=ticket.customer_email,
        name=ticket.customer_name,
    )


def reply_out(message: Message) -> ReplyOut:
    # As in the reference, user_id names the staff member who replied; the customer's
    # own messages carry none.
    staff = message.sender_type is SenderType.STAFF
    return ReplyOut(
        id=message.id,
        ticket_id=message.ticket_id,
        user_id=message.author_id if staff else None,
        message=message.body,
        created_at=timestamp(message.created_at),
    )


def opening_reply(ticket: Ticket) -> ReplyOut:
    """The message the ticket was opened with, first of its replies as in the reference,
    written by the customer (no user_id). It has no row of its own: 0 is no reply's id.
    """
    return ReplyOut(
        id=0,
        ticket_id=ticket.id,
        user_id=None,
        message=ticket.description,
        created_at=timestamp(ticket.created_at),
    )


def _field_text(value: Any) -> str:
    """A custom field's value as the reference stores it: text (42 → "42")."""
    return "" if value is None else str(value)


def custom_fields_out(values: list[CustomFieldValue]) -> dict[str, CustomFieldOut]:
    return {
        str(item.field.id): CustomFieldOut(
            name=item.field.label,
            type=str(item.field.type),
            required=item.field.is_required,
            value=_field_text(item.value),
        )
        for item in values
    }


def ticket_view(ticket: Ticket, custom_fields: list[CustomFieldValue]) -> TicketView:
    return TicketView(
        ticket=ticket_detail(ticket),
        # Replies only: never an internal note, nor a system line.
        replies=[
            opening_reply(ticket),
            *(reply_out(m) for m in ticket.messages if m.type is MessageType.REPLY),
        ],
        custom_fields=custom_fields_out(custom_fields),
    )
