"""Custom field definitions through the internal API, and the values tickets carry."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory

TYPES = ["date", "datetime_local", "email", "number", "tel", "text", "textarea", "time", "url"]


async def test_a_custom_field_is_created_read_updated_and_deleted(api: Admin) -> None:
    created = await api.created(
        "/custom-fields",
        {"label": "Browser", "description": "Which one", "type": "text", "is_required": True},
    )
    assert {
        k: created[k]
        for k in ("label", "description", "type", "is_required", "status", "sort_order")
    } == {
        "label": "Browser",
        "description": "Which one",
        "type": "text",
        "is_required": True,
        "status": "published",
        "sort_order": 0,
    }
    assert await api.data(f"/custom-fields/{created['id']}") == created
    updated = (
        await api.put(f"/custom-fields/{created['id']}", {"type": "url", "is_required": False})
    ).json()["data"]
    assert updated["type"] == "url"
    assert updated["is_required"] is False
    assert (await api.delete(f"/custom-fields/{created['id']}")).status_code == 200
    assert (await api.get(f"/custom-fields/{created['id']}")).status_code == 404


@pytest.mark.parametrize("field_type", TYPES)
async def test_each_of_the_nine_types_is_accepted(api: Admin, field_type: str) -> None:
    assert (await api.created("/custom-fields", {"label": "F", "type": field_type}))[
        "type"
    ] == field_type


async def test_custom_fields_are_listed_by_sort_order(api: Admin, make: Factory) -> None:
    await make.custom_field("B", sort_order=2)
    await make.custom_field("A", sort_order=1)
    assert [f["label"] for f in await api.data("/custom-fields")] == ["A", "B"]


async def test_custom_field_validation(api: Admin) -> None:
    errors = errors_of(
        await api.post(
            "/custom-fields",
            {
                "description": "d" * 1001,
                "type": "color",
                "is_required": "?",
                "sort_order": -1,
                "status": "x",
            },
        )
    )
    assert set(errors) == {"label", "description", "type", "is_required", "sort_order", "status"}
    assert errors["type"] == ["The selected type is invalid."]
    assert errors_of(await api.post("/custom-fields", {"label": "F"})) == {
        "type": ["The type field is required."]
    }


VALUES: list[tuple[str, Any, Any]] = [
    # type, a good value (and how it is stored), a bad value
    ("date", ("2026-03-15", "2026-03-15"), "15/03/2026"),
    ("datetime_local", ("2026-03-15T10:30", "2026-03-15T10:30"), "2026-03-15 25:00"),
    ("email", ("a@example.test", "a@example.test"), "a@"),
    ("number", ("12.5", 12.5), "twelve"),
    ("tel", ("+1 (555) 123-4567", "+1 (555) 123-4567"), "call me"),
    ("text", ("Chrome 120", "Chrome 120"), "x" * 256),
    ("textarea", ("Long\ntext", "Long\ntext"), 42),
    ("time", ("10:30", "10:30"), "25:61"),
    ("url", ("https://example.test/a", "https://example.test/a"), "example.test"),
]


async def test_is_required_is_true_or_false_not_a_number(api: Admin) -> None:
    response = await api.post("/custom-fields", {"label": "OS", "type": "text", "is_required": 1})

    assert errors_of(response) == {"is_required": ["The is required field must be true or false."]}


@pytest.mark.parametrize(("field_type", "good", "bad"), VALUES)
async def test_ticket_values_are_checked_by_type(
    api: Admin, make: Factory, field_type: str, good: tuple[str, Any], bad: Any
) -> None:
    field = await make.custom_field("Field", field_type)
    customer = await make.user("customer")
    body = {"customer_id": customer.id, "title": "T", "content": "C"}
    refused = await api.post("/tickets", {**body, "custom_fields": {str(field.id): bad}})
    assert list(errors_of(refused)) == [f"custom_fields.{field.id}"]
    ticket = await api.created("/tickets", {**body, "custom_fields": {str(field.id): good[0]}})
    assert ticket["custom_fields"] == [
        {"id": field.id, "label": "Field", "type": field_type, "value": good[1]}
    ]


async def test_values_are_changed_one_by_one_and_emptied_away(api: Admin, make: Factory) -> None:
    browser = await make.custom_field("Browser", sort_order=1)
    order = await make.custom_field("Order", "number", sort_order=0)
    customer = await make.user("customer")
    ticket = await api.created(
        "/tickets",
        {
            "customer_id": customer.id,
            "title": "T",
            "content": "C",
            "custom_fields": {str(browser.id): "Chrome"},
        },
    )
    changed = (
        await api.put(f"/tickets/{ticket['id']}", {"custom_fields": {str(order.id): 7}})
    ).json()["data"]
    assert [(f["label"], f["value"]) for f in changed["custom_fields"]] == [
        ("Order", 7),
        ("Browser", "Chrome"),
    ]
    emptied = (
        await api.put(f"/tickets/{ticket['id']}", {"custom_fields": {str(browser.id): ""}})
    ).json()["data"]
    assert [f["label"] for f in emptied["custom_fields"]] == ["Order"]


async def test_a_deleted_definition_takes_its_values_out_of_view(api: Admin, make: Factory) -> None:
    field = await make.custom_field("Browser")
    customer = await make.user("customer")
    ticket = await api.created(
        "/tickets",
        {
            "customer_id": customer.id,
            "title": "T",
            "content": "C",
            "custom_fields": {str(field.id): "Chrome"},
        },
    )
    await api.delete(f"/custom-fields/{field.id}")
    assert (await api.data(f"/tickets/{ticket['id']}"))["custom_fields"] == []
