"""Tickets and their messages as the internal API takes and shows them.

The ticket resource is the "Ticket Resource Structure" of the agent API reference (001),
which the internal API shares.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from pydantic import BaseModel, Field, StrictBool, field_validator

from supportdesk.api.internal.schemas import In, Out, Ref, Text, refuse_null
from supportdesk.api.types import MAX_TEXT_LENGTH, Id, Instant, TagIds
from supportdesk.core import status_words
from supportdesk.core.enums import MessageType, Priority
from supportdesk.core.status_words import InternalStatus
from supportdesk.models import CustomField, Message, Ticket
from supportdesk.services.custom_fields import ticket_values

# Seeds 000/001 say "resolved" with the separate ``is_resolved`` flag (a closed ticket
# is resolved too: it keeps its ``resolved_at``).
ApiStatus = InternalStatus

CustomFieldValues = Annotated[dict[str, Any], Field(max_length=200)]


# ---------------------------------------------------------------------- requests


class TicketIn(In):
    customer_id: Id
    title: str = Text(500, required=True)
    content: str = Text(MAX_TEXT_LENGTH, required=True)
    department_id: Id | None = None
    category_id: Id | None = None
    product_id: Id | None = None
    priority: Priority | None = None
    project_id: Id | None = None
    custom_fields: CustomFieldValues | None = None


class TicketUpdateIn(In):
    status: ApiStatus | None = None
    priority: Priority | None = None
    assigned_to: Id | None = None
    department_id: Id | None = None
    category_id: Id | None = None
    product_id: Id | None = None
    is_resolved: StrictBool | None = None
    is_locked: StrictBool | None = None
    labels: TagIds | None = None
    custom_fields: CustomFieldValues | None = None

    _present = field_validator(
        "status", "priority", "department_id", "is_resolved", "is_locked", "labels"
    )(refuse_null)


class MessageIn(In):
    content: str = Text(MAX_TEXT_LENGTH, required=True)
    is_internal: StrictBool = False


# ---------------------------------------------------------------------- responses


class CustomerRef(BaseModel):
    id: int | None
    name: str | None
    email: str | None


class LabelRef(Out):
    id: int
    name: str
    color: str | None


class CustomFieldValueOut(BaseModel):
    id: int
    label: str
    type: str
    value: Any


class TicketOut(BaseModel):
    id: int
    reference_id: str
    title: str
    content: str
    status: ApiStatus
    priority: Priority
    department: Ref | None
    category: Ref | None
    product: Ref | None
    customer: CustomerRef | None
    labels: list[LabelRef]
    assigned_to: Ref | None
    agents: list[Ref]
    custom_fields: list[CustomFieldValueOut]
    is_resolved: bool
    is_locked: bool
    last_reply_at: Instant | None
    closed_at: Instant | None
    created_at: Instant
    updated_at: Instant


def reference_id(ticket: Ticket) -> str:
    return f"#{1000 + ticket.id}"


def ticket_out(ticket: Ticket, definitions: dict[int, CustomField]) -> TicketOut:
    """Render a ticket loaded with its resource relations (``RESOURCE_LOADS``)."""
    customer = None
    if ticket.customer is not None:
        customer = CustomerRef(
            id=ticket.customer.id, name=ticket.customer.name, email=ticket.customer.email
        )
    elif ticket.customer_email or ticket.customer_name:
        # Opened for someone without an account: the contact the ticket keeps.
        customer = CustomerRef(id=None, name=ticket.customer_name, email=ticket.customer_email)
    assignee = Ref.model_validate(ticket.assignee) if ticket.assignee is not None else None
    return TicketOut(
        id=ticket.id,
        reference_id=reference_id(ticket),
        title=ticket.subject,
        content=ticket.description,
        status=cast(ApiStatus, status_words.INTERNAL.word(ticket.status)),
        priority=ticket.priority,
        department=Ref.model_validate(ticket.department) if ticket.department else None,
        category=Ref.model_validate(ticket.category) if ticket.category else None,
        product=Ref.model_validate(ticket.product) if ticket.product else None,
        customer=customer,
        labels=[LabelRef.model_validate(tag) for tag in ticket.tags],
        assigned_to=assignee,
        agents=[assignee] if assignee is not None else [],
        custom_fields=[
            CustomFieldValueOut(
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


class MessageOut(BaseModel):
    id: int
    ticket_id: int
    content: str
    is_internal: bool
    sender_type: str
    sender: Ref | None
    created_at: Instant
    updated_at: Instant


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.id,
        ticket_id=message.ticket_id,
        content=message.body,
        is_internal=message.type is MessageType.NOTE,
        sender_type=str(message.sender_type),
        sender=Ref.model_validate(message.author) if message.author is not None else None,
        created_at=message.created_at,
        updated_at=message.updated_at,
    )
