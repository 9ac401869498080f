"""The reference's four curl examples, sent byte for byte as curl sends them."""

from __future__ import annotations

from httpx import AsyncClient

from supportdesk.services.api_keys import IssuedKey
from tests.api.legacy.conftest import curl
from tests.factories import Factory

BASE = "http://testserver"


async def test_the_create_example_opens_a_ticket_with_its_custom_field(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    field = await make.custom_field("Order Number", "text", is_required=True)
    assert field.id == 1  # the example names field 1

    response = await curl(
        client,
        "POST",
        f"{BASE}/api/tickets_create.php",
        key,
        [
            "subject=Test Ticket",
            "message=This is a test.",
            "user_email=user@example.com",
            'custom_fields={"1":"Value1"}',
        ],
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {"success": True, "ticket_id": body["ticket_id"]}
    assert isinstance(body["ticket_id"], int)
    view = await curl(
        client,
        "GET",
        f"{BASE}/api/ticket_view.php?ticket_id={body['ticket_id']}&user_email=user@example.com",
        key,
    )
    assert view.json()["custom_fields"] == {
        "1": {"name": "Order Number", "type": "text", "required": True, "value": "Value1"}
    }


async def test_the_list_example_lists_the_customers_tickets(
    client: AsyncClient, key: IssuedKey
) -> None:
    await curl(
        client,
        "POST",
        f"{BASE}/api/tickets_create.php",
        key,
        ["subject=Test Ticket", "message=This is a test.", "user_email=user@example.com"],
    )

    response = await curl(
        client, "GET", f"{BASE}/api/tickets_list.php?user_email=user@example.com", key
    )

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    [ticket] = body["tickets"]
    assert set(ticket) == {"id", "subject", "status", "priority", "created_at", "updated_at"}
    assert ticket["subject"] == "Test Ticket"
    assert ticket["status"] == "open"
    assert ticket["priority"] == "medium"


async def test_the_view_and_reply_examples_show_and_add_to_the_conversation(
    client: AsyncClient, key: IssuedKey
) -> None:
    created = await curl(
        client,
        "POST",
        f"{BASE}/api/tickets_create.php",
        key,
        ["subject=Test Ticket", "message=This is a test.", "user_email=user@example.com"],
    )
    ticket_id = created.json()["ticket_id"]

    replied = await curl(
        client,
        "POST",
        f"{BASE}/api/ticket_reply.php",
        key,
        [f"ticket_id={ticket_id}", "user_email=user@example.com", "message=This is a reply."],
    )
    view = await curl(
        client,
        "GET",
        f"{BASE}/api/ticket_view.php?ticket_id={ticket_id}&user_email=user@example.com",
        key,
    )

    assert replied.status_code == 200
    reply_id = replied.json()["reply_id"]
    assert replied.json() == {"success": True, "reply_id": reply_id}
    assert view.status_code == 200
    body = view.json()
    assert body["success"] is True
    assert body["ticket"]["id"] == ticket_id
    assert body["ticket"]["subject"] == "Test Ticket"
    assert body["replies"][1:] == [
        {
            "id": reply_id,
            "ticket_id": ticket_id,
            "user_id": None,
            "message": "This is a reply.",
            "attachment": None,
            "created_at": body["replies"][1]["created_at"],
        }
    ]
    assert body["custom_fields"] == {}
