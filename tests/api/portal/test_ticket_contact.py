"""Whose address a new ticket keeps: staff replies are e-mailed to it, so a customer opens
tickets as themselves only, while staff and keys may open them for anyone."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.core.errors import ValidationFailed
from supportdesk.models import Ticket
from tests.factories import Factory

VICTIM = "victim@example.org"
NOT_YOURS = {
    "error": "Validation failed.",
    "details": {"customer_email": ["The customer email must be your own email address."]},
}


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "project_id": 1,
        "subject": "Cannot upload photos",
        "description": "The upload button does nothing on Chrome.",
        **overrides,
    }


async def _tickets(database: Database) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(Ticket)) or 0)


async def test_a_customer_naming_another_address_is_422_and_opens_nothing(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(customer_email=VICTIM), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json() == NOT_YOURS
    assert await _tickets(database) == 0


async def test_a_customers_ticket_keeps_their_own_name_and_address(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer", name="Tunde Adeyemi", email="tunde@example.test")

    response = await client.post(
        "/api/tickets",
        json=_body(customer_email="Tunde@Example.test", customer_name="Someone Else"),
        headers=make.auth(customer),
    )

    assert response.status_code == 201, response.text
    ticket = response.json()["ticket"]
    assert (ticket["customer_name"], ticket["customer_email"]) == (
        "Tunde Adeyemi",
        "tunde@example.test",
    )


async def test_staff_may_open_a_ticket_for_another_address(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")

    response = await client.post(
        "/api/tickets", json=_body(customer_email=VICTIM), headers=make.auth(admin)
    )

    assert response.status_code == 201, response.text
    assert response.json()["ticket"]["customer_email"] == VICTIM


async def test_a_customer_naming_another_address_on_the_rest_api_is_400(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/v1/tickets",
        json={"subject": "Help", "description": "Please", "customer_email": VICTIM},
        headers=make.auth(customer),
    )

    assert response.status_code == 400
    assert response.json()["error"]["details"] == NOT_YOURS["details"]
    assert await _tickets(database) == 0


@pytest.mark.parametrize("by_email", [False, True])
async def test_the_intake_refuses_a_customers_ticket_for_another_address(
    make: Factory, by_email: bool
) -> None:
    customer = await make.user("customer")

    with pytest.raises(ValidationFailed) as refused:
        await make.ticket(by=customer, customer_email=VICTIM, customer_by_email=by_email)

    assert refused.value.details == NOT_YOURS["details"]
