"""POST /api/external/tickets: a connected project opens a ticket for one of its users."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.core.enums import Role, TicketSource
from supportdesk.models import Activity, OutboxEvent, Ticket, User
from tests.api.project.conftest import Connected, Connector, open_ticket, ticket_body
from tests.factories import Factory
from tests.support import FrozenClock

URL = "/api/external/tickets"


async def _ticket(database: Database, ticket_number: str) -> Ticket:
    async with database.transaction() as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.ticket_number == ticket_number))
    assert ticket is not None
    return ticket


async def _user(database: Database, email: str) -> User | None:
    async with database.transaction() as session:
        return await session.scalar(select(User).where(User.email == email))


async def test_creating_a_ticket_answers_as_the_reference_shows(
    client: AsyncClient, naija: Connected, frozen_clock: FrozenClock
) -> None:
    response = await client.post(URL, json=ticket_body(), headers=naija.headers)

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "ticket_number": "NAIJ-2026-00001",
        "ticket_id": body["ticket_id"],
        "status": "open",
        "priority": "high",
        "created_at": "2026-03-02T09:00:00Z",
    }
    assert isinstance(body["ticket_id"], int)


async def test_ticket_numbers_count_up_in_the_keys_project(
    client: AsyncClient, naija: Connected, frozen_clock: FrozenClock
) -> None:
    first = await open_ticket(client, naija)
    second = await open_ticket(client, naija)

    assert first["ticket_number"] == "NAIJ-2026-00001"
    assert second["ticket_number"] == "NAIJ-2026-00002"


async def test_the_ticket_belongs_to_the_keys_project_whatever_the_body_says(
    client: AsyncClient, naija: Connected, connect: Connector, database: Database
) -> None:
    other = await connect("ShopRite", "SHOP")

    created = await open_ticket(client, naija, project_id=other.project.id)

    ticket = await _ticket(database, created["ticket_number"])
    assert ticket.project_id == naija.project.id
    assert created["ticket_number"].startswith("NAIJ-")


async def test_the_ticket_keeps_what_the_project_sent(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija, customer_phone="+234 801 234 5678")

    ticket = await _ticket(database, created["ticket_number"])
    assert ticket.source is TicketSource.API
    assert ticket.subject == "Cannot upload property photos"
    assert ticket.description == "Upload button does nothing on Chrome..."
    assert ticket.customer_name == "Tunde Adeyemi"
    assert ticket.customer_email == "tunde@gmail.test"
    assert ticket.customer_phone == "+234 801 234 5678"
    assert ticket.external_customer_id == "USR-98231"
    assert ticket.meta == {"listing_id": "LST-00421", "browser": "Chrome 124", "platform": "web"}


async def test_a_numeric_customer_id_is_kept_as_text(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija, customer_id=98231)

    ticket = await _ticket(database, created["ticket_number"])
    assert ticket.external_customer_id == "98231"


async def test_the_customer_id_is_optional(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    body = ticket_body()
    del body["customer_id"]

    response = await client.post(URL, json=body, headers=naija.headers)

    assert response.status_code == 201
    ticket = await _ticket(database, response.json()["ticket_number"])
    assert ticket.external_customer_id is None


async def test_a_new_email_creates_a_customer_without_a_password(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija, customer_phone="+234 801")

    customer = await _user(database, "tunde@gmail.test")
    assert customer is not None
    assert customer.name == "Tunde Adeyemi"
    assert customer.role is Role.CUSTOMER
    assert customer.password_hash is None
    assert customer.phone == "+234 801"
    ticket = await _ticket(database, created["ticket_number"])
    assert ticket.customer_id == customer.id
    assert ticket.creator_id == customer.id


async def test_a_known_email_reuses_the_customer_whatever_its_case(
    client: AsyncClient, naija: Connected, make: Factory, database: Database
) -> None:
    known = await make.user("customer", name="Tunde A.", email="tunde@gmail.test")

    created = await open_ticket(client, naija, customer_email="Tunde@Gmail.test")

    ticket = await _ticket(database, created["ticket_number"])
    assert ticket.customer_id == known.id
    async with database.transaction() as session:
        accounts = (await session.scalars(select(User).where(User.role == Role.CUSTOMER))).all()
    assert [account.id for account in accounts] == [known.id]
    # The hub's account is not renamed by what a project sends.
    assert accounts[0].name == "Tunde A."


async def test_the_customer_sees_the_ticket_in_the_portal_once_they_log_in(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    known = await make.user("customer", email="tunde@gmail.test")
    created = await open_ticket(client, naija)

    response = await client.get("/api/tickets", headers=make.auth(known))

    assert [row["ticket_number"] for row in response.json()["data"]] == [created["ticket_number"]]


async def test_an_address_of_a_deleted_account_still_opens_a_ticket(
    client: AsyncClient,
    naija: Connected,
    make: Factory,
    database: Database,
    frozen_clock: FrozenClock,
) -> None:
    await make.user("customer", email="tunde@gmail.test", deleted_at=frozen_clock.current)

    created = await open_ticket(client, naija)

    ticket = await _ticket(database, created["ticket_number"])
    assert ticket.customer_id is None
    assert ticket.customer_email == "tunde@gmail.test"


async def test_a_ticket_without_a_priority_gets_medium(
    client: AsyncClient, naija: Connected
) -> None:
    body = ticket_body()
    del body["priority"]

    response = await client.post(URL, json=body, headers=naija.headers)

    assert response.json()["priority"] == "medium"


async def test_a_category_from_the_shared_list_is_kept(
    client: AsyncClient, naija: Connected, make: Factory, database: Database
) -> None:
    category = await make.category("Billing")

    created = await open_ticket(client, naija, category_id=category.id)

    ticket = await _ticket(database, created["ticket_number"])
    assert ticket.category_id == category.id


async def test_creating_a_ticket_records_the_key_and_queues_an_event(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija)

    async with database.transaction() as session:
        activity = await session.scalar(
            select(Activity).where(Activity.ticket_id == created["ticket_id"])
        )
        events = (await session.scalars(select(OutboxEvent))).all()
    assert activity is not None
    assert activity.action == "created"
    assert activity.api_key_id == naija.key.api_key.id
    assert activity.user_id is None
    assert activity.ip_address == "127.0.0.1"
    # The project's end user is new to the hub: their account is an event of its own.
    assert [event.event_type for event in events] == ["customer.created", "ticket.created"]
    assert events[1].payload["ticket_number"] == created["ticket_number"]


async def test_a_project_sla_policy_sets_the_due_dates(
    client: AsyncClient, naija: Connected, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    created = await open_ticket(client, naija, priority="critical")

    response = await client.get(f"/api/tickets/{created['ticket_id']}", headers=make.auth(admin))

    ticket = response.json()["ticket"]
    assert ticket["first_response_due_at"] == "2026-03-02T09:15:00Z"
    assert ticket["resolution_due_at"] == "2026-03-02T11:00:00Z"


# ---------------------------------------------------------------------- validation


async def test_an_empty_body_names_every_required_field(
    client: AsyncClient, naija: Connected
) -> None:
    response = await client.post(URL, json={}, headers=naija.headers)

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {
            "customer_name": ["The customer name field is required."],
            "customer_email": ["The customer email field is required."],
            "subject": ["The subject field is required."],
            "description": ["The description field is required."],
        },
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"subject": "x" * 256},
            "subject",
            "The subject field must not be greater than 255 characters.",
        ),
        ({"subject": "   "}, "subject", "The subject field is required."),
        ({"description": ""}, "description", "The description field is required."),
        ({"customer_name": ""}, "customer_name", "The customer name field is required."),
        (
            {"customer_email": "not-an-email"},
            "customer_email",
            "The customer email field must be a valid email address.",
        ),
        ({"priority": "urgent"}, "priority", "The selected priority is invalid."),
        ({"category_id": "abc"}, "category_id", "The category id field must be an integer."),
        ({"category_id": 0}, "category_id", "The category id field must be at least 1."),
        ({"metadata": ["listing", 421]}, "metadata", "The metadata field must be an object."),
        (
            {"customer_phone": "1" * 51},
            "customer_phone",
            "The customer phone field must not be greater than 50 characters.",
        ),
        (
            {"customer_id": "u" * 256},
            "customer_id",
            "The customer id field must not be greater than 255 characters.",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "",
)
async def test_invalid_fields_are_refused_by_name(
    client: AsyncClient, naija: Connected, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = await client.post(URL, json=ticket_body(**overrides), headers=naija.headers)

    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed.", "details": {field: [message]}}


@pytest.mark.parametrize("customer_id", [True, 4.2, ["USR-1"], {"id": 1}])
async def test_a_customer_id_must_be_text_or_a_whole_number(
    client: AsyncClient, naija: Connected, customer_id: Any
) -> None:
    response = await client.post(
        URL, json=ticket_body(customer_id=customer_id), headers=naija.headers
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["customer_id"]


async def test_an_unknown_category_is_refused(client: AsyncClient, naija: Connected) -> None:
    response = await client.post(URL, json=ticket_body(category_id=999), headers=naija.headers)

    assert response.status_code == 422
    assert response.json()["details"] == {"category_id": ["The selected category id is invalid."]}


async def test_a_body_that_is_not_json_is_refused(client: AsyncClient, naija: Connected) -> None:
    response = await client.post(URL, content=b"{not json", headers=naija.headers)

    assert response.status_code == 422
    assert response.json()["details"] == {"body": ["The request body is not valid JSON."]}


async def test_a_body_that_is_not_an_object_is_refused(
    client: AsyncClient, naija: Connected
) -> None:
    response = await client.post(URL, json=["subject"], headers=naija.headers)

    assert response.status_code == 422
    assert "body" in response.json()["details"]


async def test_a_refused_ticket_creates_no_customer(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    response = await client.post(URL, json=ticket_body(category_id=999), headers=naija.headers)

    assert response.status_code == 422
    assert await _user(database, "tunde@gmail.test") is None


async def test_concurrent_tickets_for_a_new_customer_share_one_account(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    # Marks the key used: the requests below then share no row lock before the customer's.
    await client.get("/api/external/ping", headers=naija.headers)

    responses = await asyncio.gather(
        *(
            client.post(URL, json=ticket_body(subject=f"Ticket {n}"), headers=naija.headers)
            for n in range(4)
        )
    )

    assert [response.status_code for response in responses] == [201] * 4
    async with database.transaction() as session:
        customers = (await session.scalars(select(User).where(User.role == Role.CUSTOMER))).all()
        owners = set((await session.scalars(select(Ticket.customer_id))).all())
    assert len(customers) == 1
    assert owners == {customers[0].id}
    numbers = sorted(response.json()["ticket_number"] for response in responses)
    assert numbers == [f"NAIJ-{responses[0].json()['created_at'][:4]}-0000{n}" for n in range(1, 5)]
