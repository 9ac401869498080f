"""Departments, categories and labels through the internal API."""

from __future__ import annotations

from typing import Any

from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory

# ------------------------------------------------------------------ departments


async def test_a_department_is_created_read_updated_and_deleted(api: Admin) -> None:
    created = await api.created(
        "/departments",
        {
            "name": "Technical Support",
            "description": "Bugs and errors",
            "email": "tech@example.test",
            "is_default": True,
            "status": "draft",
            "sort_order": 3,
        },
    )
    assert {k: created[k] for k in ("name", "description", "email", "is_default", "status")} == {
        "name": "Technical Support",
        "description": "Bugs and errors",
        "email": "tech@example.test",
        "is_default": True,
        "status": "draft",
    }
    assert created["sort_order"] == 3
    assert await api.data(f"/departments/{created['id']}") == created

    response = await api.put(f"/departments/{created['id']}", {"name": "Tech", "email": None})
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["name"] == "Tech"
    assert updated["email"] is None
    assert updated["description"] == "Bugs and errors"

    deleted = await api.delete(f"/departments/{created['id']}")
    assert deleted.status_code == 200
    assert (await api.get(f"/departments/{created['id']}")).status_code == 404


async def test_new_departments_are_published_and_first_by_default(api: Admin) -> None:
    created = await api.created("/departments", {"name": "Sales"})
    assert created["status"] == "published"
    assert created["sort_order"] == 0
    assert created["is_default"] is False


async def test_departments_are_listed_by_sort_order(api: Admin, make: Factory) -> None:
    await make.department("Zeta", sort_order=0)
    await make.department("Alpha", sort_order=2)
    await make.department("Beta", sort_order=1)
    response = await api.get("/departments")
    body = response.json()
    assert [d["name"] for d in body["data"]] == ["Zeta", "Beta", "Alpha"]
    assert body["meta"] == {"current_page": 1, "last_page": 1, "per_page": 15, "total": 3}


async def test_one_department_is_the_default(api: Admin) -> None:
    first = await api.created("/departments", {"name": "A", "is_default": True})
    await api.created("/departments", {"name": "B", "is_default": True})
    assert (await api.data(f"/departments/{first['id']}"))["is_default"] is False


async def test_department_validation(api: Admin) -> None:
    errors = errors_of(
        await api.post(
            "/departments",
            {
                "description": "x" * 1001,
                "email": "not-an-address",
                "is_default": "perhaps",
                "status": "archived",
                "sort_order": -1,
            },
        )
    )
    assert errors == {
        "name": ["The name field is required."],
        "description": ["The description field must not be greater than 1000 characters."],
        "email": ["The email field must be a valid email address."],
        "is_default": ["The is default field must be true or false."],
        "status": ["The selected status is invalid."],
        "sort_order": ["The sort order field must be at least 0."],
    }
    assert errors_of(await api.post("/departments", {"name": "x" * 251})) == {
        "name": ["The name field must not be greater than 250 characters."]
    }
    assert list(
        errors_of(
            await api.post("/departments", {"name": "x", "email": "a@" + "b" * 250 + ".test"})
        )
    ) == ["email"]


async def test_is_default_is_true_or_false_not_a_number(api: Admin) -> None:
    response = await api.post("/departments", {"name": "Sales", "is_default": 1})

    assert errors_of(response) == {"is_default": ["The is default field must be true or false."]}
    assert await api.data("/departments") == []


async def test_a_department_update_may_not_clear_its_name(api: Admin, make: Factory) -> None:
    department = await make.department("Sales")
    assert errors_of(await api.put(f"/departments/{department.id}", {"name": None})) == {
        "name": ["The name field is required."]
    }
    assert (await api.put("/departments/999", {"name": "X"})).status_code == 404


async def test_deleting_a_department_leaves_its_tickets_without_one(
    api: Admin, make: Factory
) -> None:
    customer = await make.user("customer")
    department = await make.department("Sales")
    ticket = await api.created(
        "/tickets",
        {"customer_id": customer.id, "title": "T", "content": "C", "department_id": department.id},
    )
    await api.delete(f"/departments/{department.id}")
    assert (await api.data(f"/tickets/{ticket['id']}"))["department"] is None


# ------------------------------------------------------------------ categories


async def test_a_category_tree_is_managed(api: Admin) -> None:
    parent = await api.created("/categories", {"name": "Billing", "sort_order": 1})
    child = await api.created(
        "/categories",
        {
            "name": "Refunds",
            "parent_id": parent["id"],
            "description": "Money back",
            "status": "draft",
        },
    )
    assert child["parent_id"] == parent["id"]
    assert child["status"] == "draft"
    assert await api.data(f"/categories/{child['id']}") == child

    updated = (
        await api.put(f"/categories/{child['id']}", {"parent_id": None, "status": "published"})
    ).json()["data"]
    assert updated["parent_id"] is None
    assert updated["status"] == "published"

    assert (await api.delete(f"/categories/{parent['id']}")).status_code == 200
    assert (await api.get(f"/categories/{parent['id']}")).status_code == 404


async def test_categories_are_listed_by_sort_order(api: Admin, make: Factory) -> None:
    await make.category("Zeta", sort_order=0)
    await make.category("Alpha", sort_order=1)
    assert [c["name"] for c in await api.data("/categories")] == ["Zeta", "Alpha"]


async def test_category_validation(api: Admin, make: Factory) -> None:
    errors = errors_of(
        await api.post(
            "/categories",
            {"description": "x" * 1001, "status": "old", "sort_order": -1, "parent_id": 0},
        )
    )
    assert set(errors) == {"name", "description", "status", "sort_order", "parent_id"}
    assert errors_of(await api.post("/categories", {"name": "A", "parent_id": 999})) == {
        "parent_id": ["The selected parent id is invalid."]
    }
    category = await make.category("A")
    assert list(
        errors_of(await api.put(f"/categories/{category.id}", {"parent_id": category.id}))
    ) == ["parent_id"]


# ------------------------------------------------------------------ labels


async def test_a_label_is_created_read_updated_and_deleted(api: Admin) -> None:
    created = await api.created("/labels", {"name": "Bug", "color": "#e74c3c", "sort_order": 2})
    assert {k: created[k] for k in ("name", "color", "status", "sort_order")} == {
        "name": "Bug",
        "color": "#e74c3c",
        "status": "published",
        "sort_order": 2,
    }
    assert await api.data(f"/labels/{created['id']}") == created
    updated = (
        await api.put(f"/labels/{created['id']}", {"color": "#FFF", "status": "draft"})
    ).json()["data"]
    assert updated["color"] == "#FFF"
    assert updated["status"] == "draft"
    assert updated["name"] == "Bug"
    assert (await api.delete(f"/labels/{created['id']}")).status_code == 200
    assert (await api.get(f"/labels/{created['id']}")).status_code == 404


async def test_labels_are_the_tickets_tags_everywhere(api: Admin, make: Factory) -> None:
    label = await api.created("/labels", {"name": "Urgent", "color": "#000000"})
    customer = await make.user("customer")
    ticket = await api.created(
        "/tickets", {"customer_id": customer.id, "title": "T", "content": "C"}
    )
    await api.put(f"/tickets/{ticket['id']}", {"labels": [label["id"]]})
    admin = await make.user("admin")
    portal = await api.client.get(f"/api/tickets/{ticket['id']}", headers=make.auth(admin))
    assert [tag["name"] for tag in portal.json()["ticket"]["tags"]] == ["Urgent"]


async def test_labels_are_listed_by_sort_order(api: Admin, make: Factory) -> None:
    await make.tag("zeta", sort_order=0)
    await make.tag("alpha", sort_order=5)
    assert [label["name"] for label in await api.data("/labels")] == ["zeta", "alpha"]


async def test_label_validation(api: Admin, make: Factory) -> None:
    errors: dict[str, Any] = errors_of(await api.post("/labels", {}))
    assert errors == {
        "name": ["The name field is required."],
        "color": ["The color field is required."],
    }
    for color in ("red", "#12345", "#GGGGGG", "e74c3c"):
        assert errors_of(await api.post("/labels", {"name": "A", "color": color})) == {
            "color": ["The color field must be a valid hex color."]
        }
    await make.tag("Bug")
    assert errors_of(await api.post("/labels", {"name": "bug", "color": "#000"})) == {
        "name": ["The name has already been taken."]
    }
    assert list(
        errors_of(
            await api.post(
                "/labels", {"name": "A", "color": "#000", "status": "x", "sort_order": -1}
            )
        )
    ) == ["status", "sort_order"]
