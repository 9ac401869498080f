"""Tags in the portal: everyone reads them, staff add them, admins remove them."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.models import Activity
from tests.factories import Factory

ROLES = ("super_admin", "admin", "agent", "customer")
# The reference: configuration writes are for admins and agents; deleting a tag (which
# strips it from every ticket) is an admin's, like the rest of the taxonomy.
MAY_CREATE = {"super_admin": True, "admin": True, "agent": True, "customer": False}
MAY_DELETE = {"super_admin": True, "admin": True, "agent": False, "customer": False}


async def _admin_headers(make: Factory) -> dict[str, str]:
    return make.auth(await make.user("admin"))


async def _names(client: AsyncClient, headers: dict[str, str]) -> list[str]:
    response = await client.get("/api/tags", headers=headers)
    assert response.status_code == 200, response.text
    return [tag["name"] for tag in response.json()["tags"]]


# ====================================================================== GET /api/tags


async def test_tags_are_listed_in_order_with_their_colors(
    client: AsyncClient, make: Factory
) -> None:
    urgent = await make.tag("urgent", color="#EF4444", sort_order=0)
    await make.tag("vip", sort_order=1)
    await make.tag("billing", sort_order=1)
    customer = await make.user("customer")

    response = await client.get("/api/tags", headers=make.auth(customer))

    assert response.status_code == 200, response.text
    tags = response.json()["tags"]
    assert tags[0] == {"id": urgent.id, "name": "urgent", "color": "#EF4444"}
    assert [tag["name"] for tag in tags] == ["urgent", "billing", "vip"]


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_may_read_the_tags(client: AsyncClient, make: Factory, role: str) -> None:
    await make.tag("urgent")
    actor = await make.user(role)

    assert await _names(client, make.auth(actor)) == ["urgent"]


# ====================================================================== POST /api/tags


async def test_a_tag_is_created_with_its_color(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)

    response = await client.post(
        "/api/tags", json={"name": "Urgent", "color": "#ef4444"}, headers=headers
    )

    assert response.status_code == 201, response.text
    tag = response.json()["tag"]
    assert tag == {"id": tag["id"], "name": "Urgent", "color": "#EF4444"}
    assert await _names(client, headers) == ["Urgent"]


async def test_a_tag_takes_a_short_hex_color(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")

    response = await client.post(
        "/api/tags", json={"name": "Urgent", "color": "#e44"}, headers=make.auth(admin)
    )

    assert response.status_code == 201, response.text
    assert response.json()["tag"]["color"] == "#E44"


async def test_a_tag_needs_no_color(client: AsyncClient, make: Factory) -> None:
    response = await client.post(
        "/api/tags", json={"name": "vip"}, headers=await _admin_headers(make)
    )

    assert response.status_code == 201, response.text
    assert response.json()["tag"]["color"] is None


async def test_creating_a_tag_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")

    response = await client.post("/api/tags", json={"name": "vip"}, headers=make.auth(agent))

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("tag.created", agent.id)
    assert activity.changes == {"tag_id": response.json()["tag"]["id"]}


@pytest.mark.parametrize("name", ["urgent", "URGENT", "Urgent", "  urgent  "])
async def test_a_tag_name_is_taken_whatever_its_letter_case(
    client: AsyncClient, make: Factory, name: str
) -> None:
    await make.tag("Urgent")
    headers = await _admin_headers(make)

    response = await client.post("/api/tags", json={"name": name}, headers=headers)

    assert response.status_code == 422, response.text
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"name": ["The name has already been taken."]},
    }
    assert await _names(client, headers) == ["Urgent"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "name", "The name field is required."),
        ({"name": ""}, "name", "The name field is required."),
        ({"name": "x" * 256}, "name", "The name field must not be greater than 255 characters."),
        (
            {"name": "a", "color": "blue"},
            "color",
            "The color field must be a hex color such as #EF4444.",
        ),
        (
            {"name": "a", "color": "#1234567"},
            "color",
            "The color field must be a hex color such as #EF4444.",
        ),
        ({"name": "a", "color": 123}, "color", "The color field must be a string."),
    ],
)
async def test_an_invalid_tag_is_refused_with_the_field_at_fault(
    client: AsyncClient, make: Factory, body: dict[str, Any], field: str, message: str
) -> None:
    headers = await _admin_headers(make)

    response = await client.post("/api/tags", json=body, headers=headers)

    assert response.status_code == 422, response.text
    assert response.json() == {"error": "Validation failed.", "details": {field: [message]}}
    assert await _names(client, headers) == []


# ====================================================================== DELETE /api/tags/{id}


async def test_deleting_a_tag_removes_it(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)
    tag = await make.tag("obsolete")
    await make.tag("kept")

    response = await client.delete(f"/api/tags/{tag.id}", headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Tag deleted"}
    assert await _names(client, headers) == ["kept"]


async def test_a_deleted_tag_disappears_from_its_tickets(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    headers = make.auth(admin)
    obsolete = await make.tag("obsolete")
    kept = await make.tag("kept")
    ticket = await make.ticket(by=admin, tag_ids=[obsolete.id, kept.id])

    await client.delete(f"/api/tags/{obsolete.id}", headers=headers)

    response = await client.get(f"/api/tickets/{ticket.id}", headers=headers)
    assert [tag["name"] for tag in response.json()["ticket"]["tags"]] == ["kept"]


async def test_deleting_a_tag_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    tag = await make.tag("obsolete")

    await client.delete(f"/api/tags/{tag.id}", headers=make.auth(admin))

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("tag.deleted", admin.id)
    assert activity.changes == {"tag_id": tag.id, "name": "obsolete"}


async def test_an_unknown_tag_is_404(client: AsyncClient, make: Factory) -> None:
    response = await client.delete("/api/tags/999", headers=await _admin_headers(make))

    assert response.status_code == 404, response.text
    assert response.json() == {"error": "Tag not found."}


# ====================================================================== who may do what


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_may_create_tags_as_the_reference_says(
    client: AsyncClient, make: Factory, role: str
) -> None:
    actor = await make.user(role, projects=[1] if role == "agent" else [])

    response = await client.post("/api/tags", json={"name": "new"}, headers=make.auth(actor))

    if MAY_CREATE[role]:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}
        assert await _names(client, await _admin_headers(make)) == []


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_may_delete_tags_as_the_reference_says(
    client: AsyncClient, make: Factory, role: str
) -> None:
    tag = await make.tag("obsolete")
    actor = await make.user(role, projects=[1] if role == "agent" else [])

    response = await client.delete(f"/api/tags/{tag.id}", headers=make.auth(actor))

    if MAY_DELETE[role]:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}
        assert await _names(client, await _admin_headers(make)) == ["obsolete"]


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/tags"), ("POST", "/api/tags"), ("DELETE", "/api/tags/1")]
)
async def test_tags_need_a_token(client: AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={"name": "vip"})

    assert response.status_code == 401, response.text
    assert set(response.json()) == {"error"}
