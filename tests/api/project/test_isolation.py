"""One project's key pair reaches its own project's tickets and nothing else."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.models import Message
from tests.api.project.conftest import Connected, Connector, open_ticket
from tests.factories import Factory

URL = "/api/external/tickets"


async def _two_projects(
    client: AsyncClient, connect: Connector
) -> tuple[Connected, Connected, str]:
    """Projects A and B, and the number of a ticket of B's."""
    a = await connect("NaijaHomes", "NAIJ")
    b = await connect("ShopRite", "SHOP")
    created = await open_ticket(client, b)
    return a, b, created["ticket_number"]


async def test_a_project_cannot_read_another_projects_ticket(
    client: AsyncClient, connect: Connector
) -> None:
    a, _, number = await _two_projects(client, connect)

    response = await client.get(f"{URL}/{number}", headers=a.headers)

    assert response.status_code == 404
    assert response.json() == {"error": "Ticket not found."}


async def test_a_project_cannot_reply_to_another_projects_ticket(
    client: AsyncClient, connect: Connector, database: Database
) -> None:
    a, _, number = await _two_projects(client, connect)

    response = await client.post(
        f"{URL}/{number}/reply",
        json={"body": "Hijack.", "customer_email": "tunde@gmail.test"},
        headers=a.headers,
    )

    assert response.status_code == 404
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 0


async def test_a_project_cannot_close_another_projects_ticket(
    client: AsyncClient, connect: Connector
) -> None:
    a, b, number = await _two_projects(client, connect)

    response = await client.post(
        f"{URL}/{number}/close", json={"customer_email": "tunde@gmail.test"}, headers=a.headers
    )

    assert response.status_code == 404
    still = await client.get(f"{URL}/{number}", headers=b.headers)
    assert still.json()["ticket"]["status"] == "open"


async def test_a_project_does_not_list_another_projects_tickets_for_the_same_customer(
    client: AsyncClient, connect: Connector
) -> None:
    a, _, _ = await _two_projects(client, connect)

    response = await client.get(
        URL, params={"customer_email": "tunde@gmail.test"}, headers=a.headers
    )

    assert response.json()["data"] == []
    assert response.json()["total"] == 0


async def test_a_project_cannot_reach_a_portal_ticket_of_the_default_project(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    customer = await make.user("customer", email="tunde@gmail.test")
    ticket = await make.ticket(by=customer)

    read = await client.get(f"{URL}/{ticket.ticket_number}", headers=naija.headers)
    reply = await client.post(
        f"{URL}/{ticket.ticket_number}/reply",
        json={"body": "Hi", "customer_email": "tunde@gmail.test"},
        headers=naija.headers,
    )

    assert (read.status_code, reply.status_code) == (404, 404)


async def test_one_customer_has_one_account_across_projects(
    client: AsyncClient, connect: Connector, make: Factory
) -> None:
    a, _, _ = await _two_projects(client, connect)
    await open_ticket(client, a)
    admin = await make.user("admin")

    response = await client.get("/api/tickets", headers=make.auth(admin))

    creators = {row["creator"]["id"] for row in response.json()["data"]}
    assert len(response.json()["data"]) == 2
    assert len(creators) == 1
