"""GET /api/external/tickets and /tickets/{ticket_number}: what a project sees of its tickets."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update

from supportdesk.core.db import Database
from supportdesk.models import Ticket
from tests.api.project.conftest import Connected, Connector, open_ticket
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter

URL = "/api/external/tickets"
ROW_FIELDS = {
    "ticket_number",
    "subject",
    "status",
    "priority",
    "customer_name",
    "customer_email",
    "assigned_to",
    "created_at",
    "updated_at",
}


async def _list(client: AsyncClient, connected: Connected, **params: Any) -> dict[str, Any]:
    response = await client.get(URL, params=params, headers=connected.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _numbers(page: dict[str, Any]) -> list[str]:
    return [row["ticket_number"] for row in page["data"]]


async def _agent_of(make: Factory, connected: Connected, name: str = "Alice Okafor") -> Any:
    return await make.user("agent", name=name, projects=[connected.project.id])


# ====================================================================== list


async def test_the_list_shows_the_projects_tickets_newest_first(
    client: AsyncClient, naija: Connected, frozen_clock: FrozenClock
) -> None:
    await open_ticket(client, naija)
    frozen_clock.advance(minutes=5)
    await open_ticket(client, naija, customer_email="ada@example.test", customer_name="Ada Obi")

    page = await _list(client, naija)

    assert _numbers(page) == ["NAIJ-2026-00002", "NAIJ-2026-00001"]
    assert page["current_page"] == 1
    assert page["last_page"] == 1
    assert page["total"] == 2
    assert page["per_page"] == 20
    assert page["data"][0] == {
        "ticket_number": "NAIJ-2026-00002",
        "subject": "Cannot upload property photos",
        "status": "open",
        "priority": "high",
        "customer_name": "Ada Obi",
        "customer_email": "ada@example.test",
        "assigned_to": None,
        "created_at": "2026-03-02T09:05:00Z",
        "updated_at": "2026-03-02T09:05:00Z",
    }


async def test_the_list_names_the_assigned_agent(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    created = await open_ticket(client, naija)
    agent = await _agent_of(make, naija)
    await client.patch(
        f"/api/tickets/{created['ticket_id']}/assign",
        json={"user_id": agent.id},
        headers=make.auth(agent),
    )

    page = await _list(client, naija)

    assert page["data"][0]["assigned_to"] == "Alice Okafor"
    assert page["data"][0]["status"] == "in_progress"


async def test_the_list_leaves_out_other_projects_tickets(
    client: AsyncClient, naija: Connected, connect: Connector, make: Factory
) -> None:
    other = await connect("ShopRite", "SHOP")
    await open_ticket(client, other)
    customer = await make.user("customer")
    await make.ticket(by=customer)  # in the default project, through the portal
    mine = await open_ticket(client, naija)

    page = await _list(client, naija)

    assert _numbers(page) == [mine["ticket_number"]]
    assert page["total"] == 1


async def test_the_list_includes_tickets_opened_in_the_portal_for_the_project(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    customer = await make.user("customer", name="Ngozi Eze")
    ticket = await make.ticket(by=customer, project_id=naija.project.id)

    page = await _list(client, naija)

    assert _numbers(page) == [ticket.ticket_number]
    assert page["data"][0]["customer_name"] == "Ngozi Eze"


async def test_the_list_filters_by_customer_email_whatever_its_case(
    client: AsyncClient, naija: Connected
) -> None:
    tunde = await open_ticket(client, naija)
    await open_ticket(client, naija, customer_email="ada@example.test")

    page = await _list(client, naija, customer_email="TUNDE@gmail.test")

    assert _numbers(page) == [tunde["ticket_number"]]


async def test_the_list_filters_by_status(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    await open_ticket(client, naija)
    second = await open_ticket(client, naija)
    admin = await make.user("admin")
    await client.patch(
        f"/api/tickets/{second['ticket_id']}/status",
        json={"status": "resolved"},
        headers=make.auth(admin),
    )

    page = await _list(client, naija, status="resolved")

    assert _numbers(page) == [second["ticket_number"]]


async def test_the_list_filters_by_priority(client: AsyncClient, naija: Connected) -> None:
    await open_ticket(client, naija, priority="low")
    critical = await open_ticket(client, naija, priority="critical")

    page = await _list(client, naija, priority="critical")

    assert _numbers(page) == [critical["ticket_number"]]


async def test_the_list_pages_with_per_page(client: AsyncClient, naija: Connected) -> None:
    for _ in range(3):
        await open_ticket(client, naija)

    page = await _list(client, naija, per_page=2, page=2)

    assert _numbers(page) == ["NAIJ-2026-00001"]
    assert (page["current_page"], page["last_page"], page["total"], page["per_page"]) == (
        2,
        2,
        3,
        2,
    )


async def test_a_page_past_the_end_is_empty_but_counts_the_total(
    client: AsyncClient, naija: Connected
) -> None:
    await open_ticket(client, naija)

    page = await _list(client, naija, page=5)

    assert page["data"] == []
    assert page["total"] == 1


async def test_the_list_costs_the_same_statements_for_one_ticket_or_many(
    client: AsyncClient, naija: Connected, make: Factory, statements: StatementCounter
) -> None:
    agent = await _agent_of(make, naija)
    created = await open_ticket(client, naija)
    await client.patch(
        f"/api/tickets/{created['ticket_id']}/assign",
        json={"user_id": agent.id},
        headers=make.auth(agent),
    )
    statements.start()
    await _list(client, naija)
    one = statements.stop()
    for _ in range(5):
        await open_ticket(client, naija)

    statements.start()
    await _list(client, naija)
    many = statements.stop()

    assert many == one


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "on_fire"}, "status"),
        ({"priority": "urgent"}, "priority"),
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"customer_email": "not-an-email"}, "customer_email"),
    ],
)
async def test_invalid_list_parameters_are_refused_by_name(
    client: AsyncClient, naija: Connected, params: dict[str, Any], field: str
) -> None:
    response = await client.get(URL, params=params, headers=naija.headers)

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."
    assert list(response.json()["details"]) == [field]


# ====================================================================== one ticket


async def test_a_ticket_is_shown_by_its_number_as_the_reference_shows(
    client: AsyncClient, naija: Connected, frozen_clock: FrozenClock
) -> None:
    created = await open_ticket(client, naija)

    response = await client.get(f"{URL}/{created['ticket_number']}", headers=naija.headers)

    assert response.status_code == 200
    assert response.json() == {
        "ticket": {
            "ticket_number": "NAIJ-2026-00001",
            "subject": "Cannot upload property photos",
            "description": "Upload button does nothing on Chrome...",
            "status": "open",
            "priority": "high",
            "assigned_to": None,
            "messages": [],
            "created_at": "2026-03-02T09:00:00Z",
            "resolved_at": None,
        }
    }


async def test_the_conversation_names_who_wrote_each_message(
    client: AsyncClient, naija: Connected, make: Factory, frozen_clock: FrozenClock
) -> None:
    created = await open_ticket(client, naija)
    agent = await _agent_of(make, naija)
    await client.patch(
        f"/api/tickets/{created['ticket_id']}/assign",
        json={"user_id": agent.id},
        headers=make.auth(agent),
    )
    frozen_clock.advance(minutes=10)
    await client.post(
        f"/api/tickets/{created['ticket_id']}/messages",
        json={"body": "Hi, can you describe..."},
        headers=make.auth(agent),
    )
    frozen_clock.advance(minutes=10)
    await client.post(
        f"{URL}/{created['ticket_number']}/reply",
        json={"body": "It fails on every photo.", "customer_email": "tunde@gmail.test"},
        headers=naija.headers,
    )

    response = await client.get(f"{URL}/{created['ticket_number']}", headers=naija.headers)

    ticket = response.json()["ticket"]
    assert ticket["assigned_to"] == "Alice Okafor"
    assert ticket["status"] == "in_progress"
    assert ticket["messages"] == [
        {
            "body": "Hi, can you describe...",
            "from": "Alice Okafor",
            "is_agent": True,
            "created_at": "2026-03-02T09:10:00Z",
        },
        {
            "body": "It fails on every photo.",
            "from": "Tunde Adeyemi",
            "is_agent": False,
            "created_at": "2026-03-02T09:20:00Z",
        },
    ]


async def test_internal_notes_are_never_shown(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    created = await open_ticket(client, naija)
    agent = await _agent_of(make, naija)
    await client.post(
        f"/api/tickets/{created['ticket_id']}/messages",
        json={"body": "Customer is on the free plan.", "type": "note"},
        headers=make.auth(agent),
    )
    await client.post(
        f"/api/tickets/{created['ticket_id']}/messages",
        json={"body": "Looking into it."},
        headers=make.auth(agent),
    )

    response = await client.get(f"{URL}/{created['ticket_number']}", headers=naija.headers)

    assert [m["body"] for m in response.json()["ticket"]["messages"]] == ["Looking into it."]


async def test_a_resolved_ticket_shows_when_it_was_resolved(
    client: AsyncClient, naija: Connected, make: Factory, frozen_clock: FrozenClock
) -> None:
    created = await open_ticket(client, naija)
    admin = await make.user("admin")
    frozen_clock.advance(hours=2)
    await client.patch(
        f"/api/tickets/{created['ticket_id']}/status",
        json={"status": "resolved"},
        headers=make.auth(admin),
    )

    response = await client.get(f"{URL}/{created['ticket_number']}", headers=naija.headers)

    assert response.json()["ticket"]["status"] == "resolved"
    assert response.json()["ticket"]["resolved_at"] == "2026-03-02T11:00:00Z"


async def test_reading_a_ticket_costs_a_fixed_number_of_statements(
    client: AsyncClient, naija: Connected, make: Factory, statements: StatementCounter
) -> None:
    created = await open_ticket(client, naija)
    path = f"{URL}/{created['ticket_number']}"
    agent = await _agent_of(make, naija)
    await client.post(
        f"/api/tickets/{created['ticket_id']}/messages",
        json={"body": "First."},
        headers=make.auth(agent),
    )
    statements.start()
    await client.get(path, headers=naija.headers)
    one = statements.stop()
    for n in range(4):
        await client.post(
            f"/api/tickets/{created['ticket_id']}/messages",
            json={"body": f"Reply {n}."},
            headers=make.auth(agent),
        )

    statements.start()
    response = await client.get(path, headers=naija.headers)
    many = statements.stop()

    assert len(response.json()["ticket"]["messages"]) == 5
    assert many == one


@pytest.mark.parametrize(
    "number", ["NAIJ-2026-00999", "naij-2026-00001", "1", "N" * 200, "NAIJ%002026"]
)
async def test_an_unknown_ticket_number_is_not_found(
    client: AsyncClient, naija: Connected, number: str
) -> None:
    await open_ticket(client, naija)

    response = await client.get(f"{URL}/{number}", headers=naija.headers)

    assert response.status_code == 404
    assert response.json() == {"error": "Ticket not found."}


async def test_a_deleted_ticket_is_not_found(
    client: AsyncClient, naija: Connected, database: Database, frozen_clock: FrozenClock
) -> None:
    created = await open_ticket(client, naija)
    async with database.transaction() as session:
        await session.execute(
            update(Ticket)
            .where(Ticket.id == created["ticket_id"])
            .values(deleted_at=frozen_clock.current)
        )

    response = await client.get(f"{URL}/{created['ticket_number']}", headers=naija.headers)

    assert response.status_code == 404


async def test_a_reply_made_with_an_internal_key_is_from_the_keys_user(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    created = await open_ticket(client, naija)
    admin = await make.user("admin", name="Grace Admin")
    key = await make.api_key("internal", scopes=["*"], user_id=admin.id)
    posted = await client.post(
        f"/api/v1/internal/tickets/{created['ticket_id']}/messages",
        json={"content": "We are on it."},
        headers={"X-API-KEY": key.raw_key},
    )
    assert posted.status_code == 201, posted.text

    response = await client.get(f"{URL}/{created['ticket_number']}", headers=naija.headers)

    reply = next(m for m in response.json()["ticket"]["messages"] if m["body"] == "We are on it.")
    assert (reply["from"], reply["is_agent"]) == ("Grace Admin", True)
