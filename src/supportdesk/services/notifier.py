"""Who hears of which event, in the app and by e-mail (issue 4, §3).

In-app: a new ticket goes to its project's staff (or its assignee), a customer reply to
the assignee and the watchers, a staff reply and a status change to the watchers, an
assignment to the new assignee, an SLA breach (and the warning at 80% of a target's time)
to the assignee and the project's leads.
By e-mail: the customer gets staff replies (never internal notes) and status changes;
``sd_notification_email`` gets new tickets. Nobody hears of their own action, and a
user's ``notification_settings`` may switch a type off (``{"ticket_reply": false}``;
``{"email": false}`` stops the e-mails to a customer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core import clock
from supportdesk.core.enums import SenderType
from supportdesk.core.events import EventType
from supportdesk.models import OutboxEvent, Ticket, User
from supportdesk.repositories.notifications import NotificationRepository
from supportdesk.repositories.recipients import RecipientRepository
from supportdesk.services.mailer import OutgoingEmail
from supportdesk.services.settings import SettingsService

EMAIL_SETTING = "email"


class NotificationType(StrEnum):
    TICKET_CREATED = "ticket_created"
    TICKET_REPLY = "ticket_reply"
    TICKET_ASSIGNED = "ticket_assigned"
    TICKET_STATUS_CHANGED = "ticket_status_changed"
    SLA_BREACHED = "sla_breached"
    SLA_WARNING = "sla_warning"


def wants(user: User, kind: str) -> bool:
    """A user hears of everything unless their settings switch that kind off."""
    settings = user.notification_settings
    return not (isinstance(settings, dict) and settings.get(kind, True) is False)


def reference(ticket: Ticket) -> str:
    return f"#{1000 + ticket.id}"


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NotificationType
    title: str
    message: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one event comes to: the in-app notices written, the e-mails still to send."""

    notified: int
    emails: Sequence[OutgoingEmail]


class Notifier:
    def __init__(self, session: AsyncSession) -> None:
        self.people = RecipientRepository(session)
        self.notifications = NotificationRepository(session)
        self.settings = SettingsService(session)

    async def deliver(self, event: OutboxEvent) -> Delivery:
        """Write the event's in-app notices (once per recipient, however often called)."""
        payload: dict[str, Any] = event.payload
        ticket_id = payload.get("ticket_id")
        ticket = await self.people.ticket(ticket_id) if isinstance(ticket_id, int) else None
        if ticket is None:  # deleted since, or an event about no ticket
            return Delivery(0, ())
        actor_id = payload.get("author_id") or payload.get("actor_id")
        actor = await self.people.user(actor_id) if isinstance(actor_id, int) else None
        who = actor.name if actor is not None else "SupportDesk"
        ref = reference(ticket)

        recipients: Iterable[User | None] = ()
        notice: Notice | None = None
        emails: list[OutgoingEmail] = []
        match event.event_type:
            case EventType.TICKET_CREATED:
                recipients = (
                    [ticket.assignee]
                    if ticket.assignee is not None
                    else await self.people.project_staff(ticket.project_id)
                )
                notice = Notice(
                    NotificationType.TICKET_CREATED,
                    f"New ticket {ref}",
                    f"{who} opened “{ticket.subject}”",
                )
                emails.extend(await self._new_ticket_email(ticket, who))
            case EventType.TICKET_REPLIED:
                watchers = await self.people.watchers(ticket.id)
                if payload.get("sender_type") == SenderType.CUSTOMER:
                    recipients = [ticket.assignee, *watchers]
                    text = "Customer replied to your ticket"
                else:
                    recipients = watchers
                    text = f"{who} replied to “{ticket.subject}”"
                    emails.extend(await self._reply_email(ticket, payload, actor_id))
                notice = Notice(NotificationType.TICKET_REPLY, f"New reply on {ref}", text)
            case EventType.TICKET_ASSIGNED:
                # Whom it was assigned to then, even if it has moved on since.
                assignee_id = payload.get("to")
                if isinstance(assignee_id, int):
                    recipients = [await self.people.user(assignee_id)]
                notice = Notice(
                    NotificationType.TICKET_ASSIGNED,
                    f"Ticket {ref} assigned to you",
                    f"{who} assigned you “{ticket.subject}”",
                )
            case EventType.TICKET_STATUS_CHANGED:
                recipients = await self.people.watchers(ticket.id)
                status = str(payload.get("to", ticket.status)).replace("_", " ")
                notice = Notice(
                    NotificationType.TICKET_STATUS_CHANGED,
                    f"Status of {ref} changed",
                    f"{who} set “{ticket.subject}” to {status}",
                )
                emails.extend(self._status_email(ticket, status, actor_id))
            case EventType.SLA_BREACHED:
                leads = await self.people.project_staff(ticket.project_id, leads_only=True)
                recipients = [ticket.assignee, *leads]
                what = "First response" if payload.get("kind") == "first_response" else "Resolution"
                notice = Notice(
                    NotificationType.SLA_BREACHED,
                    f"SLA breached on {ref}",
                    f"{what} is overdue on “{ticket.subject}”",
                )
            case EventType.SLA_WARNING:
                leads = await self.people.project_staff(ticket.project_id, leads_only=True)
                recipients = [ticket.assignee, *leads]
                what = "First response" if payload.get("kind") == "first_response" else "Resolution"
                notice = Notice(
                    NotificationType.SLA_WARNING,
                    f"SLA warning on {ref}",
                    f"{what} is due soon on “{ticket.subject}”: 80% of its time has passed",
                )
        if notice is None:
            return Delivery(0, emails)
        rows = self._rows(event, ticket, notice, actor, recipients)
        return Delivery(await self.notifications.add_once(rows), emails)

    @staticmethod
    def _rows(
        event: OutboxEvent,
        ticket: Ticket,
        notice: Notice,
        actor: User | None,
        recipients: Iterable[User | None],
    ) -> list[dict[str, Any]]:
        now = clock.now()
        chosen: dict[int, User] = {}
        for user in recipients:
            if user is None or user.id in chosen or (actor is not None and user.id == actor.id):
                continue
            if user.is_active and user.deleted_at is None and wants(user, notice.kind):
                chosen[user.id] = user
        return [
            {
                "user_id": user_id,
                "event_id": event.id,
                "type": str(notice.kind),
                "title": notice.title[:255],
                "message": notice.message,
                "ticket_id": ticket.id,
                "sender_name": actor.name if actor is not None else None,
                "sender_avatar": actor.avatar_url if actor is not None else None,
                "is_read": False,
                "created_at": now,
            }
            for user_id in sorted(chosen)
        ]

    async def _new_ticket_email(self, ticket: Ticket, who: str) -> list[OutgoingEmail]:
        address = await self.settings.get("sd_notification_email")
        if not address:
            return []
        body = (
            f"{who} opened {ticket.ticket_number}: {ticket.subject}\n"
            f"Customer: {ticket.customer_name or '-'} <{ticket.customer_email or '-'}>\n"
            f"Priority: {ticket.priority}\n\n{ticket.description}\n"
        )
        return [
            OutgoingEmail(
                str(address), f"[{ticket.ticket_number}] New ticket: {ticket.subject}", body
            )
        ]

    def _customer_address(self, ticket: Ticket, actor_id: object) -> str | None:
        customer = ticket.customer
        if customer is not None and (customer.id == actor_id or not wants(customer, EMAIL_SETTING)):
            return None
        return ticket.customer_email or None

    async def _reply_email(
        self, ticket: Ticket, payload: dict[str, Any], actor_id: object
    ) -> list[OutgoingEmail]:
        address = self._customer_address(ticket, actor_id)
        message_id = payload.get("message_id")
        if address is None or not isinstance(message_id, int):
            return []
        message = await self.people.message(message_id)
        if message is None or message.is_internal:
            return []
        return [
            OutgoingEmail(
                address,
                f"Re: [{ticket.ticket_number}] {ticket.subject}",
                f"{message.body}\n\n-- \nReply to this ticket: {ticket.ticket_number}\n",
            )
        ]

    def _status_email(self, ticket: Ticket, status: str, actor_id: object) -> list[OutgoingEmail]:
        address = self._customer_address(ticket, actor_id)
        if address is None:
            return []
        return [
            OutgoingEmail(
                address,
                f"[{ticket.ticket_number}] Your ticket is now {status}",
                f"Your ticket “{ticket.subject}” ({ticket.ticket_number}) is now {status}.\n",
            )
        ]
