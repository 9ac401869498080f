"""GET|POST /api/tickets_list.php and /api/ticket_view.php: a customer's tickets."""

from __future__ import annotations

import re

from httpx import AsyncClient

from supportdesk.core.enums import Priority, Role
from supportdesk.services.api_keys import IssuedKey
from tests.api.legacy.conftest import bearer, created_id
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


async def _list(client: AsyncClient, key: IssuedKey, email: str) -> dict:
    response = await client.get(
        "/api/tickets_list.php", params={"user_email": email}, headers=bearer(key)
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_the_list_holds_the_customers_tickets_newest_first(
    client: AsyncClient, key: IssuedKey, frozen_clock: FrozenClock
) -> None:
    first = await created_id(client, key, subject="First", user_email="ada@example.com")
    frozen_clock.advance(minutes=5)
    second = await created_id(client, key, subject="Second", user_email="ADA@example.com")
    await created_id(client, key, subject="Someone else's", user_email="bola@example.com")

    body = await _list(client, key, "ada@example.com")

    assert body["success"] is True
    assert [row["id"] for row in body["tickets"]] == [second, first]
    assert body["tickets"][1] == {
        "id": first,
        "subject": "First",
        "status": "open",
        "priority": "medium",
        "created_at": "2026-03-02 09:00:00",
        "updated_at": "2026-03-02 09:00:00",
    }


async def test_an_address_without_tickets_lists_none(client: AsyncClient, key: IssuedKey) -> None:
    assert await _list(client, key, "nobody@example.com") == {"success": True, "tickets": []}


async def test_the_list_may_be_asked_for_with_a_form(client: AsyncClient, key: IssuedKey) -> None:
    ticket_id = await created_id(client, key, user_email="ada@example.com")

    response = await client.post(
        "/api/tickets_list.php", data={"user_email": "ada@example.com"}, headers=bearer(key)
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["tickets"]] == [ticket_id]


async def test_the_list_holds_every_ticket_past_one_batch(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    customer = await make.user(Role.CUSTOMER, email="many@example.com")
    for _ in range(101):
        await make.ticket(by=customer)

    body = await _list(client, key, "many@example.com")

    assert len(body["tickets"]) == 101
    assert len({row["id"] for row in body["tickets"]}) == 101


async def test_a_critical_ticket_reads_as_high(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    customer = await make.user(Role.CUSTOMER, email="ada@example.com")
    await make.ticket(by=customer, priority=Priority.CRITICAL)

    [row] = (await _list(client, key, "ada@example.com"))["tickets"]
    assert row["priority"] == "high"


async def test_the_list_needs_a_user_email(client: AsyncClient, key: IssuedKey) -> None:
    response = await client.get("/api/tickets_list.php", headers=bearer(key))

    assert response.status_code == 422
    assert response.json() == {"success": False, "error": "The user email field is required."}


async def test_the_view_shows_the_ticket_its_replies_and_custom_fields(
    client: AsyncClient, key: IssuedKey, make: Factory, frozen_clock: FrozenClock
) -> None:
    field = await make.custom_field("Order Number", "text", is_required=True)
    admin = await make.user(Role.ADMIN)
    ticket_id = await created_id(
        client, key, user_email="ada@example.com", custom_fields={str(field.id): "12345"}
    )
    frozen_clock.advance(minutes=1)
    staff_reply = await client.post(
        f"/api/tickets/{ticket_id}/messages", json={"body": "On it."}, headers=make.auth(admin)
    )
    frozen_clock.advance(minutes=1)
    await client.post(
        f"/api/tickets/{ticket_id}/messages",
        json={"body": "Refund pending.", "type": "note"},
        headers=make.auth(admin),
    )

    response = await client.get(
        "/api/ticket_view.php",
        params={"ticket_id": ticket_id, "user_email": "ada@example.com"},
        headers=bearer(key),
    )

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["ticket"]["id"] == ticket_id
    assert body["replies"] == [
        {
            "id": 0,
            "ticket_id": ticket_id,
            "user_id": None,
            "message": "This is a test.",
            "attachment": None,
            "created_at": "2026-03-02 09:00:00",
        },
        {
            "id": staff_reply.json()["message"]["id"],
            "ticket_id": ticket_id,
            "user_id": admin.id,
            "message": "On it.",
            "attachment": None,
            "created_at": "2026-03-02 09:01:00",
        },
    ]
    assert body["custom_fields"] == {
        str(field.id): {"name": "Order Number", "type": "text", "required": True, "value": "12345"}
    }


async def test_the_view_may_be_asked_for_with_a_form(client: AsyncClient, key: IssuedKey) -> None:
    ticket_id = await created_id(client, key, user_email="ada@example.com")

    response = await client.post(
        "/api/ticket_view.php",
        data={"ticket_id": str(ticket_id), "user_email": "ada@example.com"},
        headers=bearer(key),
    )

    assert response.status_code == 200
    assert response.json()["ticket"]["id"] == ticket_id


async def test_another_customers_ticket_is_not_found(client: AsyncClient, key: IssuedKey) -> None:
    ticket_id = await created_id(client, key, user_email="ada@example.com")

    response = await client.get(
        "/api/ticket_view.php",
        params={"ticket_id": ticket_id, "user_email": "bola@example.com"},
        headers=bearer(key),
    )

    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Ticket not found."}


async def test_an_unknown_ticket_is_not_found(client: AsyncClient, key: IssuedKey) -> None:
    response = await client.get(
        "/api/ticket_view.php",
        params={"ticket_id": 999, "user_email": "ada@example.com"},
        headers=bearer(key),
    )

    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Ticket not found."}


async def test_a_ticket_id_must_be_a_whole_number_in_range(
    client: AsyncClient, key: IssuedKey
) -> None:
    for ticket_id, error in (
        ("abc", "The ticket id field must be an integer."),
        ("0", "The ticket id field must be at least 1."),
        ("99999999999", "The ticket id field must not be greater than 2147483647."),
    ):
        response = await client.get(
            "/api/ticket_view.php",
            params={"ticket_id": ticket_id, "user_email": "ada@example.com"},
            headers=bearer(key),
        )
        assert response.status_code == 422, ticket_id
        assert response.json() == {"success": False, "error": error}


async def _list_cost(
    client: AsyncClient, key: IssuedKey, statements: StatementCounter, email: str
) -> int:
    statements.start()
    await _list(client, key, email)
    return statements.stop()


async def test_the_list_costs_the_same_statements_for_one_ticket_or_many(
    client: AsyncClient, key: IssuedKey, make: Factory, statements: StatementCounter
) -> None:
    one = await make.user(Role.CUSTOMER, email="one@example.com")
    many = await make.user(Role.CUSTOMER, email="many@example.com")
    await make.ticket(by=one)
    for _ in range(30):
        await make.ticket(by=many)
    await _list(client, key, "nobody@example.com")  # the key's first use is stamped once

    cost_of_one = await _list_cost(client, key, statements, "one@example.com")
    cost_of_many = await _list_cost(client, key, statements, "many@example.com")

    assert cost_of_many == cost_of_one


async def test_the_opening_message_is_the_first_reply_by_the_customer(
    client: AsyncClient, key: IssuedKey
) -> None:
    ticket_id = await created_id(client, key, user_email="ada@example.com", message="Help me.")

    response = await client.get(
        "/api/ticket_view.php",
        params={"ticket_id": ticket_id, "user_email": "ada@example.com"},
        headers=bearer(key),
    )

    opening = response.json()["replies"][0]
    assert (opening["message"], opening["user_id"]) == ("Help me.", None)


async def test_a_reply_made_with_an_internal_key_carries_the_keys_user(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)
    staff_key = await make.api_key("internal", scopes=["*"], user_id=admin.id)
    ticket_id = await created_id(client, key, user_email="ada@example.com")
    posted = await client.post(
        f"/api/v1/internal/tickets/{ticket_id}/messages",
        json={"content": "On it."},
        headers={"X-API-KEY": staff_key.raw_key},
    )
    assert posted.status_code == 201, posted.text

    response = await client.get(
        "/api/ticket_view.php",
        params={"ticket_id": ticket_id, "user_email": "ada@example.com"},
        headers=bearer(key),
    )

    reply = next(r for r in response.json()["replies"] if r["message"] == "On it.")
    assert reply["user_id"] == admin.id
