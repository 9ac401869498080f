"""What the ticket rules are asked to do: a new ticket, a partial change, a ticket's name.

Every surface translates its own request shape into these; the rules know no surface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from supportdesk.core.enums import Priority, TicketSource, TicketStatus
from supportdesk.core.errors import PreconditionFailed
from supportdesk.services.attachments import Upload

# The length of Ticket.ticket_number: PREFIX-YYYY-NNNNN with room to spare.
TICKET_NUMBER_MAX_LENGTH = 32

# A ticket as a request names it: its id, or its number (PREFIX-YYYY-NNNNN).
TicketKey = int | str


@dataclass(frozen=True, slots=True)
class NewTicket:
    project_id: int
    subject: str
    description: str
    priority: Priority | None = None
    category_id: int | None = None
    tag_ids: Sequence[int] = ()
    # Tags by name (any letter case); missing ones are created, by staff only.
    tag_names: Sequence[str] = ()
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    external_customer_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    source: TicketSource = TicketSource.PORTAL
    attachments: Sequence[Upload] = ()
    # Staff opening a ticket for someone name the customer's account.
    customer_id: int | None = None
    # customer_email names the account the ticket is for, found or created. True: the
    # address must be a customer's. False: a staff member's address is kept as the
    # contact only. Either way a customer may name no address but their own. A project always
    # names its customer by e-mail: it has no one else to speak for.
    customer_by_email: bool = False
    # None: the surface defaults to sd_default_department_id.
    department_id: int | None = None
    product_id: int | None = None
    # None when the surface collects no custom fields; a mapping (even empty) is checked
    # against the published definitions, required ones included.
    custom_fields: Mapping[Any, Any] | None = None
    # Kept on the customer's account when opening the ticket creates it.
    customer_company: str | None = None


@dataclass(frozen=True, slots=True)
class TicketChanges:
    """A partial update: only the fields named in ``fields_set`` are applied."""

    fields_set: frozenset[str]
    subject: str | None = None
    description: str | None = None
    category_id: int | None = None
    priority: Priority | None = None
    # The ticket's tags are replaced by those of tag_ids and tag_names together; missing
    # names are created, by staff only.
    tag_ids: Sequence[int] | None = None
    tag_names: Sequence[str] | None = None
    department_id: int | None = None
    product_id: int | None = None
    # Merged into the stored values field by field; an empty value removes one.
    custom_fields: Mapping[Any, Any] | None = None
    is_locked: bool | None = None
    # Applied with the status rules of change_status and assign (None unassigns).
    status: TicketStatus | None = None
    is_resolved: bool | None = None
    assignee_id: int | None = None

    def given(self, name: str) -> bool:
        """Whether the change names this field with a value (None clears nothing here)."""
        return name in self.fields_set and getattr(self, name) is not None


@dataclass(frozen=True, slots=True)
class Precondition:
    """The states of a ticket a change is conditional on (a request's If-Match).

    A state is the ticket's id with its version, which moves on with every change to
    the ticket; ``any_version`` asks only that the ticket exist.
    """

    versions: frozenset[tuple[int, int]] = frozenset()
    any_version: bool = False

    def holds(self, ticket_id: int, version: int) -> bool:
        return self.any_version or (ticket_id, version) in self.versions

    def require(self, ticket_id: int, version: int) -> None:
        if not self.holds(ticket_id, version):
            raise PreconditionFailed()


def could_be_number(ticket_number: str) -> bool:
    # Anything else names no ticket; refused here, before a database that cannot store
    # it (a NUL, an over-long string) turns it into an error of its own.
    return 0 < len(ticket_number) <= TICKET_NUMBER_MAX_LENGTH and "\x00" not in ticket_number
