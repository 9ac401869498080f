"""POST /api/ticket_reply.php: the customer's reply to one of their tickets."""

from __future__ import annotations

from httpx import AsyncClient

from supportdesk.core.enums import Role
from supportdesk.services.api_keys import IssuedKey
from tests.api.legacy.conftest import bearer, created_id
from tests.factories import Factory


async def _reply(
    client: AsyncClient, key: IssuedKey, ticket_id: int | str, email: str, message: str = "Thanks"
):  # type: ignore[no-untyped-def]
    return await client.post(
        "/api/ticket_reply.php",
        data={"ticket_id": str(ticket_id), "user_email": email, "message": message},
        headers=bearer(key),
    )


async def test_a_reply_is_the_customers_own(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)
    ticket_id = await created_id(client, key, user_email="ada@example.com", name="Ada Obi")

    response = await _reply(client, key, ticket_id, "ada@example.com", "Any news?")

    assert response.status_code == 200
    reply_id = response.json()["reply_id"]
    portal = await client.get(f"/api/tickets/{ticket_id}", headers=make.auth(admin))
    [message] = portal.json()["ticket"]["messages"]
    assert message["id"] == reply_id
    assert message["body"] == "Any news?"
    assert message["user"]["name"] == "Ada Obi"
    assert message["is_first_response"] is False


async def test_a_customer_reply_reopens_a_resolved_ticket(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)
    ticket_id = await created_id(client, key, user_email="ada@example.com")
    await client.patch(
        f"/api/tickets/{ticket_id}/status", json={"status": "resolved"}, headers=make.auth(admin)
    )

    await _reply(client, key, ticket_id, "ada@example.com", "Still broken.")

    listed = await client.get(
        "/api/tickets_list.php", params={"user_email": "ada@example.com"}, headers=bearer(key)
    )
    assert listed.json()["tickets"][0]["status"] == "open"


async def test_a_customer_reply_reopens_a_closed_ticket(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)
    ticket_id = await created_id(client, key, user_email="ada@example.com")
    await client.patch(
        f"/api/tickets/{ticket_id}/status", json={"status": "closed"}, headers=make.auth(admin)
    )

    response = await _reply(client, key, ticket_id, "ada@example.com", "It is back.")

    assert response.status_code == 200
    listed = await client.get(
        "/api/tickets_list.php", params={"user_email": "ada@example.com"}, headers=bearer(key)
    )
    assert listed.json()["tickets"][0]["status"] == "open"


async def test_a_reply_to_another_customers_ticket_is_not_found(
    client: AsyncClient, key: IssuedKey
) -> None:
    ticket_id = await created_id(client, key, user_email="ada@example.com")

    response = await _reply(client, key, ticket_id, "bola@example.com")

    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Ticket not found."}


async def test_a_reply_to_an_unknown_ticket_is_not_found(
    client: AsyncClient, key: IssuedKey
) -> None:
    response = await _reply(client, key, 999, "ada@example.com")

    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Ticket not found."}


async def test_a_reply_needs_a_message(client: AsyncClient, key: IssuedKey) -> None:
    ticket_id = await created_id(client, key, user_email="ada@example.com")

    response = await _reply(client, key, ticket_id, "ada@example.com", message="")

    assert response.status_code == 422
    assert response.json() == {"success": False, "error": "The message field is required."}


async def test_a_reply_may_come_as_json(client: AsyncClient, key: IssuedKey) -> None:
    ticket_id = await created_id(client, key, user_email="ada@example.com")

    response = await client.post(
        "/api/ticket_reply.php",
        json={"ticket_id": ticket_id, "user_email": "ada@example.com", "message": "Hello"},
        headers=bearer(key),
    )

    assert response.status_code == 200
    assert isinstance(response.json()["reply_id"], int)
