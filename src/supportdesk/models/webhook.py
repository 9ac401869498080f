"""Webhook subscriptions, the deliveries the worker owes them, and every attempt made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.models.base import Base, TimestampMixin

_PENDING = "status = 'pending'"


class WebhookSubscription(TimestampMixin, Base):
    """A receiver of events: where to POST them, which ones, and the secret that signs them.

    The secret signs, so it is kept as issued (a digest could not sign). After a rotation
    the previous secret keeps signing beside the new one until ``previous_secret_expires_at``.
    """

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(default=True)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None]
    # The first failure of the current run of failures; None once a delivery succeeds.
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class WebhookDelivery(Base):
    """One event owed to one subscription, with the body it is sent with every time."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text(_PENDING),
            sqlite_where=text(_PENDING),
        ),
        # The head of a ticket's line, per subscription (ordering_key is the ticket).
        Index(
            "ix_webhook_deliveries_line",
            "subscription_id",
            "ordering_key",
            "sequence",
            postgresql_where=text(_PENDING),
            sqlite_where=text(_PENDING),
        ),
        Index("ix_webhook_deliveries_subscription_id_id", "subscription_id", "id"),
        # An event handled twice owes each subscription one delivery.
        Index(
            "uq_webhook_deliveries_outbox_event_id_subscription_id",
            "outbox_event_id",
            "subscription_id",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    # The ``evt_…`` id: the payload's id and the webhook-id header, the same on every try.
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    outbox_event_id: Mapped[int | None] = mapped_column(Integer)
    # Deliveries sharing a key go out in ``sequence`` order (the outbox's order).
    ordering_key: Mapped[str | None] = mapped_column(String(64))
    sequence: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    # A worker sending it holds it until then; a worker that died lets it go.
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    """One POST of a delivery: when, the answer's status and first kilobyte, how long."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_id_id", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
    succeeded: Mapped[bool]
