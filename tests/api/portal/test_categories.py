"""Categories in the portal: a tree everyone reads and admins arrange."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.models import Activity
from supportdesk.services.principal_cache import principals
from tests.factories import Factory
from tests.support import StatementCounter

ROLES = ("super_admin", "admin", "agent", "customer")
# "Manage categories" in the seed's Roles & Permissions table.
MAY_MANAGE = {"super_admin": True, "admin": True, "agent": False, "customer": False}


async def _admin_headers(make: Factory) -> dict[str, str]:
    return make.auth(await make.user("admin"))


async def _tree(client: AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/categories", headers=headers)
    assert response.status_code == 200, response.text
    categories: list[dict[str, Any]] = response.json()["categories"]
    return categories


def _names(nodes: list[dict[str, Any]]) -> list[Any]:
    """The tree as names: a leaf is its name, a parent a (name, [children]) pair."""
    return [(n["name"], _names(n["children"])) if n["children"] else n["name"] for n in nodes]


# ====================================================================== GET /api/categories


async def test_categories_are_listed_as_roots_with_their_children_nested(
    client: AsyncClient, make: Factory
) -> None:
    technical = await make.category("Technical Issue", color="#EF4444", description="Bugs")
    uploads = await make.category("Uploads", parent_id=technical.id)
    await make.category("Photos", parent_id=uploads.id)
    await make.category("Billing")
    customer = await make.user("customer")

    categories = await _tree(client, make.auth(customer))

    assert _names(categories) == ["Billing", ("Technical Issue", [("Uploads", ["Photos"])])]
    assert categories[1] == {
        "id": technical.id,
        "name": "Technical Issue",
        "color": "#EF4444",
        "description": "Bugs",
        "parent_id": None,
        "sort_order": 0,
        "children": [
            {
                "id": uploads.id,
                "name": "Uploads",
                "color": None,
                "description": None,
                "parent_id": technical.id,
                "sort_order": 0,
                "children": categories[1]["children"][0]["children"],
            }
        ],
    }


async def test_sibling_categories_are_ordered_by_sort_order_then_name(
    client: AsyncClient, make: Factory
) -> None:
    parent = await make.category("Account")
    await make.category("Zeta", sort_order=1, parent_id=parent.id)
    await make.category("Beta", sort_order=2, parent_id=parent.id)
    await make.category("Alpha", sort_order=2, parent_id=parent.id)
    await make.category("Last root", sort_order=5)
    await make.category("First root", sort_order=0)

    categories = await _tree(client, await _admin_headers(make))

    assert _names(categories) == [
        ("Account", ["Zeta", "Alpha", "Beta"]),
        "First root",
        "Last root",
    ]


async def test_an_empty_hub_has_no_categories(client: AsyncClient, make: Factory) -> None:
    assert await _tree(client, await _admin_headers(make)) == []


async def _tree_cost(
    client: AsyncClient, statements: StatementCounter, headers: dict[str, str]
) -> int:
    principals.clear()  # every count includes resolving the token, as a first request's
    statements.start()
    await _tree(client, headers)
    return statements.stop()


async def test_the_category_tree_costs_the_same_statements_whatever_its_size(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    headers = await _admin_headers(make)
    root = await make.category("Root")
    cost_of_one = await _tree_cost(client, statements, headers)

    parent_id = root.id
    for n in range(30):
        child = await make.category(f"Level {n}", parent_id=parent_id)
        parent_id = child.id if n % 2 else root.id
    cost_of_many = await _tree_cost(client, statements, headers)

    assert cost_of_many == cost_of_one


# ====================================================================== POST /api/categories


async def test_an_admin_creates_a_category(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)
    body = {
        "name": "Technical Issue",
        "color": "#ef4444",
        "description": "Anything broken",
        "sort_order": 3,
    }

    response = await client.post("/api/categories", json=body, headers=headers)

    assert response.status_code == 201, response.text
    category = response.json()["category"]
    assert category == {
        "id": category["id"],
        "name": "Technical Issue",
        "color": "#EF4444",
        "description": "Anything broken",
        "parent_id": None,
        "sort_order": 3,
    }
    assert [c["id"] for c in await _tree(client, headers)] == [category["id"]]


async def test_a_category_created_under_a_parent_is_nested_in_it(
    client: AsyncClient, make: Factory
) -> None:
    headers = await _admin_headers(make)
    parent = await make.category("Technical Issue")

    response = await client.post(
        "/api/categories", json={"name": "Uploads", "parent_id": parent.id}, headers=headers
    )

    assert response.status_code == 201, response.text
    assert _names(await _tree(client, headers)) == [("Technical Issue", ["Uploads"])]


async def test_creating_a_category_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")

    response = await client.post(
        "/api/categories", json={"name": "Billing"}, headers=make.auth(admin)
    )

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id, activity.ticket_id) == (
        "category.created",
        admin.id,
        None,
    )
    assert activity.changes == {"category_id": response.json()["category"]["id"]}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "name", "The name field is required."),
        ({"name": "   "}, "name", "The name field is required."),
        ({"name": "x" * 256}, "name", "The name field must not be greater than 255 characters."),
        ({"name": "A", "color": "red"}, "color", "The color field must be a hex color"),
        ({"name": "A", "color": "#12345"}, "color", "The color field must be a hex color"),
        ({"name": "A", "color": "#GGGGGG"}, "color", "The color field must be a hex color"),
        ({"name": "A", "sort_order": -1}, "sort_order", "The sort order field must be at least 0."),
        ({"name": "A", "sort_order": "first"}, "sort_order", "must be an integer"),
        ({"name": "A", "parent_id": 0}, "parent_id", "The parent id field must be at least 1."),
        ({"name": "A", "parent_id": 999}, "parent_id", "The selected parent id is invalid."),
    ],
)
async def test_an_invalid_category_is_refused_with_the_field_at_fault(
    client: AsyncClient, make: Factory, body: dict[str, Any], field: str, message: str
) -> None:
    headers = await _admin_headers(make)

    response = await client.post("/api/categories", json=body, headers=headers)

    assert response.status_code == 422, response.text
    assert response.json()["error"] == "Validation failed."
    assert message in response.json()["details"][field][0]
    assert await _tree(client, headers) == []


# ====================================================================== PUT /api/categories/{id}


async def test_updating_a_category_changes_only_the_fields_sent(
    client: AsyncClient, make: Factory
) -> None:
    category = await make.category("Billing", color="#111111", description="Money", sort_order=2)

    response = await client.put(
        f"/api/categories/{category.id}",
        json={"color": "#222222", "description": None},
        headers=await _admin_headers(make),
    )

    assert response.status_code == 200, response.text
    assert response.json()["category"] == {
        "id": category.id,
        "name": "Billing",
        "color": "#222222",
        "description": None,
        "parent_id": None,
        "sort_order": 2,
    }


async def test_updating_a_category_records_what_changed_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    category = await make.category("Billing", color="#111111")

    await client.put(
        f"/api/categories/{category.id}",
        json={"name": "Payments", "color": "#111111"},
        headers=make.auth(admin),
    )

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("category.updated", admin.id)
    assert activity.changes == {"category_id": category.id, "name": ["Billing", "Payments"]}


async def test_a_category_can_be_moved_under_another_and_back_to_the_root(
    client: AsyncClient, make: Factory
) -> None:
    headers = await _admin_headers(make)
    account = await make.category("Account")
    billing = await make.category("Billing")

    moved = await client.put(
        f"/api/categories/{billing.id}", json={"parent_id": account.id}, headers=headers
    )
    tree_after_move = _names(await _tree(client, headers))
    back = await client.put(
        f"/api/categories/{billing.id}", json={"parent_id": None}, headers=headers
    )

    assert moved.status_code == 200, moved.text
    assert tree_after_move == [("Account", ["Billing"])]
    assert back.status_code == 200, back.text
    assert _names(await _tree(client, headers)) == ["Account", "Billing"]


async def test_a_category_cannot_be_its_own_parent(client: AsyncClient, make: Factory) -> None:
    category = await make.category("Billing")

    response = await client.put(
        f"/api/categories/{category.id}",
        json={"parent_id": category.id},
        headers=await _admin_headers(make),
    )

    assert response.status_code == 422, response.text
    assert response.json()["details"] == {"parent_id": ["A category cannot be its own parent."]}


async def test_a_category_cannot_be_moved_under_its_own_descendant(
    client: AsyncClient, make: Factory
) -> None:
    headers = await _admin_headers(make)
    top = await make.category("Top")
    middle = await make.category("Middle", parent_id=top.id)
    bottom = await make.category("Bottom", parent_id=middle.id)

    response = await client.put(
        f"/api/categories/{top.id}", json={"parent_id": bottom.id}, headers=headers
    )

    assert response.status_code == 422, response.text
    assert response.json()["details"] == {
        "parent_id": ["A category cannot be moved under one of its own subcategories."]
    }
    assert _names(await _tree(client, headers)) == [("Top", [("Middle", ["Bottom"])])]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": None}, "name", "The name field is required."),
        ({"name": ""}, "name", "The name field is required."),
        ({"sort_order": None}, "sort_order", "The sort order field is required."),
        ({"color": "#12"}, "color", "The color field must be a hex color such as #EF4444."),
        ({"parent_id": 999}, "parent_id", "The selected parent id is invalid."),
    ],
)
async def test_an_invalid_category_update_is_refused_and_changes_nothing(
    client: AsyncClient, make: Factory, body: dict[str, Any], field: str, message: str
) -> None:
    headers = await _admin_headers(make)
    category = await make.category("Billing", color="#111111")

    response = await client.put(f"/api/categories/{category.id}", json=body, headers=headers)

    assert response.status_code == 422, response.text
    assert response.json()["details"] == {field: [message]}
    [unchanged] = await _tree(client, headers)
    assert (unchanged["name"], unchanged["color"], unchanged["sort_order"]) == (
        "Billing",
        "#111111",
        0,
    )


# ====================================================================== DELETE /api/categories/{id}


async def test_deleting_a_category_makes_its_children_roots(
    client: AsyncClient, make: Factory
) -> None:
    headers = await _admin_headers(make)
    technical = await make.category("Technical Issue")
    uploads = await make.category("Uploads", parent_id=technical.id)
    await make.category("Photos", parent_id=uploads.id)

    response = await client.delete(f"/api/categories/{technical.id}", headers=headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Category deleted"}
    categories = await _tree(client, headers)
    assert _names(categories) == [("Uploads", ["Photos"])]
    assert categories[0]["parent_id"] is None


async def test_deleting_a_category_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    category = await make.category("Billing")

    await client.delete(f"/api/categories/{category.id}", headers=make.auth(admin))

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("category.deleted", admin.id)
    assert activity.changes == {"category_id": category.id, "name": "Billing"}


async def test_a_ticket_of_a_deleted_category_becomes_uncategorised(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    headers = make.auth(admin)
    category = await make.category("Billing")
    ticket = await make.ticket(by=admin, category_id=category.id)

    await client.delete(f"/api/categories/{category.id}", headers=headers)

    response = await client.get(f"/api/tickets/{ticket.id}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["ticket"]["category"] is None


# ====================================================================== who may do what


WRITES = [
    ("POST", "/api/categories", {"name": "Refunds"}, 201),
    ("PUT", "/api/categories/{id}", {"name": "Renamed"}, 200),
    ("DELETE", "/api/categories/{id}", None, 200),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "success"), WRITES)
async def test_each_role_may_manage_categories_as_the_seed_table_says(
    client: AsyncClient,
    make: Factory,
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    success: int,
) -> None:
    category = await make.category("Billing")
    actor = await make.user(role, projects=[1] if role == "agent" else [])
    before = await _tree(client, await _admin_headers(make))

    response = await client.request(
        method, path.format(id=category.id), json=body, headers=make.auth(actor)
    )

    if MAY_MANAGE[role]:
        assert response.status_code == success, response.text
    else:
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}
        assert await _tree(client, await _admin_headers(make)) == before


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_may_read_the_categories(
    client: AsyncClient, make: Factory, role: str
) -> None:
    await make.category("Billing")
    actor = await make.user(role)

    assert _names(await _tree(client, make.auth(actor))) == ["Billing"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/categories"),
        ("POST", "/api/categories"),
        ("PUT", "/api/categories/1"),
        ("DELETE", "/api/categories/1"),
    ],
)
async def test_categories_need_a_token(client: AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={"name": "Billing"})

    assert response.status_code == 401, response.text
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(("method", "body"), [("PUT", {"name": "Renamed"}), ("DELETE", None)])
async def test_an_unknown_category_is_404(
    client: AsyncClient, make: Factory, method: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(
        method, "/api/categories/999", json=body, headers=await _admin_headers(make)
    )

    assert response.status_code == 404, response.text
    assert response.json() == {"error": "Category not found."}
