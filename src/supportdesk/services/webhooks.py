"""Webhook subscriptions, the same rules on every surface that manages them, and the
fan-out of outbox events into the deliveries the worker sends.

Which events a subscription hears: those it names, or ``*`` for all of them — except
``message.note_created`` (internal notes), which goes only to subscriptions naming it.
A subscription with a project hears only that project's events; customers belong to no
project, so ``customer.created`` goes only to subscriptions without one.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.config import Settings
from supportdesk.core import clock
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.errors import Conflict, NotFound, ValidationFailed
from supportdesk.core.events import EventType
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.core.webhook_signature import new_secret
from supportdesk.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscription
from supportdesk.repositories.projects import ProjectRepository
from supportdesk.repositories.webhooks import PENDING, WebhookRepository
from supportdesk.services.webhook_addresses import url_problem

ALL_EVENTS = "*"
NOTE_CREATED = "message.note_created"
TEST_EVENT = "webhook.test"
# The outbox's events as subscriptions name them. An event missing here is not sent.
WEBHOOK_TYPES: dict[str, str] = {
    EventType.TICKET_CREATED: "ticket.created",
    EventType.TICKET_UPDATED: "ticket.updated",
    EventType.TICKET_STATUS_CHANGED: "ticket.status_changed",
    EventType.TICKET_ASSIGNED: "ticket.assigned",
    EventType.TICKET_DELETED: "ticket.deleted",
    EventType.TICKET_RATED: "ticket.rated",
    EventType.SLA_BREACHED: "ticket.sla_breached",
    EventType.SLA_WARNING: "ticket.sla_warning",
    EventType.TICKET_REPLIED: "message.created",
    EventType.TICKET_NOTE_ADDED: NOTE_CREATED,
    EventType.CUSTOMER_CREATED: "customer.created",
}
EVENT_NAMES: tuple[str, ...] = tuple(WEBHOOK_TYPES.values())
# After a rotation, the previous secret signs beside the new one this long.
ROTATION_OVERLAP = timedelta(hours=24)
MAX_EVENTS = len(EVENT_NAMES) + 1


def event_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


def hears(subscription: WebhookSubscription, webhook_type: str) -> bool:
    names = subscription.events
    if webhook_type == NOTE_CREATED:
        return NOTE_CREATED in names
    return webhook_type in names or ALL_EVENTS in names


def signing_secrets(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous one
    during a rotation's overlap."""
    found = [subscription.secret]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires is not None and now < expires:
        found.append(subscription.previous_secret)
    return found


def envelope(event: str, webhook_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The body of every webhook: ``{"id", "type", "created_at", "data"}``."""
    moment = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": event, "type": webhook_type, "created_at": moment, "data": data}


@dataclass(frozen=True, slots=True)
class WebhookFields:
    """A create (every field) or an update (``fields_set`` says which)."""

    fields_set: frozenset[str]
    url: str | None = None
    events: Sequence[str] | None = None
    project_id: int | None = None
    description: str | None = None
    is_active: bool | None = None


@dataclass(frozen=True, slots=True)
class IssuedWebhook:
    """A subscription with its secret, shown this once."""

    subscription: WebhookSubscription
    secret: str


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    delivery: WebhookDelivery
    attempts: Sequence[WebhookAttempt]


class WebhookService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.webhooks = WebhookRepository(session)

    # ---------------------------------------------------------------- subscriptions

    async def page(self, principal: Principal, page: PageRequest) -> Page[WebhookSubscription]:
        principal.require(Scope.WEBHOOKS_LIST)
        return await self.webhooks.page(page)

    async def cursor_page(
        self, principal: Principal, request: CursorRequest
    ) -> CursorPage[WebhookSubscription]:
        principal.require(Scope.WEBHOOKS_LIST)
        return await self.webhooks.cursor_page(request)

    async def get(self, principal: Principal, subscription_id: int) -> WebhookSubscription:
        principal.require(Scope.WEBHOOKS_READ)
        return await self._subscription(subscription_id)

    async def create(self, principal: Principal, fields: WebhookFields) -> IssuedWebhook:
        principal.require(Scope.WEBHOOKS_CREATE)
        if fields.url is None:
            raise ValidationFailed.field("url", "The url field is required.")
        if fields.events is None:
            raise ValidationFailed.field("events", "The events field is required.")
        subscription = WebhookSubscription(
            url=self._url(fields.url),
            events=_events(fields.events),
            project_id=await self._project(fields.project_id),
            description=fields.description,
            is_active=True if fields.is_active is None else fields.is_active,
            secret=new_secret(),
            created_by_id=principal.actor_id,
        )
        self.webhooks.add(subscription)
        await self.session.flush()
        return IssuedWebhook(subscription, subscription.secret)

    async def update(
        self, principal: Principal, subscription_id: int, fields: WebhookFields
    ) -> WebhookSubscription:
        principal.require(Scope.WEBHOOKS_UPDATE)
        subscription = await self._subscription(subscription_id)
        given = fields.fields_set
        for name in ("url", "events", "is_active"):
            if name in given and getattr(fields, name) is None:
                raise ValidationFailed.field(name, f"The {name.replace('_', ' ')} cannot be null.")
        if "url" in given and fields.url is not None:
            subscription.url = self._url(fields.url)
        if "events" in given and fields.events is not None:
            subscription.events = _events(fields.events)
        if "project_id" in given:
            subscription.project_id = await self._project(fields.project_id)
        if "description" in given:
            subscription.description = fields.description
        if "is_active" in given and fields.is_active is not None:
            if fields.is_active and not subscription.is_active:
                # Enabled again: a fresh start, the failures that disabled it forgotten.
                subscription.failing_since = None
                subscription.disabled_at = None
                subscription.disabled_reason = None
            subscription.is_active = fields.is_active
        subscription.updated_at = clock.now()
        return subscription

    async def delete(self, principal: Principal, subscription_id: int) -> WebhookSubscription:
        """Remove a subscription; the subscription as it was, for the answer."""
        principal.require(Scope.WEBHOOKS_DELETE)
        subscription = await self._subscription(subscription_id)
        await self.webhooks.delete(subscription)
        return subscription

    async def rotate_secret(self, principal: Principal, subscription_id: int) -> IssuedWebhook:
        """A new secret; the current one keeps signing beside it for ROTATION_OVERLAP."""
        principal.require(Scope.WEBHOOKS_UPDATE)
        subscription = await self._subscription(subscription_id)
        now = clock.now()
        subscription.previous_secret = subscription.secret
        subscription.previous_secret_expires_at = now + ROTATION_OVERLAP
        subscription.secret = new_secret()
        subscription.updated_at = now
        return IssuedWebhook(subscription, subscription.secret)

    # ---------------------------------------------------------------- deliveries

    async def deliveries(
        self, principal: Principal, subscription_id: int, page: PageRequest, status: str | None
    ) -> Page[DeliveryRecord]:
        principal.require(Scope.WEBHOOKS_READ)
        await self._subscription(subscription_id)
        found = await self.webhooks.deliveries_page(subscription_id, page, status)
        attempts = await self.webhooks.attempts_of([row.id for row in found.items])
        return Page(
            items=[DeliveryRecord(row, attempts[row.id]) for row in found.items],
            total=found.total,
            page=found.page,
            per_page=found.per_page,
        )

    async def deliveries_cursor(
        self,
        principal: Principal,
        subscription_id: int,
        request: CursorRequest,
        status: str | None,
    ) -> CursorPage[DeliveryRecord]:
        principal.require(Scope.WEBHOOKS_READ)
        await self._subscription(subscription_id)
        found = await self.webhooks.deliveries_cursor(subscription_id, request, status)
        attempts = await self.webhooks.attempts_of([row.id for row in found.items])
        return CursorPage(
            items=[DeliveryRecord(row, attempts[row.id]) for row in found.items],
            total=found.total,
            limit=found.limit,
            next_cursor=found.next_cursor,
        )

    async def send_test(self, principal: Principal, subscription_id: int) -> DeliveryRecord:
        """Queue a ``webhook.test`` delivery; the worker sends it, as every other."""
        principal.require(Scope.WEBHOOKS_UPDATE)
        subscription = self._sendable(await self._subscription(subscription_id))
        now = clock.now()
        ident = event_id()
        data = {"webhook": {"id": subscription.id, "url": subscription.url}}
        delivery = _delivery(
            subscription, ident, TEST_EVENT, envelope(ident, TEST_EVENT, now, data)
        )
        self.webhooks.add(delivery)
        await self.session.flush()
        return DeliveryRecord(delivery, [])

    async def resend(
        self, principal: Principal, subscription_id: int, delivery_id: int
    ) -> DeliveryRecord:
        """Send a delivery again, as it was (same webhook-id, same body), with a fresh
        set of retries."""
        principal.require(Scope.WEBHOOKS_UPDATE)
        self._sendable(await self._subscription(subscription_id))
        delivery = await self.webhooks.delivery(subscription_id, delivery_id)
        if delivery is None:
            raise NotFound("Delivery not found.")
        delivery.status = PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = clock.now()
        delivery.locked_until = None
        attempts = await self.webhooks.attempts_of([delivery.id])
        return DeliveryRecord(delivery, attempts[delivery.id])

    # ---------------------------------------------------------------- rules

    async def _subscription(self, subscription_id: int) -> WebhookSubscription:
        subscription = await self.webhooks.get(subscription_id)
        if subscription is None:
            raise NotFound("Webhook not found.")
        return subscription

    @staticmethod
    def _sendable(subscription: WebhookSubscription) -> WebhookSubscription:
        if not subscription.is_active:
            raise Conflict("This webhook is disabled; enable it (is_active) to send to it.")
        return subscription

    def _url(self, url: str) -> str:
        problem = url_problem(url, self.settings)
        if problem is not None:
            raise ValidationFailed.field("url", problem)
        return url

    async def _project(self, project_id: int | None) -> int | None:
        if project_id is None:
            return None
        if await ProjectRepository(self.session).get(project_id) is None:
            raise ValidationFailed.field("project_id", "The selected project id is invalid.")
        return project_id


def _events(names: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(name.strip() for name in names))
    if not chosen:
        raise ValidationFailed.field("events", "Name at least one event, or * for all.")
    unknown = [name for name in chosen if name != ALL_EVENTS and name not in EVENT_NAMES]
    if unknown:
        known = ", ".join((ALL_EVENTS, *EVENT_NAMES))
        raise ValidationFailed.field(
            "events", f"Unknown event {unknown[0]!r}; the events are: {known}."
        )
    return chosen


def _delivery(
    subscription: WebhookSubscription,
    ident: str,
    webhook_type: str,
    payload: dict[str, Any],
    *,
    outbox_event_id: int | None = None,
    ordering_key: str | None = None,
) -> WebhookDelivery:
    now = clock.now()
    return WebhookDelivery(
        subscription_id=subscription.id,
        event_id=ident,
        event_type=webhook_type,
        payload=payload,
        outbox_event_id=outbox_event_id,
        ordering_key=ordering_key,
        sequence=outbox_event_id,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


# What an event says, in the shape of the REST API: given the repository, the event
# and its webhook type, the ``data`` object (None: nothing left to tell of).
EventData = Callable[[WebhookRepository, OutboxEvent, str], Awaitable[dict[str, Any] | None]]


class WebhookFanout:
    """Turn an outbox event into one delivery per subscription that hears it.

    Run by the worker in the transaction that handles the event. Idempotent: an event
    handled again owes no subscription a second delivery.
    """

    def __init__(self, session: AsyncSession, data: EventData) -> None:
        self.webhooks = WebhookRepository(session)
        self.data = data

    async def fan_out(self, event: OutboxEvent) -> int:
        webhook_type = WEBHOOK_TYPES.get(event.event_type)
        if webhook_type is None:
            return 0
        project_id = event.payload.get("project_id")
        listening = await self.webhooks.listening(
            project_id if isinstance(project_id, int) else None
        )
        wanting = [sub for sub in listening if hears(sub, webhook_type)]
        if not wanting:
            return 0
        owed = await self.webhooks.owed_for(event.id)
        wanting = [sub for sub in wanting if sub.id not in owed]
        if not wanting:
            return 0
        data = await self.data(self.webhooks, event, webhook_type)
        if data is None:
            return 0
        ident = next(iter(owed.values()), None) or event_id()
        payload = envelope(ident, webhook_type, event.created_at, data)
        ticket_id = event.payload.get("ticket_id")
        key = f"ticket:{ticket_id}" if isinstance(ticket_id, int) else None
        for subscription in wanting:
            self.webhooks.add(
                _delivery(
                    subscription,
                    ident,
                    webhook_type,
                    payload,
                    outbox_event_id=event.id,
                    ordering_key=key,
                )
            )
        return len(wanting)
