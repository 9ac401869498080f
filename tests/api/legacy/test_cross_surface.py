"""A ticket of the simple ticket API is the same ticket on every other surface."""

from __future__ import annotations

from httpx import AsyncClient

from supportdesk.core.enums import Role
from supportdesk.services.api_keys import IssuedKey
from tests.api.legacy.conftest import bearer, created_id
from tests.factories import Factory


async def test_the_customer_sees_the_ticket_in_the_portal(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    customer = await make.user(Role.CUSTOMER, email="ada@example.com", name="Ada Obi")

    ticket_id = await created_id(client, key, subject="From the app", user_email="ada@example.com")

    listed = await client.get("/api/tickets", headers=make.auth(customer))
    assert [row["id"] for row in listed.json()["data"]] == [ticket_id]
    shown = await client.get(f"/api/tickets/{ticket_id}", headers=make.auth(customer))
    assert shown.status_code == 200
    ticket = shown.json()["ticket"]
    assert ticket["subject"] == "From the app"
    assert ticket["project"]["id"] == 1


async def test_staff_see_it_in_the_default_project_with_its_source(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)

    ticket_id = await created_id(client, key, user_email="ada@example.com", priority="low")

    shown = await client.get(f"/api/tickets/{ticket_id}", headers=make.auth(admin))
    ticket = shown.json()["ticket"]
    assert ticket["priority"] == "low"
    assert ticket["customer_email"] == "ada@example.com"
    assert ticket["project"]["id"] == 1


async def test_a_portal_ticket_of_the_customer_is_in_the_simple_apis_list(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    customer = await make.user(Role.CUSTOMER, email="ada@example.com")
    ticket = await make.ticket(by=customer, subject="From the portal")

    listed = await client.get(
        "/api/tickets_list.php", params={"user_email": "ada@example.com"}, headers=bearer(key)
    )

    assert [row["id"] for row in listed.json()["tickets"]] == [ticket.id]


async def test_an_internal_note_never_reaches_the_replies(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    ticket_id = await created_id(client, key, user_email="ada@example.com")
    await client.post(
        f"/api/tickets/{ticket_id}/messages",
        json={"body": "Customer is a VIP.", "type": "note"},
        headers=make.auth(agent),
    )

    view = await client.get(
        "/api/ticket_view.php",
        params={"ticket_id": ticket_id, "user_email": "ada@example.com"},
        headers=bearer(key),
    )

    assert view.json()["replies"][1:] == []


async def test_the_internal_api_sees_the_ticket(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    internal_key = await make.api_key("internal", scopes=["tickets:read"])
    ticket_id = await created_id(client, key, subject="From the app", user_email="ada@example.com")

    response = await client.get(
        f"/api/v1/internal/tickets/{ticket_id}", headers={"X-API-KEY": internal_key.raw_key}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] is True
    assert body["data"]["id"] == ticket_id
    assert body["data"]["title"] == "From the app"
    assert body["data"]["customer"] is not None


async def test_the_rest_api_sees_the_ticket_by_its_prefixed_id(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    rest_key = await make.api_key("internal", scopes=["tickets:read"])
    ticket_id = await created_id(client, key, subject="From the app", user_email="ada@example.com")

    response = await client.get(f"/api/v1/tickets/tkt_{ticket_id}", headers=bearer(rest_key))

    assert response.status_code == 200, response.text
    ticket = response.json()["data"]
    assert ticket["id"] == f"tkt_{ticket_id}"
    assert ticket["subject"] == "From the app"
    assert ticket["customer"]["email"] == "ada@example.com"


async def test_rest_conversations_reach_the_replies_unless_internal(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    rest_key = await make.api_key("internal", scopes=["messages:create"])
    ticket_id = await created_id(client, key, user_email="ada@example.com")
    for content, internal in (("We are on it.", False), ("Check the logs first.", True)):
        posted = await client.post(
            "/api/v1/conversations",
            json={"ticket_id": f"tkt_{ticket_id}", "content": content, "internal": internal},
            headers=bearer(rest_key),
        )
        assert posted.status_code == 201, posted.text

    view = await client.get(
        "/api/ticket_view.php",
        params={"ticket_id": ticket_id, "user_email": "ada@example.com"},
        headers=bearer(key),
    )

    assert [reply["message"] for reply in view.json()["replies"][1:]] == ["We are on it."]
