"""Users (the staff directory) and tags through the REST API."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.api.rest.conftest import Bearer, assert_error, create_ticket
from tests.factories import Factory

# ------------------------------------------------------------------ users


async def test_users_are_the_staff_only(client: AsyncClient, bearer: Bearer, make: Factory) -> None:
    agent = await make.user("agent", name="Alice Okafor")
    admin = await make.user("admin")
    await make.user("customer")
    headers = await bearer.key("agents:list")

    body = (await client.get("/api/v1/users", headers=headers)).json()
    agents = (await client.get("/api/v1/users", params={"role": "agent"}, headers=headers)).json()

    assert {row["id"] for row in body["data"]} == {f"user_{agent.id}", f"user_{admin.id}"}
    assert body["meta"]["total"] == 2
    assert [row["name"] for row in agents["data"]] == ["Alice Okafor"]


async def test_get_user_returns_a_staff_member(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user("agent", name="Alice Okafor", email="alice@example.com")
    customer = await make.user("customer")
    headers = await bearer.key("agents:read")

    response = await client.get(f"/api/v1/users/user_{agent.id}", headers=headers)
    as_customer = await client.get(f"/api/v1/users/user_{customer.id}", headers=headers)
    malformed = await client.get(f"/api/v1/users/cust_{agent.id}", headers=headers)

    data = response.json()["data"]
    assert data["id"] == f"user_{agent.id}"
    assert (data["name"], data["email"], data["role"]) == (
        "Alice Okafor",
        "alice@example.com",
        "agent",
    )
    assert_error(as_customer, 404, "NOT_FOUND")
    assert_error(malformed, 404, "NOT_FOUND")


async def test_customers_may_not_list_staff(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user("agent")
    customer = await make.user("customer")

    by_customer = await client.get("/api/v1/users", headers=bearer.user(customer))
    by_agent = await client.get("/api/v1/users", headers=bearer.user(agent))
    by_key = await client.get("/api/v1/users", headers=await bearer.key("agents:read"))
    bad_role = await client.get(
        "/api/v1/users", params={"role": "customer"}, headers=bearer.user(agent)
    )

    assert_error(by_customer, 403, "FORBIDDEN")
    assert by_agent.status_code == 200
    assert_error(by_key, 403, "FORBIDDEN")
    assert_error(bad_role, 400, "BAD_REQUEST")


# ------------------------------------------------------------------ tags


async def _create_tag(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/tags", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_the_reference_example_creates_a_tag(client: AsyncClient, bearer: Bearer) -> None:
    data = await _create_tag(
        client, await bearer.key("labels:create"), name="billing", color="#ff0000"
    )

    assert data["id"].startswith("tag_")
    assert (data["name"], data["color"]) == ("billing", "#ff0000")


async def test_a_tag_takes_a_short_hex_color(client: AsyncClient, bearer: Bearer) -> None:
    data = await _create_tag(client, await bearer.key(), name="billing", color="#f00")

    assert data["color"] == "#f00"


async def test_a_bad_tag_color_is_explained_in_words(client: AsyncClient, bearer: Bearer) -> None:
    response = await client.post(
        "/api/v1/tags", json={"name": "billing", "color": "red"}, headers=await bearer.key()
    )

    assert assert_error(response, 400, "BAD_REQUEST")["details"] == {
        "color": ["The color field must be a hex color such as #FF0000 or #F00."]
    }


async def test_tags_are_listed_and_read(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    first = await _create_tag(client, headers, name="billing")
    second = await _create_tag(client, headers, name="vip")

    listed = (await client.get("/api/v1/tags", headers=headers)).json()
    read = await client.get(f"/api/v1/tags/{second['id']}", headers=headers)

    assert [row["id"] for row in listed["data"]] == [first["id"], second["id"]]
    assert listed["meta"] == {"limit": 50, "total": 2, "next_cursor": None}
    assert read.json()["data"] == second


async def test_patch_renames_and_recolours_a_tag(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    tag = await _create_tag(client, headers, name="billing", color="#ff0000")
    ticket = await create_ticket(client, headers, tags=["billing"])

    response = await client.patch(
        f"/api/v1/tags/{tag['id']}", json={"name": "invoices", "color": None}, headers=headers
    )
    seen = await client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers)

    assert response.status_code == 200, response.text
    assert (response.json()["data"]["name"], response.json()["data"]["color"]) == (
        "invoices",
        None,
    )
    assert seen.json()["data"]["tags"] == ["invoices"]


async def test_tag_names_are_unique_whatever_the_case(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    await _create_tag(client, headers, name="billing")
    other = await _create_tag(client, headers, name="vip")

    created = await client.post("/api/v1/tags", json={"name": "BILLING"}, headers=headers)
    renamed = await client.patch(
        f"/api/v1/tags/{other['id']}", json={"name": "Billing"}, headers=headers
    )

    assert "name" in assert_error(created, 400, "BAD_REQUEST")["details"]
    assert "name" in assert_error(renamed, 400, "BAD_REQUEST")["details"]


async def test_invalid_tags_are_400(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    tag = await _create_tag(client, headers, name="billing")

    created = await client.post("/api/v1/tags", json={"name": "", "color": "red"}, headers=headers)
    nulled = await client.patch(f"/api/v1/tags/{tag['id']}", json={"name": None}, headers=headers)

    assert set(assert_error(created, 400, "BAD_REQUEST")["details"]) == {"name", "color"}
    assert "name" in assert_error(nulled, 400, "BAD_REQUEST")["details"]


async def test_deleting_a_tag_removes_it_from_tickets(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    tag = await _create_tag(client, headers, name="billing")
    ticket = await create_ticket(client, headers, tags=["billing", "vip"])

    response = await client.delete(f"/api/v1/tags/{tag['id']}", headers=headers)
    gone = await client.get(f"/api/v1/tags/{tag['id']}", headers=headers)
    seen = await client.get(f"/api/v1/tickets/{ticket['id']}", headers=headers)

    assert response.json()["data"] == {"id": tag["id"], "deleted": True}
    assert_error(gone, 404, "NOT_FOUND")
    assert seen.json()["data"]["tags"] == ["vip"]


async def test_unknown_and_malformed_tags_are_404(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()

    for method, url in (
        ("get", "/api/v1/tags/tag_999"),
        ("get", "/api/v1/tags/billing"),
        ("patch", "/api/v1/tags/tag_999"),
        ("delete", "/api/v1/tags/tag_999"),
    ):
        kwargs: dict[str, Any] = {"json": {"name": "x"}} if method == "patch" else {}
        response = await client.request(method, url, headers=headers, **kwargs)
        assert_error(response, 404, "NOT_FOUND")


async def test_tag_permissions_follow_scopes_and_roles(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user("agent")
    customer = await make.user("customer")
    tag = await _create_tag(client, await bearer.key(), name="billing")
    url = f"/api/v1/tags/{tag['id']}"
    reader = await bearer.key("labels:list", "labels:read")

    assert (await client.get("/api/v1/tags", headers=bearer.user(customer))).status_code == 200
    assert (await client.get(url, headers=reader)).status_code == 200
    for response in (
        await client.post("/api/v1/tags", json={"name": "x"}, headers=reader),
        await client.patch(url, json={"name": "x"}, headers=reader),
        await client.delete(url, headers=reader),
        await client.post("/api/v1/tags", json={"name": "x"}, headers=bearer.user(customer)),
        await client.patch(url, json={"name": "x"}, headers=bearer.user(agent)),
        await client.delete(url, headers=bearer.user(agent)),
        await client.get("/api/v1/tags", headers=await bearer.key("labels:read")),
    ):
        assert_error(response, 403, "FORBIDDEN")
    by_agent = await client.post("/api/v1/tags", json={"name": "x"}, headers=bearer.user(agent))
    assert by_agent.status_code == 201
