"""Webhooks: subscriptions to SupportDesk's events, signed as Standard Webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from supportdesk.api.deps import WebhookServiceDep
from supportdesk.api.rest.deps import require_scope
from supportdesk.api.rest.errors import RestRoute
from supportdesk.api.rest.schemas import DeletedEnvelope, OrderDir, deleted, meta, path_id
from supportdesk.api.rest.tickets import Cursor, Limit
from supportdesk.api.rest.webhook_schemas import (
    DELIVERY,
    WEBHOOK,
    DeliveryEnvelope,
    DeliveryPage,
    DeliveryStatus,
    WebhookEnvelope,
    WebhookIn,
    WebhookPage,
    WebhookSecretEnvelope,
    WebhookUpdateIn,
    delivery_out,
    webhook_out,
    webhook_with_secret,
)
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorRequest
from supportdesk.services.webhooks import WebhookFields

router = APIRouter(prefix="/webhooks", tags=["rest"], route_class=RestRoute)

Lister = Annotated[Principal, require_scope(Scope.WEBHOOKS_LIST)]
# Reading a webhook includes reading its deliveries.
Reader = Annotated[Principal, require_scope(Scope.WEBHOOKS_READ)]
Creator = Annotated[Principal, require_scope(Scope.WEBHOOKS_CREATE)]
# Also rotates the secret, sends a test and re-sends a delivery.
Updater = Annotated[Principal, require_scope(Scope.WEBHOOKS_UPDATE)]
Deleter = Annotated[Principal, require_scope(Scope.WEBHOOKS_DELETE)]


def _fields(body: WebhookIn | WebhookUpdateIn) -> WebhookFields:
    return WebhookFields(
        fields_set=frozenset(body.model_fields_set),
        url=body.url,
        events=body.events,
        project_id=body.project_id,
        description=body.description,
        is_active=body.is_active,
    )


@router.get("", response_model=WebhookPage)
async def list_webhooks(
    principal: Lister,
    webhooks: WebhookServiceDep,
    order_dir: OrderDir = "asc",
    limit: Limit = 25,
    cursor: Cursor = None,
) -> WebhookPage:
    """List webhooks, oldest first unless ordered otherwise."""
    request = CursorRequest("created_at", order_dir == "desc", limit, cursor)
    page = await webhooks.cursor_page(principal, request)
    return WebhookPage(data=[webhook_out(row) for row in page.items], meta=meta(page))


@router.post("", response_model=WebhookSecretEnvelope, status_code=status.HTTP_201_CREATED)
async def create_webhook(
    body: WebhookIn, principal: Creator, webhooks: WebhookServiceDep
) -> WebhookSecretEnvelope:
    """Create a webhook. The answer holds its signing secret, shown this once."""
    issued = await webhooks.create(principal, _fields(body))
    return WebhookSecretEnvelope(data=webhook_with_secret(issued.subscription, issued.secret))


@router.get("/{webhook_id}", response_model=WebhookEnvelope)
async def get_webhook(
    webhook_id: str, principal: Reader, webhooks: WebhookServiceDep
) -> WebhookEnvelope:
    """Read a webhook."""
    found = await webhooks.get(principal, path_id(WEBHOOK, webhook_id))
    return WebhookEnvelope(data=webhook_out(found))


@router.patch("/{webhook_id}", response_model=WebhookEnvelope)
async def update_webhook(
    webhook_id: str, body: WebhookUpdateIn, principal: Updater, webhooks: WebhookServiceDep
) -> WebhookEnvelope:
    """Update a webhook. Only the fields sent change; is_active true enables it again."""
    changed = await webhooks.update(principal, path_id(WEBHOOK, webhook_id), _fields(body))
    return WebhookEnvelope(data=webhook_out(changed))


@router.delete("/{webhook_id}", response_model=DeletedEnvelope)
async def delete_webhook(
    webhook_id: str, principal: Deleter, webhooks: WebhookServiceDep
) -> DeletedEnvelope:
    """Delete a webhook."""
    row_id = path_id(WEBHOOK, webhook_id)
    await webhooks.delete(principal, row_id)
    return deleted(WEBHOOK, row_id)


@router.post("/{webhook_id}/rotate-secret", response_model=WebhookSecretEnvelope)
async def rotate_webhook_secret(
    webhook_id: str, principal: Updater, webhooks: WebhookServiceDep
) -> WebhookSecretEnvelope:
    """Rotate the signing secret. The new one is shown this once; the old one signs for 24 h."""
    issued = await webhooks.rotate_secret(principal, path_id(WEBHOOK, webhook_id))
    return WebhookSecretEnvelope(data=webhook_with_secret(issued.subscription, issued.secret))


@router.post(
    "/{webhook_id}/test", response_model=DeliveryEnvelope, status_code=status.HTTP_202_ACCEPTED
)
async def test_webhook(
    webhook_id: str, principal: Updater, webhooks: WebhookServiceDep
) -> DeliveryEnvelope:
    """Send a test event. A webhook.test event is queued; the worker delivers it."""
    record = await webhooks.send_test(principal, path_id(WEBHOOK, webhook_id))
    return DeliveryEnvelope(data=delivery_out(record))


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage)
async def list_webhook_deliveries(
    webhook_id: str,
    principal: Reader,
    webhooks: WebhookServiceDep,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: Limit = 25,
    cursor: Cursor = None,
) -> DeliveryPage:
    """List a webhook's deliveries. Newest first, each with every attempt made."""
    request = CursorRequest("created_at", True, limit, cursor)
    page = await webhooks.deliveries_cursor(
        principal, path_id(WEBHOOK, webhook_id), request, status_
    )
    return DeliveryPage(data=[delivery_out(row) for row in page.items], meta=meta(page))


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/resend",
    response_model=DeliveryEnvelope,
    status_code=status.HTTP_202_ACCEPTED,
)
async def resend_webhook_delivery(
    webhook_id: str, delivery_id: str, principal: Updater, webhooks: WebhookServiceDep
) -> DeliveryEnvelope:
    """Send a delivery again. Same webhook-id, same body, a fresh set of retries."""
    record = await webhooks.resend(
        principal, path_id(WEBHOOK, webhook_id), path_id(DELIVERY, delivery_id)
    )
    return DeliveryEnvelope(data=delivery_out(record))
