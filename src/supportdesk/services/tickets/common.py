"""What more than one kind of ticket work shares: finding the ticket a request may act
on, stamping its activity, moving its status, and keeping its uploads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.core import clock
from supportdesk.core.enums import TicketStatus
from supportdesk.core.errors import CustomerMismatch, Forbidden, NotFound
from supportdesk.core.events import EventType
from supportdesk.models import Attachment, Message, Ticket
from supportdesk.repositories.tickets import TicketRepository
from supportdesk.repositories.users import normalize_email
from supportdesk.services.activity import ActivityLog
from supportdesk.services.attachments import AttachmentStorage, StoredFile, Upload
from supportdesk.services.sla import SlaService
from supportdesk.services.tickets.records import Precondition, TicketKey, could_be_number


def touch(ticket: Ticket) -> None:
    # updated_at too, not left to the column's onupdate: the change is rendered
    # before the flush that would set it.
    ticket.last_activity_at = ticket.updated_at = clock.now()


def require_version(ticket: Ticket, if_match: Precondition | None) -> None:
    """Refuse a change made conditional on a version the ticket has moved on from.

    Asked once the ticket is locked and the principal's rights are known, before
    anything changes: a refused change changes nothing, and a change it lets through
    finds the ticket as it was when asked.
    """
    if if_match is not None:
        if_match.require(ticket.id, ticket.version)


def belongs_to(ticket: Ticket, customer_email: str) -> bool:
    """Whether the ticket was opened by, or for, the customer at this address."""
    expected = normalize_email(ticket.customer_email or "")
    return bool(expected) and normalize_email(customer_email) == expected


async def find_ticket(
    principal: Principal,
    load: Callable[[], Awaitable[Ticket | None]],
    on_behalf_of: str | None = None,
) -> Ticket:
    """The ticket ``load`` finds, for a request that may act for the customer at an address.

    Only a principal that acts for named customers may name one, and then only that
    customer's tickets are theirs to act on. The principal is checked before anything is
    looked up, so whether a ticket exists tells such a request nothing.
    """
    if on_behalf_of is not None and not policy.acts_for_named_customers(principal):
        raise Forbidden()
    ticket = await load()
    if ticket is None:
        raise NotFound("Ticket not found.")
    if on_behalf_of is not None and not belongs_to(ticket, on_behalf_of):
        raise CustomerMismatch()
    return ticket


async def editable(
    tickets: TicketRepository,
    principal: Principal,
    key: TicketKey,
    on_behalf_of: str | None = None,
) -> Ticket:
    """A ticket about to change, with what its rules read (by number: only those)."""

    async def load() -> Ticket | None:
        if isinstance(key, int):
            return await tickets.get_for_update(principal, key)
        if could_be_number(key):
            return await tickets.get_for_update_by_number(principal, key)
        return None

    return await find_ticket(principal, load, on_behalf_of)


class StatusRules:
    """The one way a ticket's status moves: timestamps, SLA clock, trail and event."""

    def __init__(self, sla: SlaService, activity: ActivityLog) -> None:
        self.sla = sla
        self.activity = activity

    async def set(self, principal: Principal, ticket: Ticket, status: TicketStatus) -> None:
        old = ticket.status
        if old == status:
            return
        now = clock.now()
        ticket.status = status
        ticket.resolved_at, ticket.closed_at = _finish_times(ticket, status, now)
        await self.sla.status_changed(ticket, old, status, now)
        touch(ticket)
        self.activity.record_ticket_change(
            principal,
            ticket,
            EventType.TICKET_STATUS_CHANGED,
            "status_changed",
            f"Status changed from {old} to {status}",
            {"status": [str(old), str(status)]},
            {"from": str(old), "to": str(status)},
        )


def _finish_times(
    ticket: Ticket, status: TicketStatus, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """(resolved_at, closed_at) once the ticket takes ``status``; an open one has neither."""
    if status is TicketStatus.RESOLVED:
        return now, None
    if status is TicketStatus.CLOSED:
        return ticket.resolved_at or now, now
    return None, None


class TicketFiles:
    """Uploads kept with a ticket (and the message they came with)."""

    def __init__(self, session: AsyncSession, storage: AttachmentStorage) -> None:
        self.session = session
        self.storage = storage

    async def save(
        self,
        principal: Principal,
        ticket: Ticket,
        message: Message | None,
        uploads: Sequence[Upload],
        *,
        internal: bool,
    ) -> list[Attachment]:
        stored = await self.store(uploads)
        return await self.attach(principal, ticket, message, stored, internal=internal)

    async def store(self, uploads: Sequence[Upload]) -> list[StoredFile]:
        """Write the uploads to storage, refusing one past the size limit."""
        return [await self.storage.save(upload) for upload in uploads]

    async def attach(
        self,
        principal: Principal,
        ticket: Ticket,
        message: Message | None,
        files: Sequence[StoredFile],
        *,
        internal: bool,
    ) -> list[Attachment]:
        attachments = []
        for stored in files:
            attachment = Attachment(
                ticket_id=ticket.id,
                message_id=message.id if message is not None else None,
                uploaded_by_id=principal.actor_id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_key=stored.storage_key,
                is_internal=internal,
                created_at=clock.now(),
            )
            self.session.add(attachment)
            attachments.append(attachment)
        if attachments:
            # Callers render them (with their download URLs): they need their ids.
            await self.session.flush()
        return attachments
