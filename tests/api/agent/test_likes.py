"""POST /tickets/{ticketId}/messages/{messageId}/like: toggles the agent's like."""

from __future__ import annotations

from httpx import AsyncClient, Response

from supportdesk.models import Message, Ticket
from tests.api.agent.conftest import URL, Agent, Desk, data_of


async def _like(client: AsyncClient, agent: Agent, ticket_id: int, message_id: int) -> Response:
    return await client.post(
        f"{URL}/tickets/{ticket_id}/messages/{message_id}/like", headers=agent.headers
    )


async def _conversation(desk: Desk, agent: Agent) -> tuple[Ticket, Message]:
    ticket = await desk.ticket(agent)
    message = await desk.reply(ticket, await desk.customer(), "It fails on Chrome.")
    return ticket, message


async def test_a_like_answers_as_the_reference_shows(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket, message = await _conversation(desk, agent)

    response = await _like(client, agent, ticket.id, message.id)

    assert response.status_code == 200
    assert response.json() == {"status": True, "data": {"liked": True, "count": 1}}


async def test_a_second_like_takes_it_back(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    ticket, message = await _conversation(desk, agent)
    await _like(client, agent, ticket.id, message.id)

    response = await _like(client, agent, ticket.id, message.id)

    assert data_of(response) == {"liked": False, "count": 0}
    assert data_of(await _like(client, agent, ticket.id, message.id)) == {
        "liked": True,
        "count": 1,
    }


async def test_the_count_includes_other_agents_likes(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket, message = await _conversation(desk, agent)
    colleague = await desk.agent()
    # The colleague worked the ticket before it was handed over.
    await desk.assign(ticket, colleague)
    await _like(client, colleague, ticket.id, message.id)
    await desk.assign(ticket, agent)

    response = await _like(client, agent, ticket.id, message.id)

    assert data_of(response) == {"liked": True, "count": 2}


async def test_an_internal_note_can_be_liked(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    ticket = await desk.ticket(agent)
    note = await desk.reply(ticket, agent.user, "Root cause found.", note=True)

    assert data_of(await _like(client, agent, ticket.id, note.id))["liked"] is True


async def test_a_message_of_another_ticket_is_404(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket, _ = await _conversation(desk, agent)
    _, elsewhere = await _conversation(desk, agent)

    response = await _like(client, agent, ticket.id, elsewhere.id)

    assert response.status_code == 404
    assert response.json() == {"status": False, "message": "Message not found."}


async def test_a_message_of_a_ticket_assigned_to_someone_else_is_404(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    other = await desk.agent()
    ticket, message = await _conversation(desk, other)

    response = await _like(client, agent, ticket.id, message.id)

    assert response.status_code == 404
    # Nothing was liked: the assignee still sees no like.
    assert data_of(await _like(client, other, ticket.id, message.id)) == {
        "liked": True,
        "count": 1,
    }


async def test_an_unknown_message_or_ticket_is_404(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket, message = await _conversation(desk, agent)

    assert (await _like(client, agent, ticket.id, 999999)).status_code == 404
    assert (await _like(client, agent, 999999, message.id)).status_code == 404


async def test_a_message_of_a_deleted_ticket_is_404(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket, message = await _conversation(desk, agent)
    await desk.delete(ticket)

    assert (await _like(client, agent, ticket.id, message.id)).status_code == 404


async def test_malformed_ids_are_422(client: AsyncClient, agent: Agent) -> None:
    assert (await _like(client, agent, 0, 1)).status_code == 422
    assert (await _like(client, agent, 1, 2**40)).status_code == 422
