"""Webhook subscriptions, deliveries and attempts: every query the webhooks make."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import aliased

from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import Role
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import (
    Notification,
    OutboxEvent,
    ProjectAgent,
    Ticket,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from supportdesk.repositories.base import Repository, not_deleted
from supportdesk.repositories.keyset import keyset_page, ordering_for, timestamp_orderings
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.tickets import RESOURCE_LOADS

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"


def _outbox_caught_up() -> ColumnElement[bool]:
    """No earlier outbox event is still being handled for the first time: it may owe the
    same line an earlier delivery."""
    first_unhandled = (
        select(func.min(OutboxEvent.id))
        .where(
            OutboxEvent.handled_at.is_(None),
            OutboxEvent.failed_at.is_(None),
            OutboxEvent.attempts == 0,
        )
        .scalar_subquery()
    )
    return or_(
        WebhookDelivery.sequence.is_(None),
        first_unhandled.is_(None),
        WebhookDelivery.sequence <= first_unhandled,
    )


class WebhookRepository(Repository):
    # ---------------------------------------------------------------- subscriptions

    def add(
        self, row: WebhookSubscription | WebhookDelivery | WebhookAttempt | Notification
    ) -> None:
        self.session.add(row)

    async def get(self, subscription_id: int) -> WebhookSubscription | None:
        return await self.session.get(WebhookSubscription, subscription_id)

    async def page(self, page: PageRequest) -> Page[WebhookSubscription]:
        listing = select(WebhookSubscription).order_by(WebhookSubscription.id)
        return await fetch_page(self.session, listing, page)

    async def cursor_page(self, request: CursorRequest) -> CursorPage[WebhookSubscription]:
        orderings = timestamp_orderings(WebhookSubscription.created_at)
        return await keyset_page(
            self.session,
            select(WebhookSubscription),
            ordering=ordering_for(orderings, request.order_by),
            row_id=WebhookSubscription.id,
            request=request,
        )

    async def delete(self, subscription: WebhookSubscription) -> None:
        await self.session.delete(subscription)

    async def listening(self, project_id: int | None) -> Sequence[WebhookSubscription]:
        """Active subscriptions hearing of events of ``project_id`` (None: of no project)."""
        scope: ColumnElement[bool] = WebhookSubscription.project_id.is_(None)
        if project_id is not None:
            scope = or_(scope, WebhookSubscription.project_id == project_id)
        query = select(WebhookSubscription).where(WebhookSubscription.is_active.is_(True), scope)
        return (await self.session.scalars(query.order_by(WebhookSubscription.id))).all()

    # ---------------------------------------------------------------- fan-out

    async def owed_for(self, outbox_event_id: int) -> dict[int, str]:
        """Subscription id -> event id of the deliveries an outbox event already made."""
        rows = await self.session.execute(
            select(WebhookDelivery.subscription_id, WebhookDelivery.event_id).where(
                WebhookDelivery.outbox_event_id == outbox_event_id
            )
        )
        return {int(row.subscription_id): str(row.event_id) for row in rows}

    async def ticket(self, ticket_id: int) -> Ticket | None:
        """A ticket as the REST API shows it, deleted or not (a deletion's event shows it)."""
        return await self.session.scalar(
            select(Ticket).where(Ticket.id == ticket_id).options(*RESOURCE_LOADS)
        )

    async def user(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def customer_ticket_count(self, customer_id: int) -> int:
        counted = select(func.count()).where(Ticket.customer_id == customer_id, not_deleted(Ticket))
        return int(await self.session.scalar(counted) or 0)

    # ---------------------------------------------------------------- the dispatcher

    async def claim_due(self, now: datetime, until: datetime, limit: int) -> list[int]:
        """Hold the deliveries due now that head their ticket's line, until ``until``.

        A delivery waits while an earlier delivery of the same ticket to the same
        subscription is pending, and while an earlier outbox event is still being
        handled for the first time (it may owe the same line an earlier delivery). On
        PostgreSQL the rows are locked with SKIP LOCKED, so workers share the work.
        """
        # The head of each line: its pending delivery first in order (one pass over the
        # line index, rather than a probe for every pending delivery).
        lines = (
            select(
                WebhookDelivery.subscription_id,
                WebhookDelivery.ordering_key,
                func.min(WebhookDelivery.sequence).label("first"),
            )
            .where(WebhookDelivery.status == PENDING, WebhookDelivery.ordering_key.is_not(None))
            .group_by(WebhookDelivery.subscription_id, WebhookDelivery.ordering_key)
            .subquery()
        )
        due = (
            select(WebhookDelivery.id)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .outerjoin(
                lines,
                and_(
                    lines.c.subscription_id == WebhookDelivery.subscription_id,
                    lines.c.ordering_key == WebhookDelivery.ordering_key,
                    lines.c.first == WebhookDelivery.sequence,
                ),
            )
            .where(
                WebhookDelivery.status == PENDING,
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                WebhookSubscription.is_active.is_(True),
                or_(WebhookDelivery.ordering_key.is_(None), lines.c.first.is_not(None)),
                _outbox_caught_up(),
            )
            .order_by(WebhookDelivery.id)
            .limit(limit)
        )
        if self.is_postgresql:
            due = due.with_for_update(of=WebhookDelivery, skip_locked=True)
        result = await self.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(due.scalar_subquery()))
            .values(locked_until=until)
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(result.scalars().all())

    async def claim_followers(
        self, heads: Sequence[int], now: datetime, until: datetime, per_line: int
    ) -> list[int]:
        """Hold, with the heads just claimed, the deliveries queued right behind them.

        Up to ``per_line`` a line, in order, as long as each is due and not held: the
        worker sends them one after the other, so a burst of one ticket's events goes
        out in one pass. Nobody else can claim them meanwhile: their head is held.
        """
        head = aliased(WebhookDelivery)
        place = (
            func.row_number()
            .over(
                partition_by=(WebhookDelivery.subscription_id, WebhookDelivery.ordering_key),
                order_by=WebhookDelivery.sequence,
            )
            .label("place")
        )
        behind = (
            select(
                WebhookDelivery.id,
                WebhookDelivery.subscription_id,
                WebhookDelivery.ordering_key,
                WebhookDelivery.sequence,
                WebhookDelivery.next_attempt_at,
                WebhookDelivery.locked_until,
                place,
            )
            .join(
                head,
                and_(
                    head.id.in_(heads),
                    head.ordering_key.is_not(None),
                    head.subscription_id == WebhookDelivery.subscription_id,
                    head.ordering_key == WebhookDelivery.ordering_key,
                    head.sequence < WebhookDelivery.sequence,
                ),
            )
            .where(WebhookDelivery.status == PENDING, _outbox_caught_up())
            .subquery()
        )
        rows = await self.session.execute(
            select(behind)
            .where(behind.c.place <= per_line)
            .order_by(behind.c.subscription_id, behind.c.ordering_key, behind.c.sequence)
        )
        chosen: list[int] = []
        stopped: set[tuple[int, str]] = set()
        for row in rows:
            line = (row.subscription_id, row.ordering_key)
            held = row.locked_until is not None and row.locked_until >= now
            if line in stopped or row.next_attempt_at > now or held:
                stopped.add(line)
                continue
            chosen.append(int(row.id))
        if chosen:
            await self.session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(chosen))
                .values(locked_until=until)
                .execution_options(synchronize_session=False)
            )
        return chosen

    async def deliveries_with_subscriptions(
        self, ids: Sequence[int]
    ) -> Sequence[tuple[WebhookDelivery, WebhookSubscription]]:
        rows = await self.session.execute(
            select(WebhookDelivery, WebhookSubscription)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookDelivery.id.in_(ids))
            .order_by(WebhookDelivery.id)
        )
        return [(row[0], row[1]) for row in rows]

    async def release(self, delivery_ids: Sequence[int]) -> None:
        """Let go of held deliveries that were not sent (their line stopped at a failure)."""
        if delivery_ids:
            await self.session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(delivery_ids))
                .values(locked_until=None)
            )

    async def deliveries_for_update(
        self, ids: Sequence[int]
    ) -> dict[int, tuple[WebhookDelivery, WebhookSubscription]]:
        """Deliveries with their subscriptions, locked on PostgreSQL while their attempts
        are recorded."""
        query = (
            select(WebhookDelivery, WebhookSubscription)
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(WebhookDelivery.id.in_(ids))
            .order_by(WebhookDelivery.id)
        )
        if self.is_postgresql:
            query = query.with_for_update()
        rows = await self.session.execute(query)
        return {row[0].id: (row[0], row[1]) for row in rows}

    async def people_to_warn(self, project_id: int | None) -> Sequence[User]:
        """The hub's admins, and the leads of the subscription's project."""
        leads = select(ProjectAgent.user_id).where(
            ProjectAgent.project_id == project_id, ProjectAgent.is_lead.is_(True)
        )
        is_admin = User.role.in_((Role.ADMIN, Role.SUPER_ADMIN))
        who = is_admin if project_id is None else or_(is_admin, User.id.in_(leads))
        query = select(User).where(who, User.is_active.is_(True), not_deleted(User))
        return (await self.session.scalars(query.order_by(User.id))).all()

    # ---------------------------------------------------------------- deliveries, attempts

    async def delivery(self, subscription_id: int, delivery_id: int) -> WebhookDelivery | None:
        return await self.session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.subscription_id == subscription_id,
            )
        )

    async def deliveries_page(
        self, subscription_id: int, page: PageRequest, status: str | None = None
    ) -> Page[WebhookDelivery]:
        """A subscription's deliveries, newest first."""
        listing = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
        if status is not None:
            listing = listing.where(WebhookDelivery.status == status)
        return await fetch_page(self.session, listing.order_by(WebhookDelivery.id.desc()), page)

    async def deliveries_cursor(
        self, subscription_id: int, request: CursorRequest, status: str | None = None
    ) -> CursorPage[WebhookDelivery]:
        listing = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
        if status is not None:
            listing = listing.where(WebhookDelivery.status == status)
        orderings = timestamp_orderings(WebhookDelivery.created_at)
        return await keyset_page(
            self.session,
            listing,
            ordering=ordering_for(orderings, request.order_by),
            row_id=WebhookDelivery.id,
            request=request,
        )

    async def attempts_of(self, delivery_ids: Sequence[int]) -> dict[int, list[WebhookAttempt]]:
        """Each delivery's attempts, oldest first (one statement for a page)."""
        found: dict[int, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
        if not delivery_ids:
            return found
        rows = await self.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.id)
        )
        for attempt in rows:
            found[attempt.delivery_id].append(attempt)
        return found

    async def pending_count(self) -> int:
        return int(
            await self.session.scalar(select(func.count()).where(WebhookDelivery.status == PENDING))
            or 0
        )

    async def delete_settled_before(self, before: datetime) -> int:
        """Drop delivered and failed deliveries (and their attempts) made before ``before``."""
        result = await self.session.execute(
            delete(WebhookDelivery)
            .where(WebhookDelivery.status != PENDING, WebhookDelivery.created_at < before)
            .returning(WebhookDelivery.id)
        )
        return len(result.all())
