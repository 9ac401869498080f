"""Webhook subscriptions and deliveries as the REST API takes and shows them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from supportdesk.api.rest.schemas import Meta, _present, public_id
from supportdesk.api.types import MAX_ID, Instant
from supportdesk.api.validation import RequestBody
from supportdesk.models import WebhookAttempt, WebhookSubscription
from supportdesk.services.webhooks import MAX_EVENTS, DeliveryRecord

WEBHOOK = "wh"
DELIVERY = "whd"

EventName = Field(min_length=1, max_length=64)
DeliveryStatus = Literal["pending", "delivered", "failed"]


class _WebhookFields(RequestBody):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1, max_length=MAX_EVENTS)
    project_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    description: str | None = Field(default=None, max_length=500)
    is_active: bool | None = None


class WebhookIn(_WebhookFields):
    url: str = Field(min_length=1, max_length=2048, description="https:// only")
    events: list[str] = Field(
        min_length=1, max_length=MAX_EVENTS, description='Event types, or ["*"] for all'
    )
    is_active: bool = True


class WebhookUpdateIn(_WebhookFields):
    model_config = ConfigDict(extra="forbid")

    _not_null = field_validator("url", "events", "is_active")(_present)


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    project_id: int | None
    description: str | None
    is_active: bool
    disabled_at: Instant | None
    disabled_reason: str | None
    previous_secret_expires_at: Instant | None
    created_at: Instant
    updated_at: Instant


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="Shown once: keep it to verify signatures")


class WebhookEnvelope(BaseModel):
    data: WebhookOut


class WebhookSecretEnvelope(BaseModel):
    data: WebhookWithSecretOut


class WebhookPage(BaseModel):
    data: list[WebhookOut]
    meta: Meta


class AttemptOut(BaseModel):
    attempted_at: Instant
    status_code: int | None
    latency_ms: int
    response_body: str | None
    error: str | None
    succeeded: bool


class DeliveryOut(BaseModel):
    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: str
    attempt_count: int
    next_attempt_at: Instant | None
    delivered_at: Instant | None
    created_at: Instant
    payload: dict[str, Any]
    attempts: list[AttemptOut]


class DeliveryEnvelope(BaseModel):
    data: DeliveryOut


class DeliveryPage(BaseModel):
    data: list[DeliveryOut]
    meta: Meta


def webhook_out(subscription: WebhookSubscription) -> WebhookOut:
    return WebhookOut(
        id=public_id(WEBHOOK, subscription.id),
        url=subscription.url,
        events=list(subscription.events),
        project_id=subscription.project_id,
        description=subscription.description,
        is_active=subscription.is_active,
        disabled_at=subscription.disabled_at,
        disabled_reason=subscription.disabled_reason,
        previous_secret_expires_at=subscription.previous_secret_expires_at,
        created_at=subscription.created_at,
        updated_at=subscription.updated_at,
    )


def webhook_with_secret(subscription: WebhookSubscription, secret: str) -> WebhookWithSecretOut:
    return WebhookWithSecretOut(**webhook_out(subscription).model_dump(), secret=secret)


def _attempt_out(attempt: WebhookAttempt) -> AttemptOut:
    return AttemptOut(
        attempted_at=attempt.attempted_at,
        status_code=attempt.status_code,
        latency_ms=attempt.latency_ms,
        response_body=attempt.response_body,
        error=attempt.error,
        succeeded=attempt.succeeded,
    )


def delivery_out(record: DeliveryRecord) -> DeliveryOut:
    delivery = record.delivery
    return DeliveryOut(
        id=public_id(DELIVERY, delivery.id),
        webhook_id=public_id(WEBHOOK, delivery.subscription_id),
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempt_count=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
        payload=dict(delivery.payload),
        attempts=[_attempt_out(attempt) for attempt in record.attempts],
    )
