"""An agent's key reaches the tickets assigned to that agent, and no other ticket."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from supportdesk.core.enums import TicketStatus
from supportdesk.models import Message, Ticket
from tests.api.agent.conftest import URL, Agent, Desk, data_of, get
from tests.factories import Factory

# Every endpoint that takes a ticket id, with a body it would accept.
TICKET_ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/tickets/{ticket}", None),
    ("PUT", "/tickets/{ticket}", {"status": "closed", "priority": "critical", "labels": []}),
    ("GET", "/tickets/{ticket}/messages", None),
    ("POST", "/tickets/{ticket}/messages", {"content": "Not my ticket."}),
    ("POST", "/tickets/{ticket}/close", None),
    ("POST", "/tickets/{ticket}/messages/{message}/like", None),
]


async def _request(
    client: AsyncClient,
    agent: Agent,
    endpoint: tuple[str, str, dict[str, Any] | None],
    ticket: Ticket,
    message: Message,
) -> Any:
    method, path, body = endpoint
    url = URL + path.format(ticket=ticket.id, message=message.id)
    return await client.request(method, url, json=body, headers=agent.headers)


async def _state(client: AsyncClient, owner: Agent, ticket: Ticket) -> tuple[Any, Any]:
    found = data_of(await get(client, owner, f"/tickets/{ticket.id}"))
    messages = data_of(await get(client, owner, f"/tickets/{ticket.id}/messages"))
    return found, messages


@pytest.mark.parametrize(
    "endpoint", TICKET_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in TICKET_ENDPOINTS]
)
async def test_agent_a_gets_404_on_a_ticket_assigned_to_agent_b_and_changes_nothing(
    client: AsyncClient, desk: Desk, endpoint: tuple[str, str, dict[str, Any] | None]
) -> None:
    agent_a = await desk.agent("Agent A")
    agent_b = await desk.agent("Agent B")
    ticket = await desk.ticket(agent_b)
    message = await desk.reply(ticket, await desk.customer(), "Help!")
    before = await _state(client, agent_b, ticket)

    response = await _request(client, agent_a, endpoint, ticket, message)

    assert response.status_code == 404
    assert response.json()["status"] is False
    assert await _state(client, agent_b, ticket) == before


@pytest.mark.parametrize(
    "endpoint", TICKET_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in TICKET_ENDPOINTS]
)
async def test_an_unassigned_ticket_of_the_agents_own_project_is_404(
    client: AsyncClient, make: Factory, desk: Desk, endpoint: tuple[str, str, dict[str, Any] | None]
) -> None:
    agent = await desk.agent()
    ticket = await desk.ticket(None)
    message = await desk.reply(ticket, await desk.customer(), "Help!")
    # In the portal the same agent sees it: it is in one of their projects.
    portal = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(agent.user))
    assert portal.status_code == 200

    response = await _request(client, agent, endpoint, ticket, message)

    assert response.status_code == 404


async def test_a_ticket_handed_to_another_agent_leaves_the_first_ones_reach(
    client: AsyncClient, desk: Desk
) -> None:
    agent_a = await desk.agent("Agent A")
    agent_b = await desk.agent("Agent B")
    ticket = await desk.ticket(agent_a)
    assert (await get(client, agent_a, f"/tickets/{ticket.id}")).status_code == 200

    await desk.assign(ticket, agent_b)

    assert (await get(client, agent_a, f"/tickets/{ticket.id}")).status_code == 404
    assert data_of(await get(client, agent_a, "/tickets")) == []
    assert [t["id"] for t in data_of(await get(client, agent_b, "/tickets"))] == [ticket.id]


async def test_the_dashboards_of_two_agents_count_their_own_tickets(
    client: AsyncClient, desk: Desk
) -> None:
    agent_a = await desk.agent("Agent A")
    agent_b = await desk.agent("Agent B")
    await desk.ticket(agent_a)
    await desk.ticket(agent_b)
    await desk.ticket(agent_b, status=TicketStatus.OPEN)

    figures_a = data_of(await get(client, agent_a, "/dashboard"))
    figures_b = data_of(await get(client, agent_b, "/dashboard"))

    assert (figures_a["in_progress_tickets"], figures_a["open_tickets"]) == (1, 0)
    assert (figures_b["in_progress_tickets"], figures_b["open_tickets"]) == (1, 1)
