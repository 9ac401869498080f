"""Webhook subscriptions in the portal's administration: admins only, the same rules."""

from __future__ import annotations

from httpx import AsyncClient

from supportdesk.core.enums import Role
from supportdesk.core.webhook_signature import SECRET_PREFIX
from tests.factories import Factory

HOOK = {"url": "https://hooks.example.com/supportdesk", "events": ["*"]}


async def test_an_admin_creates_a_webhook_and_sees_its_secret_once(
    client: AsyncClient, make: Factory
) -> None:
    admin = make.auth(await make.user(Role.ADMIN))

    created = await client.post("/api/admin/webhooks", json=HOOK, headers=admin)
    webhook_id = created.json()["webhook"]["id"]
    shown = await client.get(f"/api/admin/webhooks/{webhook_id}", headers=admin)

    assert created.status_code == 201
    assert created.json()["webhook"]["secret"].startswith(SECRET_PREFIX)
    assert "secret" not in shown.json()["webhook"]


async def test_an_agent_may_not_administer_webhooks(client: AsyncClient, make: Factory) -> None:
    agent = make.auth(await make.user(Role.AGENT))

    response = await client.post("/api/admin/webhooks", json=HOOK, headers=agent)

    assert response.status_code == 403
    assert "error" in response.json()


async def test_a_project_scoped_webhook_names_an_existing_project(
    client: AsyncClient, make: Factory
) -> None:
    admin = make.auth(await make.user(Role.ADMIN))

    response = await client.post(
        "/api/admin/webhooks", json={**HOOK, "project_id": 4242}, headers=admin
    )

    assert response.status_code == 422
    assert response.json()["details"] == {"project_id": ["The selected project id is invalid."]}


async def test_the_deliveries_list_is_paged_as_the_portal_pages(
    client: AsyncClient, make: Factory
) -> None:
    admin = make.auth(await make.user(Role.ADMIN))
    created = await client.post("/api/admin/webhooks", json=HOOK, headers=admin)
    webhook_id = created.json()["webhook"]["id"]
    await client.post(f"/api/admin/webhooks/{webhook_id}/test", headers=admin)

    listed = await client.get(f"/api/admin/webhooks/{webhook_id}/deliveries", headers=admin)

    body = listed.json()
    assert [row["event_type"] for row in body["data"]] == ["webhook.test"]
    assert (body["current_page"], body["last_page"], body["total"]) == (1, 1, 1)
