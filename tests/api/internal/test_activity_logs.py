"""The activity log shows changes made through every surface, with who and from where."""

from __future__ import annotations

from httpx import ASGITransport, AsyncClient

from supportdesk.core.enums import ApiKeyType
from tests.api.internal.conftest import BASE, Admin
from tests.factories import Factory
from tests.support import FrozenClock


async def test_changes_made_here_and_in_the_portal_are_logged_newest_first(
    api: Admin, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    ticket = await api.created(
        "/tickets", {"customer_id": customer.id, "title": "T", "content": "C"}
    )
    frozen_clock.advance(minutes=1)
    admin = await make.user("admin", name="Admin")
    response = await api.client.patch(
        f"/api/tickets/{ticket['id']}/status", json={"status": "closed"}, headers=make.auth(admin)
    )
    assert response.status_code == 200, response.text

    body = (await api.get("/activity-logs")).json()
    assert body["meta"] == {"current_page": 1, "last_page": 1, "per_page": 15, "total": 2}
    latest, first = body["data"]
    assert latest["description"] == "Status changed from open to closed"
    assert latest["user"] == {"id": admin.id, "name": "Admin"}
    assert latest["ip_address"] == "127.0.0.1"
    assert latest["ticket_id"] == ticket["id"]
    assert latest["created_at"] == "2026-03-02T09:01:00Z"
    assert first["action"] == "created"
    assert first["user"] is None  # a key is no user
    assert first["ip_address"] == "127.0.0.1"
    assert set(latest) == {
        "id",
        "description",
        "action",
        "ticket_id",
        "user",
        "ip_address",
        "created_at",
    }


async def test_the_address_recorded_is_the_callers(app: object, make: Factory) -> None:
    key = await make.api_key(ApiKeyType.INTERNAL, scopes=["*"])
    transport = ASGITransport(app=app, client=("203.0.113.9", 4000))  # type: ignore[arg-type]
    async with AsyncClient(transport=transport, base_url="http://testserver") as remote:
        headers = {"X-API-KEY": key.raw_key}
        created = await remote.post(BASE + "/departments", json={"name": "Sales"}, headers=headers)
        assert created.status_code == 201
        logged = (await remote.get(BASE + "/activity-logs", headers=headers)).json()["data"]
    assert logged[0]["description"] == 'Department Sales created (via API key "Test key")'
    assert logged[0]["ip_address"] == "203.0.113.9"


async def test_the_log_pages(api: Admin) -> None:
    for n in range(3):
        await api.created("/labels", {"name": f"L{n}", "color": "#000"})
    body = (await api.get("/activity-logs", per_page=2, page=2)).json()
    assert len(body["data"]) == 1
    assert body["meta"] == {"current_page": 2, "last_page": 2, "per_page": 2, "total": 3}
