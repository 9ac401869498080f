"""POST /api/tickets_create.php: a ticket for the customer ``user_email`` names."""

from __future__ import annotations

import re

from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import User
from supportdesk.services.api_keys import IssuedKey
from tests.api.legacy.conftest import bearer, create, created_id
from tests.factories import Factory

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


async def _customers(database: Database, email: str) -> list[User]:
    async with database.transaction() as session:
        return list((await session.scalars(select(User).where(User.email == email))).all())


async def _view(client: AsyncClient, key: IssuedKey, ticket_id: int, email: str) -> dict:
    response = await client.get(
        "/api/ticket_view.php",
        params={"ticket_id": ticket_id, "user_email": email},
        headers=bearer(key),
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_the_first_ticket_creates_the_customer_with_name_and_company(
    client: AsyncClient, key: IssuedKey, database: Database
) -> None:
    await created_id(
        client, key, user_email="Ada@Example.com", name="Ada Obi", company="Obi Logistics"
    )

    [customer] = await _customers(database, "ada@example.com")
    assert customer.role is Role.CUSTOMER
    assert (customer.name, customer.company) == ("Ada Obi", "Obi Logistics")
    assert customer.password_hash is None


async def test_later_tickets_reuse_the_customer_as_it_is(
    client: AsyncClient, key: IssuedKey, database: Database
) -> None:
    await created_id(client, key, user_email="ada@example.com", name="Ada Obi")
    await created_id(client, key, user_email="ada@example.com", name="Somebody Else")

    [customer] = await _customers(database, "ada@example.com")
    assert customer.name == "Ada Obi"


async def test_a_ticket_keeps_what_was_sent(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    category = await make.category("Billing")
    ticket_id = await created_id(
        client,
        key,
        subject="Charged twice",
        message="My card was charged twice.",
        user_email="ada@example.com",
        name="Ada Obi",
        priority="high",
        category_id=str(category.id),
    )

    ticket = (await _view(client, key, ticket_id, "ada@example.com"))["ticket"]
    assert ticket["subject"] == "Charged twice"
    assert ticket["message"] == "My card was charged twice."
    assert ticket["priority"] == "high"
    assert ticket["status"] == "open"
    assert ticket["category_id"] == category.id
    assert ticket["user_email"] == "ada@example.com"
    assert ticket["name"] == "Ada Obi"
    assert TIMESTAMP.match(ticket["created_at"]) and TIMESTAMP.match(ticket["updated_at"])


async def test_parameters_may_come_as_json(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    field = await make.custom_field("Order Number", "text", is_required=True)
    response = await client.post(
        "/api/tickets_create.php",
        headers=bearer(key),
        json={
            "subject": "Test Ticket",
            "message": "This is a test.",
            "user_email": "user@example.com",
            "custom_fields": {str(field.id): "12345"},
        },
    )

    assert response.status_code == 200, response.text
    view = await _view(client, key, response.json()["ticket_id"], "user@example.com")
    assert view["custom_fields"][str(field.id)]["value"] == "12345"


async def test_parameters_may_come_as_multipart_form_data(
    client: AsyncClient, key: IssuedKey
) -> None:
    response = await client.post(
        "/api/tickets_create.php",
        headers=bearer(key),
        files={
            "subject": (None, "Test Ticket"),
            "message": (None, "This is a test."),
            "user_email": (None, "user@example.com"),
        },
    )

    assert response.status_code == 200, response.text


async def test_custom_fields_may_come_as_bracketed_form_fields(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    field = await make.custom_field("Order Number", "number")
    response = await client.post(
        "/api/tickets_create.php",
        headers=bearer(key),
        data={
            "subject": "Test Ticket",
            "message": "This is a test.",
            "user_email": "user@example.com",
            f"custom_fields[{field.id}]": "42",
        },
    )

    assert response.status_code == 200, response.text
    view = await _view(client, key, response.json()["ticket_id"], "user@example.com")
    assert view["custom_fields"][str(field.id)]["value"] == "42"


async def test_a_missing_required_custom_field_gets_the_documented_body(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    field = await make.custom_field("Order Number", "text", is_required=True)
    await make.custom_field("Gift wrap", "text")

    response = await create(client, key)

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "Missing required custom fields",
        "custom_field_errors": {str(field.id): "This field is required."},
    }
    listed = await client.get(
        "/api/tickets_list.php", params={"user_email": "user@example.com"}, headers=bearer(key)
    )
    assert listed.json()["tickets"] == []


async def test_a_blank_required_custom_field_is_missing(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    field = await make.custom_field("Order Number", "text", is_required=True)

    response = await create(client, key, custom_fields={str(field.id): "  "})

    assert response.status_code == 422
    assert response.json()["custom_field_errors"] == {str(field.id): "This field is required."}


async def test_an_unknown_custom_field_is_refused(client: AsyncClient, key: IssuedKey) -> None:
    response = await create(client, key, custom_fields={"999": "x"})

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "Invalid custom fields",
        "custom_field_errors": {"999": "The selected custom field is invalid."},
    }


async def test_a_custom_field_value_of_the_wrong_type_is_refused(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    field = await make.custom_field("Quantity", "number")

    response = await create(client, key, custom_fields={str(field.id): "many"})

    assert response.status_code == 422
    assert response.json()["error"] == "Invalid custom fields"
    assert response.json()["custom_field_errors"] == {
        str(field.id): "The Quantity field must be a number."
    }


async def test_custom_fields_that_are_not_a_json_object_are_refused(
    client: AsyncClient, key: IssuedKey
) -> None:
    response = await create(client, key, custom_fields="[1, 2]")

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "The custom fields field must be a JSON object.",
    }


async def test_subject_message_and_user_email_are_required(
    client: AsyncClient, key: IssuedKey
) -> None:
    response = await client.post("/api/tickets_create.php", headers=bearer(key), data={})

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "The subject field is required. The message field is required. "
        "The user email field is required.",
    }


async def test_an_invalid_email_is_refused(client: AsyncClient, key: IssuedKey) -> None:
    response = await create(client, key, user_email="not-an-address")

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "The user email field must be a valid email address.",
    }


async def test_priority_is_low_medium_or_high(client: AsyncClient, key: IssuedKey) -> None:
    response = await create(client, key, priority="critical")

    assert response.status_code == 422
    assert response.json() == {"success": False, "error": "The selected priority is invalid."}


async def test_an_unknown_category_is_refused(client: AsyncClient, key: IssuedKey) -> None:
    response = await create(client, key, category_id="999")

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "The selected category id is invalid.",
    }


async def test_a_staff_address_cannot_be_a_customer(
    client: AsyncClient, key: IssuedKey, make: Factory
) -> None:
    agent = await make.user(Role.AGENT)

    response = await create(client, key, user_email=agent.email)

    assert response.status_code == 422
    assert response.json()["success"] is False


async def test_a_malformed_json_body_is_refused(client: AsyncClient, key: IssuedKey) -> None:
    response = await client.post(
        "/api/tickets_create.php",
        headers={**bearer(key), "Content-Type": "application/json"},
        content=b"{not json",
    )

    assert response.status_code == 422
    assert response.json() == {"success": False, "error": "The request body is not valid JSON."}


async def test_attachments_are_not_taken(client: AsyncClient, key: IssuedKey) -> None:
    response = await client.post(
        "/api/tickets_create.php",
        headers=bearer(key),
        data={"subject": "S", "message": "M", "user_email": "user@example.com"},
        files={"attachment": ("a.txt", b"hello", "text/plain")},
    )

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "Attachments are not supported via the API.",
    }
