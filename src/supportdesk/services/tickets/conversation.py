"""A ticket's conversation (DESIGN.md §6): replies, internal notes, and a customer's close.

A request may carry the customer's own voice: ``on_behalf_of`` names the customer at an
address, for a principal that acts for named customers (auth/policy.py). Such a request
acts on that customer's tickets only, and what it says is the customer's.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.enums import MessageType, SenderType, TicketStatus
from supportdesk.core.errors import Forbidden, ValidationFailed
from supportdesk.core.events import EventType
from supportdesk.models import Message, Ticket, User
from supportdesk.repositories.tickets import TicketRepository
from supportdesk.repositories.visibility import NOTE_ACTION
from supportdesk.services.activity import ActivityLog
from supportdesk.services.attachments import AttachmentStorage, Upload
from supportdesk.services.customers import CustomerService
from supportdesk.services.sla import SlaService
from supportdesk.services.tickets.common import (
    StatusRules,
    TicketFiles,
    editable,
    require_version,
    touch,
)
from supportdesk.services.tickets.records import Precondition, TicketKey

# The statuses a customer's reply moves back to open (see ``_reopens``).
_REOPENED_BY_CUSTOMER = frozenset(
    {TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED, TicketStatus.CLOSED}
)


class TicketConversation:
    def __init__(self, session: AsyncSession, storage: AttachmentStorage) -> None:
        self.session = session
        self.tickets = TicketRepository(session)
        self.activity = ActivityLog(session)
        self.status = StatusRules(SlaService(session), self.activity)
        self.files = TicketFiles(session, storage)

    async def add_message(
        self,
        principal: Principal,
        ticket_key: TicketKey,
        body: str,
        message_type: MessageType = MessageType.REPLY,
        attachments: Sequence[Upload] = (),
        *,
        on_behalf_of: str | None = None,
    ) -> Message:
        """A reply or an internal note; the message comes back with its ticket.

        A reply on behalf of a customer is theirs, whoever carries it: it never counts as
        the staff's first response, and it reopens a ticket waiting on the customer.
        """
        _require_may_post(principal, message_type, on_behalf_of)
        ticket = await editable(self.tickets, principal, ticket_key, on_behalf_of)
        if on_behalf_of is None:
            author = principal.actor
            sender = SenderType.STAFF if policy.is_staff(principal) else SenderType.CUSTOMER
        else:
            author = await self._customer_account(principal, ticket)
            sender = SenderType.CUSTOMER
        return await self._post(principal, ticket, body, message_type, attachments, author, sender)

    async def close(
        self,
        principal: Principal,
        ticket_key: TicketKey,
        *,
        on_behalf_of: str,
        if_match: Precondition | None = None,
    ) -> Ticket:
        """Close a ticket for its customer.

        Changing a ticket's status is a staff capability. Closing is the one change the
        reference's external API gives the customer: it ends their own request, and the
        ticket's e-mail address proves whose request it is.
        """
        ticket = await editable(self.tickets, principal, ticket_key, on_behalf_of)
        require_version(ticket, if_match)
        await self.status.set(principal, ticket, TicketStatus.CLOSED)
        # Written now: the answer names the version the ticket is left at.
        await self.session.flush()
        return ticket

    async def _customer_account(self, principal: Principal, ticket: Ticket) -> User | None:
        """The account a reply carried for the ticket's customer is written by.

        A ticket opened without an account behind it (by staff, for someone) gets one
        when a project writes for its customer: a project opens its end users' accounts,
        as it does with their first ticket, and the address just proven is theirs. A key
        carrying a reply opens no account; the reply then has no author.
        """
        if ticket.customer is not None or not policy.speaks_for_customers(principal):
            return ticket.customer
        if not (ticket.customer_email and ticket.customer_name):
            return None
        return await CustomerService(self.session).find_or_create(
            ticket.customer_name, ticket.customer_email, ticket.customer_phone
        )

    async def _post(
        self,
        principal: Principal,
        ticket: Ticket,
        body: str,
        message_type: MessageType,
        attachments: Sequence[Upload],
        author: User | None,
        sender: SenderType,
    ) -> Message:
        if ticket.is_locked:
            raise Forbidden("This ticket is locked and takes no replies.")
        now = clock.now()
        message = Message(
            ticket_id=ticket.id,
            body=body,
            type=message_type,
            author=author,
            sender_type=sender,
            created_at=now,
            updated_at=now,
        )
        is_reply = message_type is MessageType.REPLY
        if is_reply:
            if sender is SenderType.STAFF:
                message.is_first_response = SlaService.first_response(ticket, now)
            ticket.last_reply_at = now
            ticket.last_reply_by = sender
        touch(ticket)
        self.session.add(message)
        await self.session.flush()
        uploaded = await self.files.save(
            principal, ticket, message, attachments, internal=not is_reply
        )
        # The attachments and the ticket are this request's own: no need to load them back.
        set_committed_value(message, "attachments", uploaded)
        set_committed_value(message, "ticket", ticket)
        self._record(principal, ticket, message)
        if _reopens(ticket, message):
            await self.status.set(principal, ticket, TicketStatus.OPEN)
        return message

    def _record(self, principal: Principal, ticket: Ticket, message: Message) -> None:
        is_reply = message.type is MessageType.REPLY
        # Notes get their own action: the customer's view of the trail leaves them out.
        self.activity.record_ticket_change(
            principal,
            ticket,
            EventType.TICKET_REPLIED if is_reply else EventType.TICKET_NOTE_ADDED,
            "message_added" if is_reply else NOTE_ACTION,
            "Added a reply" if is_reply else "Added an internal note",
            {"message_id": [None, message.id]},
            {
                "message_id": message.id,
                "sender_type": str(message.sender_type),
                "author_id": message.author_id,
            },
        )


def _reopens(ticket: Ticket, message: Message) -> bool:
    """Whether a message reopens its ticket: a customer's reply to one waiting on them,
    resolved, or closed. A closed ticket is reopened rather than the reply refused, as
    help desks do: the reply is never left on a ticket no open list shows.
    """
    return (
        message.type is MessageType.REPLY
        and message.sender_type is SenderType.CUSTOMER
        and ticket.status in _REOPENED_BY_CUSTOMER
    )


def _require_may_post(
    principal: Principal, message_type: MessageType, on_behalf_of: str | None
) -> None:
    # Notes are the help desk's, never a customer's; system lines are SupportDesk's own.
    if message_type is MessageType.NOTE and on_behalf_of is None:
        principal.require(Scope.NOTES_CREATE)
    elif message_type is MessageType.REPLY:
        principal.require(Scope.REPLIES_CREATE)
    else:
        raise ValidationFailed.field("type", "The selected type is invalid.")
