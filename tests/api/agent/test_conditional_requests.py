"""Agent API tickets answer with an ETag, and honour If-None-Match and If-Match."""

from __future__ import annotations

from httpx import AsyncClient

from tests.api.agent.conftest import URL, Agent, Desk, data_of, get


async def test_a_ticket_is_read_with_an_etag(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    ticket = await desk.ticket(agent)

    response = await get(client, agent, f"/tickets/{ticket.id}")

    assert response.status_code == 200
    assert response.headers["ETag"].startswith(f'"{ticket.id}.')


async def test_the_current_etag_in_if_none_match_gets_304(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    etag = (await get(client, agent, f"/tickets/{ticket.id}")).headers["ETag"]

    response = await client.get(
        f"{URL}/tickets/{ticket.id}", headers={**agent.headers, "If-None-Match": etag}
    )

    assert response.status_code == 304
    assert response.content == b""


async def test_an_update_with_the_current_etag_applies_and_answers_the_new_one(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    etag = (await get(client, agent, f"/tickets/{ticket.id}")).headers["ETag"]

    response = await client.put(
        f"{URL}/tickets/{ticket.id}",
        json={"priority": "high"},
        headers={**agent.headers, "If-Match": etag},
    )

    assert data_of(response)["priority"] == "high"
    assert (
        response.headers["ETag"]
        == (await get(client, agent, f"/tickets/{ticket.id}")).headers["ETag"]
    )


async def test_an_update_with_a_stale_etag_is_412_and_changes_nothing(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    stale = (await get(client, agent, f"/tickets/{ticket.id}")).headers["ETag"]
    await client.put(f"{URL}/tickets/{ticket.id}", json={"priority": "low"}, headers=agent.headers)

    response = await client.put(
        f"{URL}/tickets/{ticket.id}",
        json={"priority": "high"},
        headers={**agent.headers, "If-Match": stale},
    )

    assert response.status_code == 412
    assert response.json() == {
        "status": False,
        "message": "The ticket has changed since that version; read it again.",
    }
    assert data_of(await get(client, agent, f"/tickets/{ticket.id}"))["priority"] == "low"


async def test_closing_with_a_stale_etag_is_412_and_leaves_the_ticket_open(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    response = await client.post(
        f"{URL}/tickets/{ticket.id}/close",
        headers={**agent.headers, "If-Match": f'"{ticket.id}.99"'},
    )

    assert response.status_code == 412
    assert data_of(await get(client, agent, f"/tickets/{ticket.id}"))["status"] != "closed"


async def test_closing_with_the_current_etag_answers_the_new_one(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    etag = (await get(client, agent, f"/tickets/{ticket.id}")).headers["ETag"]

    response = await client.post(
        f"{URL}/tickets/{ticket.id}/close", headers={**agent.headers, "If-Match": etag}
    )

    assert data_of(response)["status"] == "closed"
    assert response.headers["ETag"] != etag
