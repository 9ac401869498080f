"""One ticket, every surface: what the REST API changes the portal sees, and back."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.api.rest.conftest import Bearer, create_ticket
from tests.factories import Factory

REST_OPERATIONS = {
    ("get", "/api/v1/tickets"),
    ("post", "/api/v1/tickets"),
    ("get", "/api/v1/tickets/{ticket_id}"),
    ("patch", "/api/v1/tickets/{ticket_id}"),
    ("delete", "/api/v1/tickets/{ticket_id}"),
    ("get", "/api/v1/conversations"),
    ("post", "/api/v1/conversations"),
    ("get", "/api/v1/conversations/{conversation_id}"),
    ("get", "/api/v1/customers"),
    ("post", "/api/v1/customers"),
    ("get", "/api/v1/customers/{customer_id}"),
    ("patch", "/api/v1/customers/{customer_id}"),
    ("delete", "/api/v1/customers/{customer_id}"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{user_id}"),
    ("get", "/api/v1/tags"),
    ("post", "/api/v1/tags"),
    ("get", "/api/v1/tags/{tag_id}"),
    ("patch", "/api/v1/tags/{tag_id}"),
    ("delete", "/api/v1/tags/{tag_id}"),
    ("get", "/api/v1/articles"),
    ("post", "/api/v1/articles"),
    ("get", "/api/v1/articles/{article_id}"),
    ("patch", "/api/v1/articles/{article_id}"),
    ("delete", "/api/v1/articles/{article_id}"),
}


async def _portal_ticket(client: AsyncClient, ticket_id: str, headers: dict[str, str]) -> Any:
    response = await client.get(f"/api/tickets/{ticket_id.removeprefix('tkt_')}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["ticket"]


async def test_a_rest_ticket_is_the_customers_ticket_in_the_portal(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer", email="tunde@example.com")
    created = await create_ticket(
        client, await bearer.key(), subject="From the REST API", customer_email=customer.email
    )

    seen = await _portal_ticket(client, created["id"], make.auth(customer))
    listed = await client.get("/api/tickets", headers=make.auth(customer))

    assert seen["subject"] == "From the REST API"
    assert [row["id"] for row in listed.json()["data"]] == [seen["id"]]


async def test_pending_in_the_rest_api_is_pending_customer_in_the_portal(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    admin = await make.user("admin")
    headers = await bearer.key()
    created = await create_ticket(client, headers)

    await client.patch(
        f"/api/v1/tickets/{created['id']}", json={"status": "pending"}, headers=headers
    )
    in_portal = await _portal_ticket(client, created["id"], make.auth(admin))
    await client.patch(
        f"/api/tickets/{created['id'].removeprefix('tkt_')}/status",
        json={"status": "resolved"},
        headers=make.auth(admin),
    )
    back = await client.get(f"/api/v1/tickets/{created['id']}", headers=headers)

    assert in_portal["status"] == "pending_customer"
    assert back.json()["data"]["status"] == "resolved"


async def test_a_portal_ticket_and_its_replies_are_seen_through_the_rest_api(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    response = await client.post(
        "/api/tickets",
        json={"project_id": 1, "subject": "From the portal", "description": "Hello"},
        headers=make.auth(customer),
    )
    ticket_id = response.json()["ticket"]["id"]
    await client.post(
        f"/api/tickets/{ticket_id}/messages",
        json={"body": "<p>More <i>details</i></p>"},
        headers=make.auth(customer),
    )
    headers = await bearer.key()

    ticket = await client.get(f"/api/v1/tickets/tkt_{ticket_id}", headers=headers)
    conversations = await client.get(
        "/api/v1/conversations", params={"ticket_id": f"tkt_{ticket_id}"}, headers=headers
    )

    assert ticket.json()["data"]["customer"]["id"] == f"cust_{customer.id}"
    assert [row["content_text"] for row in conversations.json()["data"]] == ["More details"]


async def test_a_portal_token_works_in_the_rest_api_with_the_same_visibility(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    other = await make.user("customer")
    mine = await make.ticket(by=customer)
    await make.ticket(by=other)

    listed = await client.get("/api/v1/tickets", headers=bearer.user(customer))

    assert [row["id"] for row in listed.json()["data"]] == [f"tkt_{mine.id}"]


async def test_openapi_lists_every_rest_operation_tagged_and_secured(
    client: AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()

    found = {
        (method, path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if (method, path) in REST_OPERATIONS
    }

    assert set(found) == REST_OPERATIONS
    for key, operation in found.items():
        assert operation["tags"] == ["rest"], key
        assert [list(requirement) for requirement in operation["security"]] == [["BearerApiKey"]], (
            key
        )
