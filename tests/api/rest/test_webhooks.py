"""Webhook subscriptions on the REST API: the webhooks:* scopes, a secret shown once."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from supportdesk.core.enums import Role
from supportdesk.core.webhook_signature import SECRET_PREFIX
from tests.api.rest.conftest import Bearer, assert_error
from tests.factories import Factory
from tests.support import FrozenClock

HOOK = {"url": "https://hooks.example.com/supportdesk", "events": ["ticket.created"]}


async def create(client: AsyncClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/webhooks", json={**HOOK, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_a_new_webhook_shows_its_whsec_secret_once(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    created = await create(client, headers, description="CRM sync")

    shown = await client.get(f"/api/v1/webhooks/{created['id']}", headers=headers)

    assert created["id"].startswith("wh_")
    assert created["secret"].startswith(SECRET_PREFIX)
    assert created["is_active"] is True and created["description"] == "CRM sync"
    assert shown.status_code == 200
    assert "secret" not in shown.json()["data"]


async def test_webhooks_are_listed_with_cursor_meta(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    first = await create(client, headers)
    second = await create(client, headers, events=["*"])

    page = await client.get("/api/v1/webhooks", params={"limit": 1}, headers=headers)
    rest = await client.get(
        "/api/v1/webhooks",
        params={"limit": 1, "cursor": page.json()["meta"]["next_cursor"]},
        headers=headers,
    )

    assert [hook["id"] for hook in page.json()["data"]] == [first["id"]]
    assert page.json()["meta"]["total"] == 2
    assert [hook["id"] for hook in rest.json()["data"]] == [second["id"]]


async def test_a_key_without_the_webhooks_scope_is_refused(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key("tickets:list")

    response = await client.post("/api/v1/webhooks", json=HOOK, headers=headers)

    assert_error(response, 403, "FORBIDDEN")


async def test_an_agent_may_not_manage_webhooks(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user(Role.AGENT)

    response = await client.get("/api/v1/webhooks", headers=bearer.user(agent))

    assert_error(response, 403, "FORBIDDEN")


async def test_an_admin_manages_webhooks_with_their_token(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)

    created = await create(client, bearer.user(admin))

    assert created["secret"].startswith(SECRET_PREFIX)


async def test_a_plain_http_url_is_refused(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()

    response = await client.post(
        "/api/v1/webhooks", json={**HOOK, "url": "http://hooks.example.com/"}, headers=headers
    )

    error = assert_error(response, 400, "BAD_REQUEST")
    assert error["details"]["url"] == ["The url must start with https://."]


async def test_a_url_at_a_private_address_is_refused(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()

    for url in ("https://10.0.0.8/hook", "https://127.0.0.1/hook", "https://localhost/hook"):
        response = await client.post("/api/v1/webhooks", json={**HOOK, "url": url}, headers=headers)
        error = assert_error(response, 400, "BAD_REQUEST")
        assert error["details"]["url"] == ["The url must point to a public address."]


async def test_an_unknown_event_is_refused_naming_the_known_ones(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()

    response = await client.post(
        "/api/v1/webhooks", json={**HOOK, "events": ["ticket.exploded"]}, headers=headers
    )

    error = assert_error(response, 400, "BAD_REQUEST")
    assert "ticket.exploded" in error["details"]["events"][0]
    assert "message.note_created" in error["details"]["events"][0]


async def test_an_unknown_project_is_refused(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()

    response = await client.post(
        "/api/v1/webhooks", json={**HOOK, "project_id": 999}, headers=headers
    )

    assert_error(response, 400, "BAD_REQUEST")


async def test_an_update_changes_only_the_fields_sent(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await create(client, headers, description="Kept")

    response = await client.patch(
        f"/api/v1/webhooks/{created['id']}", json={"events": ["*"]}, headers=headers
    )

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["events"] == ["*"] and data["description"] == "Kept"
    assert data["url"] == HOOK["url"]


async def test_an_update_may_not_null_the_url(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await create(client, headers)

    response = await client.patch(
        f"/api/v1/webhooks/{created['id']}", json={"url": None}, headers=headers
    )

    assert_error(response, 400, "BAD_REQUEST")


async def test_rotating_shows_a_new_secret_and_keeps_the_old_one_signing_for_a_day(
    client: AsyncClient, bearer: Bearer, frozen_clock: FrozenClock
) -> None:
    headers = await bearer.key()
    created = await create(client, headers)

    response = await client.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", headers=headers)

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["secret"].startswith(SECRET_PREFIX) and data["secret"] != created["secret"]
    assert data["previous_secret_expires_at"] == "2026-03-03T09:00:00Z"


async def test_a_test_event_is_queued_for_the_worker_not_sent_by_the_request(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    created = await create(client, headers)

    response = await client.post(f"/api/v1/webhooks/{created['id']}/test", headers=headers)
    listed = await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=headers)

    assert response.status_code == 202, response.text
    delivery = response.json()["data"]
    assert delivery["event_type"] == "webhook.test" and delivery["status"] == "pending"
    assert delivery["payload"]["id"] == delivery["event_id"]
    assert delivery["event_id"].startswith("evt_")
    assert delivery["attempts"] == []
    assert [row["id"] for row in listed.json()["data"]] == [delivery["id"]]


async def test_a_disabled_webhook_cannot_be_tested(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await create(client, headers, is_active=False)

    response = await client.post(f"/api/v1/webhooks/{created['id']}/test", headers=headers)

    assert_error(response, 409, "CONFLICT")


async def test_a_deleted_webhook_is_gone(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await create(client, headers)

    deleted = await client.delete(f"/api/v1/webhooks/{created['id']}", headers=headers)
    after = await client.get(f"/api/v1/webhooks/{created['id']}", headers=headers)

    assert deleted.json()["data"] == {"id": created["id"], "deleted": True}
    assert_error(after, 404, "NOT_FOUND")


async def test_resending_an_unknown_delivery_is_not_found(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    created = await create(client, headers)

    response = await client.post(
        f"/api/v1/webhooks/{created['id']}/deliveries/whd_99/resend", headers=headers
    )

    assert_error(response, 404, "NOT_FOUND")
