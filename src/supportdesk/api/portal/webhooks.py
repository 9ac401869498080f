"""Webhook subscriptions and their deliveries, administered from the portal (admins)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from supportdesk.api.deps import WebhookServiceDep
from supportdesk.api.portal.deps import PrincipalDep
from supportdesk.api.portal.errors import PortalRoute
from supportdesk.api.portal.schemas import In, MessageText
from supportdesk.api.types import MAX_ID, Instant, PathId
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import WebhookSubscription
from supportdesk.services.webhooks import MAX_EVENTS, DeliveryRecord, WebhookFields

router = APIRouter(tags=["portal: admin"], route_class=PortalRoute)

PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]


class _WebhookFields(In):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1, max_length=MAX_EVENTS)
    project_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    description: str | None = Field(default=None, max_length=500)
    is_active: bool | None = None


class WebhookCreateIn(_WebhookFields):
    url: str = Field(min_length=1, max_length=2048, description="https:// only")
    events: list[str] = Field(
        min_length=1, max_length=MAX_EVENTS, description='Event types, or ["*"] for all'
    )
    is_active: bool = True


class WebhookUpdateIn(_WebhookFields):
    @field_validator("url", "events", "is_active")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            raise ValueError(f"The {str(info.field_name).replace('_', ' ')} field is required.")
        return value


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


class WebhookEnvelope(BaseModel):
    webhook: WebhookOut


class IssuedWebhookEnvelope(BaseModel):
    webhook: IssuedWebhookOut


class WebhookPage(BaseModel):
    data: list[WebhookOut]
    current_page: int
    last_page: int
    total: int
    per_page: int


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


class DeliveryEnvelope(BaseModel):
    delivery: DeliveryOut


class DeliveryPage(BaseModel):
    data: list[DeliveryOut]
    current_page: int
    last_page: int
    total: int
    per_page: int


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


def _issued(subscription: WebhookSubscription, secret: str) -> IssuedWebhookEnvelope:
    return IssuedWebhookEnvelope(
        webhook=IssuedWebhookOut(**_out(subscription).model_dump(), secret=secret)
    )


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


def _fields(body: WebhookCreateIn | WebhookUpdateIn) -> WebhookFields:
    return WebhookFields(
        fields_set=frozenset(body.model_fields_set),
        url=body.url,
        events=body.events,
        project_id=body.project_id,
        description=body.description,
        is_active=body.is_active,
    )


def _paged(page: Page[Any]) -> dict[str, int]:
    return {
        "current_page": page.page,
        "last_page": page.last_page,
        "total": page.total,
        "per_page": page.per_page,
    }


@router.get("/admin/webhooks", response_model=WebhookPage)
async def list_webhooks(
    principal: PrincipalDep,
    webhooks: WebhookServiceDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> WebhookPage:
    """List webhooks."""
    found = await webhooks.page(principal, PageRequest(page, per_page))
    return WebhookPage(data=[_out(row) for row in found.items], **_paged(found))


@router.post("/admin/webhooks", response_model=IssuedWebhookEnvelope, status_code=201)
async def create_webhook(
    body: WebhookCreateIn, principal: PrincipalDep, webhooks: WebhookServiceDep
) -> IssuedWebhookEnvelope:
    """Create a webhook. The answer holds its signing secret, shown this once."""
    issued = await webhooks.create(principal, _fields(body))
    return _issued(issued.subscription, issued.secret)


@router.get("/admin/webhooks/{webhook_id}", response_model=WebhookEnvelope)
async def get_webhook(
    webhook_id: PathId, principal: PrincipalDep, webhooks: WebhookServiceDep
) -> WebhookEnvelope:
    """Read a webhook."""
    return WebhookEnvelope(webhook=_out(await webhooks.get(principal, webhook_id)))


@router.put("/admin/webhooks/{webhook_id}", response_model=WebhookEnvelope)
async def update_webhook(
    webhook_id: PathId, body: WebhookUpdateIn, principal: PrincipalDep, webhooks: WebhookServiceDep
) -> WebhookEnvelope:
    """Update a webhook. Only the fields sent change; is_active true enables it again."""
    changed = await webhooks.update(principal, webhook_id, _fields(body))
    return WebhookEnvelope(webhook=_out(changed))


@router.delete("/admin/webhooks/{webhook_id}", response_model=MessageText)
async def delete_webhook(
    webhook_id: PathId, principal: PrincipalDep, webhooks: WebhookServiceDep
) -> MessageText:
    """Delete a webhook."""
    await webhooks.delete(principal, webhook_id)
    return MessageText(message="Webhook deleted")


@router.post("/admin/webhooks/{webhook_id}/rotate-secret", response_model=IssuedWebhookEnvelope)
async def rotate_webhook_secret(
    webhook_id: PathId, principal: PrincipalDep, webhooks: WebhookServiceDep
) -> IssuedWebhookEnvelope:
    """Rotate the signing secret. The new one is shown this once; the old one signs for 24 h."""
    issued = await webhooks.rotate_secret(principal, webhook_id)
    return _issued(issued.subscription, issued.secret)


@router.post(
    "/admin/webhooks/{webhook_id}/test",
    response_model=DeliveryEnvelope,
    status_code=status.HTTP_202_ACCEPTED,
)
async def test_webhook(
    webhook_id: PathId, principal: PrincipalDep, webhooks: WebhookServiceDep
) -> DeliveryEnvelope:
    """Send a test event. A webhook.test event is queued; the worker delivers it."""
    return DeliveryEnvelope(delivery=_delivery(await webhooks.send_test(principal, webhook_id)))


@router.get("/admin/webhooks/{webhook_id}/deliveries", response_model=DeliveryPage)
async def list_webhook_deliveries(
    webhook_id: PathId,
    principal: PrincipalDep,
    webhooks: WebhookServiceDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
    status_: Annotated[
        Literal["pending", "delivered", "failed"] | None, Query(alias="status")
    ] = None,
) -> DeliveryPage:
    """List a webhook's deliveries. Newest first, each with every attempt made."""
    found = await webhooks.deliveries(principal, webhook_id, PageRequest(page, per_page), status_)
    return DeliveryPage(data=[_delivery(row) for row in found.items], **_paged(found))


@router.post(
    "/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/resend",
    response_model=DeliveryEnvelope,
    status_code=status.HTTP_202_ACCEPTED,
)
async def resend_webhook_delivery(
    webhook_id: PathId, delivery_id: PathId, principal: PrincipalDep, webhooks: WebhookServiceDep
) -> DeliveryEnvelope:
    """Send a delivery again. Same webhook-id, same body, a fresh set of retries."""
    record = await webhooks.resend(principal, webhook_id, delivery_id)
    return DeliveryEnvelope(delivery=_delivery(record))
