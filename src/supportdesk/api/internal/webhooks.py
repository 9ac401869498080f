"""Webhook subscriptions and their deliveries on the internal API (webhooks:* scopes)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, field_validator

from supportdesk.api.deps import WebhookServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.schemas import Envelope, In, ListEnvelope, listed, one, refuse_null
from supportdesk.api.types import MAX_ID, Instant, PathId
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.models import WebhookSubscription
from supportdesk.services.webhooks import MAX_EVENTS, DeliveryRecord, WebhookFields

router = APIRouter(tags=["internal"], route_class=InternalRoute)


class _WebhookFields(In):
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
    _present = field_validator("url", "events", "is_active")(refuse_null)


class WebhookOut(BaseModel):
    id: int
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


class IssuedWebhookOut(WebhookOut):
    secret: str = Field(description="Shown once: keep it to verify signatures")


class AttemptOut(BaseModel):
    attempted_at: Instant
    status_code: int | None
    latency_ms: int
    response_body: str | None
    error: str | None
    succeeded: bool


class DeliveryOut(BaseModel):
    id: int
    webhook_id: int
    event_id: str
    event_type: str
    status: str
    attempt_count: int
    next_attempt_at: Instant | None
    delivered_at: Instant | None
    created_at: Instant
    payload: dict[str, Any]
    attempts: list[AttemptOut]


def _out(subscription: WebhookSubscription) -> WebhookOut:
    return WebhookOut(
        id=subscription.id,
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


def _issued(subscription: WebhookSubscription, secret: str) -> IssuedWebhookOut:
    return IssuedWebhookOut(**_out(subscription).model_dump(), secret=secret)


def _delivery(record: DeliveryRecord) -> DeliveryOut:
    delivery = record.delivery
    return DeliveryOut(
        id=delivery.id,
        webhook_id=delivery.subscription_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        status=delivery.status,
        attempt_count=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
        payload=dict(delivery.payload),
        attempts=[AttemptOut.model_validate(a, from_attributes=True) for a in record.attempts],
    )


def _fields(body: WebhookIn | WebhookUpdateIn) -> WebhookFields:
    return WebhookFields(
        fields_set=frozenset(body.model_fields_set),
        url=body.url,
        events=body.events,
        project_id=body.project_id,
        description=body.description,
        is_active=body.is_active,
    )


@router.get("/webhooks", response_model=ListEnvelope[WebhookOut])
async def list_webhooks(
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_LIST)],
    webhooks: WebhookServiceDep,
    page: PageDep,
) -> ListEnvelope[WebhookOut]:
    """List webhooks."""
    return listed(await webhooks.page(principal, page), _out)


@router.post(
    "/webhooks", response_model=Envelope[IssuedWebhookOut], status_code=status.HTTP_201_CREATED
)
async def create_webhook(
    body: WebhookIn,
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_CREATE)],
    webhooks: WebhookServiceDep,
) -> Envelope[IssuedWebhookOut]:
    """Create a webhook. The answer holds its signing secret, shown this once."""
    issued = await webhooks.create(principal, _fields(body))
    return one(_issued(issued.subscription, issued.secret))


@router.get("/webhooks/{webhook_id}", response_model=Envelope[WebhookOut])
async def get_webhook(
    webhook_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_READ)],
    webhooks: WebhookServiceDep,
) -> Envelope[WebhookOut]:
    """Read a webhook."""
    return one(_out(await webhooks.get(principal, webhook_id)))


@router.put("/webhooks/{webhook_id}", response_model=Envelope[WebhookOut])
async def update_webhook(
    webhook_id: PathId,
    body: WebhookUpdateIn,
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_UPDATE)],
    webhooks: WebhookServiceDep,
) -> Envelope[WebhookOut]:
    """Update a webhook. Only the fields sent change; is_active true enables it again."""
    return one(_out(await webhooks.update(principal, webhook_id, _fields(body))))


@router.delete("/webhooks/{webhook_id}", response_model=Envelope[WebhookOut])
async def delete_webhook(
    webhook_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_DELETE)],
    webhooks: WebhookServiceDep,
) -> Envelope[WebhookOut]:
    """Delete a webhook.

    The answer is the webhook as it was.
    """
    return one(_out(await webhooks.delete(principal, webhook_id)))


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=Envelope[IssuedWebhookOut])
async def rotate_webhook_secret(
    webhook_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_UPDATE)],
    webhooks: WebhookServiceDep,
) -> Envelope[IssuedWebhookOut]:
    """Rotate the signing secret. The new one is shown this once; the old one signs for 24 h."""
    issued = await webhooks.rotate_secret(principal, webhook_id)
    return one(_issued(issued.subscription, issued.secret))


@router.post(
    "/webhooks/{webhook_id}/test",
    response_model=Envelope[DeliveryOut],
    status_code=status.HTTP_202_ACCEPTED,
)
async def test_webhook(
    webhook_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_UPDATE)],
    webhooks: WebhookServiceDep,
) -> Envelope[DeliveryOut]:
    """Send a test event. A webhook.test event is queued; the worker delivers it."""
    return one(_delivery(await webhooks.send_test(principal, webhook_id)))


@router.get("/webhooks/{webhook_id}/deliveries", response_model=ListEnvelope[DeliveryOut])
async def list_webhook_deliveries(
    webhook_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_READ)],
    webhooks: WebhookServiceDep,
    page: PageDep,
    status_: Annotated[
        Literal["pending", "delivered", "failed"] | None, Query(alias="status")
    ] = None,
) -> ListEnvelope[DeliveryOut]:
    """List a webhook's deliveries. Newest first, each with every attempt made."""
    return listed(await webhooks.deliveries(principal, webhook_id, page, status_), _delivery)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/resend",
    response_model=Envelope[DeliveryOut],
    status_code=status.HTTP_202_ACCEPTED,
)
async def resend_webhook_delivery(
    webhook_id: PathId,
    delivery_id: PathId,
    principal: Annotated[Principal, require_scope(Scope.WEBHOOKS_UPDATE)],
    webhooks: WebhookServiceDep,
) -> Envelope[DeliveryOut]:
    """Send a delivery again. Same webhook-id, same body, a fresh set of retries."""
    return one(_delivery(await webhooks.resend(principal, webhook_id, delivery_id)))
