"""Customers through the REST API: the users with the customer role."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.api.rest.conftest import Bearer, assert_error, create_ticket
from tests.factories import Factory
from tests.support import FrozenClock

REFERENCE = {
    "email": "user@example.com",
    "name": "John Doe",
    "phone": "+1-555-0123",
    "company": "Acme Inc",
}


async def _create(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/customers", json={**REFERENCE, **body}, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _emails(client: AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = await client.get("/api/v1/customers", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [row["email"] for row in response.json()["data"]]


async def test_the_reference_example_creates_a_customer(
    client: AsyncClient, bearer: Bearer
) -> None:
    data = await _create(client, await bearer.key("customers:create"))

    assert data["id"].startswith("cust_")
    assert {key: data[key] for key in REFERENCE} == REFERENCE
    assert data["custom_fields"] == {}
    assert data["ticket_count"] == 0


async def test_get_shows_company_custom_fields_and_ticket_count(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    created = await _create(client, headers, custom_fields={"plan": "gold"})
    await create_ticket(client, headers, customer_email=REFERENCE["email"])
    await create_ticket(client, headers, customer_email=REFERENCE["email"])

    response = await client.get(f"/api/v1/customers/{created['id']}", headers=headers)

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["company"] == "Acme Inc"
    assert data["custom_fields"] == {"plan": "gold"}
    assert data["ticket_count"] == 2


async def test_a_taken_email_is_400(client: AsyncClient, bearer: Bearer, make: Factory) -> None:
    await make.user("agent", email="staff@example.com")
    headers = await bearer.key()

    response = await client.post(
        "/api/v1/customers", json={"email": "STAFF@example.com"}, headers=headers
    )

    assert "email" in assert_error(response, 400, "BAD_REQUEST")["details"]


async def test_invalid_customers_are_400(client: AsyncClient, bearer: Bearer) -> None:
    response = await client.post(
        "/api/v1/customers",
        json={"email": "not-an-email", "phone": "9" * 51, "custom_fields": [1]},
        headers=await bearer.key(),
    )

    details = assert_error(response, 400, "BAD_REQUEST")["details"]
    assert set(details) == {"email", "phone", "custom_fields"}


async def test_list_filters_by_email_search_and_phone(
    client: AsyncClient, bearer: Bearer, make: Factory, frozen_clock: FrozenClock
) -> None:
    await make.user("agent", name="Agent Smith")
    headers = await bearer.key()
    await _create(client, headers, email="ada@example.com", name="Ada Obi", phone="+234-1")
    frozen_clock.advance(seconds=1)
    await _create(client, headers, email="tunde@example.com", name="Tunde Smith", phone="+234-2")

    assert await _emails(client, headers) == ["tunde@example.com", "ada@example.com"]
    assert await _emails(client, headers, order_dir="asc") == [
        "ada@example.com",
        "tunde@example.com",
    ]
    assert await _emails(client, headers, email="ADA@example.com") == ["ada@example.com"]
    assert await _emails(client, headers, search="smith") == ["tunde@example.com"]
    assert await _emails(client, headers, search="ada@") == ["ada@example.com"]
    assert await _emails(client, headers, phone="+234-2") == ["tunde@example.com"]


async def test_the_list_pages_with_a_cursor(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    for _ in range(5):
        await make.user("customer")  # all created in the same instant
    headers = await bearer.key()

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/api/v1/customers", params=params, headers=headers)).json()
        seen += [row["id"] for row in body["data"]]
        assert body["meta"]["total"] == 5
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 5


async def test_patch_changes_only_the_fields_sent(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await _create(client, headers)

    response = await client.patch(
        f"/api/v1/customers/{created['id']}",
        json={"company": None, "name": "Johnny Doe", "custom_fields": {"tier": 2}},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["name"] == "Johnny Doe"
    assert data["company"] is None
    assert data["phone"] == REFERENCE["phone"]
    assert data["custom_fields"] == {"tier": 2}


async def test_patch_refuses_a_null_email_and_a_taken_one(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    created = await _create(client, headers)
    await _create(client, headers, email="other@example.com")
    url = f"/api/v1/customers/{created['id']}"

    nulled = await client.patch(url, json={"email": None}, headers=headers)
    taken = await client.patch(url, json={"email": "other@example.com"}, headers=headers)

    assert "email" in assert_error(nulled, 400, "BAD_REQUEST")["details"]
    assert "email" in assert_error(taken, 400, "BAD_REQUEST")["details"]


async def test_delete_keeps_the_customers_tickets(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await _create(client, headers)
    ticket = await create_ticket(client, headers, customer_email=REFERENCE["email"])

    response = await client.delete(f"/api/v1/customers/{created['id']}", headers=headers)
    gone = await client.get(f"/api/v1/customers/{created['id']}", headers=headers)
    kept = await client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers)

    assert response.json()["data"] == {"id": created["id"], "deleted": True}
    assert_error(gone, 404, "NOT_FOUND")
    assert kept.status_code == 200
    assert kept.json()["data"]["customer"]["id"] == created["id"]
    assert await _emails(client, headers) == []


async def test_staff_and_admins_are_not_customers(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user("agent")
    headers = await bearer.key()

    for url in (f"/api/v1/customers/cust_{agent.id}", "/api/v1/customers/user_1"):
        assert_error(await client.get(url, headers=headers), 404, "NOT_FOUND")
    for method in ("patch", "delete"):
        kwargs: dict[str, Any] = {"json": {"name": "x"}} if method == "patch" else {}
        response = await client.request(
            method, f"/api/v1/customers/cust_{agent.id}", headers=headers, **kwargs
        )
        assert_error(response, 404, "NOT_FOUND")


async def test_agents_read_customers_and_only_admins_manage_them(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user("agent")
    admin = await make.user("admin")
    customer = await make.user("customer")

    read = await client.get("/api/v1/customers", headers=bearer.user(agent))
    by_agent = await client.post("/api/v1/customers", json=REFERENCE, headers=bearer.user(agent))
    by_customer = await client.get("/api/v1/customers", headers=bearer.user(customer))
    by_admin = await client.post("/api/v1/customers", json=REFERENCE, headers=bearer.user(admin))

    assert read.status_code == 200
    assert_error(by_agent, 403, "FORBIDDEN")
    assert_error(by_customer, 403, "FORBIDDEN")
    assert by_admin.status_code == 201


async def test_customer_scopes_are_required_of_keys(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    headers = await bearer.key("customers:read")
    url = f"/api/v1/customers/cust_{customer.id}"

    assert (await client.get(url, headers=headers)).status_code == 200
    for response in (
        await client.get("/api/v1/customers", headers=headers),
        await client.post("/api/v1/customers", json=REFERENCE, headers=headers),
        await client.patch(url, json={"name": "x"}, headers=headers),
        await client.delete(url, headers=headers),
    ):
        assert_error(response, 403, "FORBIDDEN")


async def test_a_key_with_customers_delete_deletes_a_customer(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.delete(
        f"/api/v1/customers/cust_{customer.id}", headers=await bearer.key("customers:delete")
    )

    assert response.status_code == 200
