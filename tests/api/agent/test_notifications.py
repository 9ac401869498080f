"""GET /notifications, GET /notifications/unread-count, POST /notifications/{id}/read."""

from __future__ import annotations

from httpx import AsyncClient

from tests.api.agent.conftest import URL, Agent, Desk, data_of, get


async def test_a_notification_answers_as_the_reference_shows(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    notification = await desk.notification(
        agent.user,
        ticket_id=ticket.id,
        sender_name="John Doe",
        sender_avatar="https://cdn.example.test/john.png",
    )

    response = await get(client, agent, "/notifications")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": True,
        "data": [
            {
                "id": notification.id,
                "type": "ticket_reply",
                "title": "New reply on #1001",
                "message": "Customer replied to your ticket",
                "ticket_id": ticket.id,
                "sender_name": "John Doe",
                "sender_avatar": "https://cdn.example.test/john.png",
                "is_read": False,
                "created_at": body["data"][0]["created_at"],
            }
        ],
        "meta": {"current_page": 1, "last_page": 1, "per_page": 20, "total": 1},
    }


async def test_the_list_is_newest_first_twenty_a_page(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    created = [await desk.notification(agent.user, title=f"N{n}") for n in range(23)]

    first = await get(client, agent, "/notifications")
    second = await get(client, agent, "/notifications", page=2)

    assert [n["id"] for n in first.json()["data"]] == [n.id for n in reversed(created)][:20]
    assert first.json()["meta"] == {"current_page": 1, "last_page": 2, "per_page": 20, "total": 23}
    assert [n["id"] for n in second.json()["data"]] == [n.id for n in reversed(created)][20:]


async def test_per_page_is_honoured_and_bounded(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    for _ in range(3):
        await desk.notification(agent.user)

    small = await get(client, agent, "/notifications", per_page=2)
    too_big = await get(client, agent, "/notifications", per_page=1000)

    assert len(small.json()["data"]) == 2
    assert small.json()["meta"]["last_page"] == 2
    assert too_big.status_code == 422
    assert "per_page" in too_big.json()["errors"]


async def test_a_page_number_no_list_can_reach_is_a_validation_error(
    client: AsyncClient, agent: Agent
) -> None:
    response = await get(client, agent, "/notifications", page=10**20)

    assert response.status_code == 422
    assert "page" in response.json()["errors"]


async def test_a_page_past_the_end_is_empty_with_the_total(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    await desk.notification(agent.user)

    response = await get(client, agent, "/notifications", page=5)

    assert response.json()["data"] == []
    assert response.json()["meta"]["total"] == 1


async def test_only_the_agents_own_notifications_are_listed(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    other = await desk.agent()
    await desk.notification(other.user)
    mine = await desk.notification(agent.user)

    listed = data_of(await get(client, agent, "/notifications"))

    assert [n["id"] for n in listed] == [mine.id]


async def test_the_unread_count_counts_the_agents_unread_ones(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    other = await desk.agent()
    for _ in range(3):
        await desk.notification(agent.user)
    await desk.notification(agent.user, is_read=True)
    await desk.notification(other.user)

    response = await get(client, agent, "/notifications/unread-count")

    assert response.json() == {"status": True, "data": {"unread_count": 3}}


async def test_marking_read_reads_it_and_lowers_the_count(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    notification = await desk.notification(agent.user)

    response = await client.post(
        f"{URL}/notifications/{notification.id}/read", headers=agent.headers
    )

    read = data_of(response)
    assert read["id"] == notification.id
    assert read["is_read"] is True
    count = data_of(await get(client, agent, "/notifications/unread-count"))
    assert count == {"unread_count": 0}
    listed = data_of(await get(client, agent, "/notifications"))
    assert listed[0]["is_read"] is True


async def test_marking_read_twice_is_harmless(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    notification = await desk.notification(agent.user)
    url = f"{URL}/notifications/{notification.id}/read"

    await client.post(url, headers=agent.headers)
    again = await client.post(url, headers=agent.headers)

    assert data_of(again)["is_read"] is True


async def test_another_users_notification_is_404_and_stays_unread(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    other = await desk.agent()
    theirs = await desk.notification(other.user)

    response = await client.post(f"{URL}/notifications/{theirs.id}/read", headers=agent.headers)

    assert response.status_code == 404
    assert response.json() == {"status": False, "message": "Notification not found."}
    count = data_of(await get(client, other, "/notifications/unread-count"))
    assert count == {"unread_count": 1}


async def test_an_unknown_or_out_of_range_id_is_a_4xx(client: AsyncClient, agent: Agent) -> None:
    unknown = await client.post(f"{URL}/notifications/999999/read", headers=agent.headers)
    huge = await client.post(f"{URL}/notifications/99999999999999/read", headers=agent.headers)
    text = await client.post(f"{URL}/notifications/abc/read", headers=agent.headers)

    assert unknown.status_code == 404
    assert huge.status_code == 422
    assert text.status_code == 422


async def test_notifications_about_tickets_the_key_cannot_open_are_left_out(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    mine = await desk.ticket(agent)
    elsewhere = await desk.ticket(None)
    shown = await desk.notification(agent.user, ticket_id=mine.id)
    general = await desk.notification(agent.user, type="system", title="Maintenance tonight")
    hidden = await desk.notification(agent.user, ticket_id=elsewhere.id)

    listed = await get(client, agent, "/notifications")
    unread = await get(client, agent, "/notifications/unread-count")
    marked = await client.post(f"{URL}/notifications/{hidden.id}/read", headers=agent.headers)

    assert [n["id"] for n in listed.json()["data"]] == [general.id, shown.id]
    assert listed.json()["meta"]["total"] == 2
    assert data_of(unread) == {"unread_count": 2}
    assert marked.status_code == 404
