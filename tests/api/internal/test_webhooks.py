"""Webhook subscriptions on the internal API: the same rules, the internal API's envelope."""

from __future__ import annotations

from httpx import AsyncClient

from supportdesk.core.webhook_signature import SECRET_PREFIX
from tests.api.internal.conftest import BASE, Admin, errors_of
from tests.factories import Factory

HOOK = {"url": "https://hooks.example.com/supportdesk", "events": ["ticket.created"]}


async def test_a_new_webhook_shows_its_secret_once(api: Admin) -> None:
    created = await api.created("/webhooks", HOOK)

    shown = await api.data(f"/webhooks/{created['id']}")

    assert created["secret"].startswith(SECRET_PREFIX)
    assert "secret" not in shown and shown["url"] == HOOK["url"]


async def test_webhooks_are_listed_in_pages(api: Admin) -> None:
    for _ in range(3):
        await api.created("/webhooks", HOOK)

    response = await api.get("/webhooks", per_page=2)

    assert len(response.json()["data"]) == 2
    assert response.json()["meta"] == {"current_page": 1, "last_page": 2, "per_page": 2, "total": 3}


async def test_a_key_without_webhooks_create_is_refused_naming_the_scope(
    client: AsyncClient, make: Factory
) -> None:
    issued = await make.api_key("internal", scopes=["webhooks:list"])

    response = await client.post(
        f"{BASE}/webhooks", json=HOOK, headers={"X-API-KEY": issued.raw_key}
    )

    assert response.status_code == 403
    assert "webhooks:create" in response.json()["message"]


async def test_a_plain_http_url_is_refused(api: Admin) -> None:
    response = await api.post("/webhooks", {**HOOK, "url": "http://hooks.example.com/"})

    assert errors_of(response) == {"url": ["The url must start with https://."]}


async def test_an_update_changes_only_the_fields_sent(api: Admin) -> None:
    created = await api.created("/webhooks", {**HOOK, "description": "Kept"})

    response = await api.put(f"/webhooks/{created['id']}", {"is_active": False})

    data = response.json()["data"]
    assert data["is_active"] is False and data["description"] == "Kept"


async def test_a_rotation_shows_the_new_secret(api: Admin) -> None:
    created = await api.created("/webhooks", HOOK)

    response = await api.post(f"/webhooks/{created['id']}/rotate-secret")

    assert response.json()["data"]["secret"] != created["secret"]


async def test_a_test_event_is_queued_and_listed(api: Admin) -> None:
    created = await api.created("/webhooks", HOOK)

    queued = await api.post(f"/webhooks/{created['id']}/test")
    listed = await api.data(f"/webhooks/{created['id']}/deliveries", status="pending")

    assert queued.status_code == 202
    assert [row["event_type"] for row in listed] == ["webhook.test"]


async def test_a_deleted_webhook_is_gone(api: Admin) -> None:
    created = await api.created("/webhooks", HOOK)

    await api.delete(f"/webhooks/{created['id']}")

    assert (await api.get(f"/webhooks/{created['id']}")).status_code == 404
