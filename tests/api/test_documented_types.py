"""Timestamps and customer ids as the references document them, on every surface."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient

from supportdesk.auth.principal import Principal
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.models import Ticket
from supportdesk.services.tickets import TicketTriage
from tests.factories import Factory
from tests.support import FrozenClock

ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
TICKET_TIMES = ("created_at", "updated_at")


@pytest.fixture
def mid_second(frozen_clock: FrozenClock) -> FrozenClock:
    """A clock between two whole seconds, where a fraction would show."""
    frozen_clock.current = datetime(2026, 3, 15, 10, 30, 0, 123456, tzinfo=UTC)
    return frozen_clock


async def _staff_ticket(make: Factory, email: str = "ada@example.test") -> Ticket:
    """A ticket staff opened in the portal for an address nobody has an account at."""
    admin = await make.user(Role.ADMIN)
    return await make.ticket(by=admin, customer_email=email, customer_name="Ada Obi")


def _times(record: dict[str, Any]) -> Iterator[str]:
    for name in TICKET_TIMES:
        yield record[name]


async def _internal(client: AsyncClient, make: Factory, path: str) -> dict[str, Any]:
    issued = await make.api_key(ApiKeyType.INTERNAL, scopes=["*"])
    response = await client.get(f"/api/v1/internal{path}", headers={"X-API-KEY": issued.raw_key})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _agent(
    client: AsyncClient, make: Factory, database: Database, ticket: Ticket
) -> dict[str, Any]:
    """The ticket as the agent it is assigned to reads it."""
    admin = await make.user(Role.ADMIN)
    agent = await make.user(Role.AGENT, projects=[1])
    async with database.transaction() as session:
        await TicketTriage(session).assign(Principal.for_user(admin), ticket.id, agent.id)
    issued = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)
    response = await client.get(
        f"/api/v1/external/tickets/{ticket.id}", headers={"X-API-KEY": issued.raw_key}
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _rest(client: AsyncClient, make: Factory, path: str) -> dict[str, Any]:
    issued = await make.api_key(ApiKeyType.INTERNAL, scopes=["*"])
    response = await client.get(
        f"/api/v1{path}", headers={"Authorization": f"Bearer {issued.raw_key}"}
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _portal(client: AsyncClient, make: Factory, path: str) -> dict[str, Any]:
    admin = await make.user(Role.ADMIN)
    response = await client.get(f"/api{path}", headers=make.auth(admin))
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


@pytest.mark.usefixtures("mid_second")
async def test_the_internal_api_prints_whole_seconds_in_utc(
    client: AsyncClient, make: Factory
) -> None:
    ticket = await _staff_ticket(make)

    shown = await _internal(client, make, f"/tickets/{ticket.id}")

    assert all(ISO_SECONDS.match(value) for value in _times(shown)), shown


@pytest.mark.usefixtures("mid_second")
async def test_the_agent_api_prints_whole_seconds_in_utc(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    ticket = await _staff_ticket(make)

    shown = await _agent(client, make, database, ticket)

    assert all(ISO_SECONDS.match(value) for value in _times(shown)), shown


@pytest.mark.usefixtures("mid_second")
async def test_the_rest_api_prints_whole_seconds_in_utc(client: AsyncClient, make: Factory) -> None:
    ticket = await _staff_ticket(make)

    shown = await _rest(client, make, f"/tickets/tkt_{ticket.id}")

    assert all(ISO_SECONDS.match(value) for value in _times(shown)), shown


@pytest.mark.usefixtures("mid_second")
async def test_the_portal_prints_whole_seconds_in_utc(client: AsyncClient, make: Factory) -> None:
    ticket = await _staff_ticket(make)

    shown = await _portal(client, make, f"/tickets/{ticket.id}")

    assert all(ISO_SECONDS.match(value) for value in _times(shown)), shown


@pytest.mark.usefixtures("mid_second")
async def test_the_project_api_prints_whole_seconds_in_utc(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project("NaijaHomes", slug="naijahomes", ticket_prefix="NAIJ")
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=project.id)
    assert pair.raw_secret is not None
    headers = {"X-Api-Key": pair.raw_key, "X-Api-Secret": pair.raw_secret}
    body = {
        "customer_name": "Tunde Adeyemi",
        "customer_email": "tunde@example.test",
        "subject": "Cannot upload property photos",
        "description": "Upload button does nothing.",
    }
    created = await client.post("/api/external/tickets", json=body, headers=headers)
    assert created.status_code == 201, created.text

    ticket = created.json()

    assert ISO_SECONDS.match(ticket["created_at"]), ticket


@pytest.mark.parametrize(
    "schema",
    [
        "InternalTicket",
        "AgentTicket",
        "RestTicket",
        "PortalTicket",
        "ProjectTicket",
    ],
)
async def test_the_openapi_still_calls_them_date_times(client: AsyncClient, schema: str) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]

    created_at = schemas[schema]["properties"]["created_at"]

    assert (created_at["type"], created_at["format"]) == ("string", "date-time")


async def test_an_address_without_an_account_gets_a_customer_account(make: Factory) -> None:
    ticket = await _staff_ticket(make)

    assert ticket.customer_id is not None


async def test_the_internal_api_names_the_customer_by_id(
    client: AsyncClient, make: Factory
) -> None:
    ticket = await _staff_ticket(make)

    shown = await _internal(client, make, f"/tickets/{ticket.id}")

    assert shown["customer"]["id"] == ticket.customer_id


async def test_the_agent_api_names_the_customer_by_id(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    ticket = await _staff_ticket(make)

    shown = await _agent(client, make, database, ticket)

    assert shown["customer"]["id"] == ticket.customer_id


async def test_the_rest_api_names_the_customer_by_id(client: AsyncClient, make: Factory) -> None:
    ticket = await _staff_ticket(make)

    shown = await _rest(client, make, f"/tickets/tkt_{ticket.id}")

    assert shown["customer"]["id"] == f"cust_{ticket.customer_id}"
