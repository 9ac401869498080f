"""GET and POST /tickets/{id}/messages: the conversation and the agent's replies."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select, update

from supportdesk.core.db import Database
from supportdesk.core.enums import TicketStatus
from supportdesk.models import OutboxEvent, Ticket
from tests.api.agent.conftest import URL, Agent, Desk, data_of, get
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter


async def _reply(client: AsyncClient, agent: Agent, ticket_id: int, body: Any) -> Response:
    return await client.post(
        f"{URL}/tickets/{ticket_id}/messages", json=body, headers=agent.headers
    )


async def _lock(database: Database, ticket: Ticket) -> None:
    async with database.transaction() as session:
        await session.execute(update(Ticket).where(Ticket.id == ticket.id).values(is_locked=True))


# ====================================================================== list


async def test_messages_are_listed_oldest_first_with_notes_and_likes(
    client: AsyncClient, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    customer = await desk.customer()
    ticket = await desk.ticket(agent)
    question = await desk.reply(ticket, customer, "It fails on Chrome.")
    frozen_clock.advance(minutes=1)
    note = await desk.reply(ticket, agent.user, "Reproduced.", note=True)
    frozen_clock.advance(minutes=1)
    answer = await desk.reply(ticket, agent.user, "Fixed, please retry.")
    await client.post(
        f"{URL}/tickets/{ticket.id}/messages/{question.id}/like", headers=agent.headers
    )

    response = await get(client, agent, f"/tickets/{ticket.id}/messages")

    body = response.json()
    assert body["meta"] == {"current_page": 1, "last_page": 1, "per_page": 30, "total": 3}
    assert body["data"] == [
        {
            "id": question.id,
            "ticket_id": ticket.id,
            "content": "It fails on Chrome.",
            "is_internal": False,
            "sender_type": "customer",
            "sender": {"id": customer.id, "name": "John Doe"},
            "is_first_response": False,
            "likes_count": 1,
            "liked": True,
            "created_at": "2026-03-02T09:00:00Z",
            "updated_at": "2026-03-02T09:00:00Z",
        },
        {
            "id": note.id,
            "ticket_id": ticket.id,
            "content": "Reproduced.",
            "is_internal": True,
            "sender_type": "staff",
            "sender": {"id": agent.user.id, "name": "Agent Smith"},
            "is_first_response": False,
            "likes_count": 0,
            "liked": False,
            "created_at": "2026-03-02T09:01:00Z",
            "updated_at": "2026-03-02T09:01:00Z",
        },
        {
            "id": answer.id,
            "ticket_id": ticket.id,
            "content": "Fixed, please retry.",
            "is_internal": False,
            "sender_type": "staff",
            "sender": {"id": agent.user.id, "name": "Agent Smith"},
            "is_first_response": True,
            "likes_count": 0,
            "liked": False,
            "created_at": "2026-03-02T09:02:00Z",
            "updated_at": "2026-03-02T09:02:00Z",
        },
    ]


async def test_likes_of_other_agents_count_but_are_not_the_agents_own(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    colleague = await desk.agent()
    ticket = await desk.ticket(colleague)
    message = await desk.reply(ticket, await desk.customer())
    await client.post(
        f"{URL}/tickets/{ticket.id}/messages/{message.id}/like", headers=colleague.headers
    )
    await desk.assign(ticket, agent)

    listed = data_of(await get(client, agent, f"/tickets/{ticket.id}/messages"))

    assert (listed[0]["likes_count"], listed[0]["liked"]) == (1, False)


async def test_messages_page_thirty_at_a_time(
    client: AsyncClient, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    ticket = await desk.ticket(agent)
    for n in range(32):
        frozen_clock.advance(seconds=1)
        await desk.reply(ticket, agent.user, f"Note {n}", note=True)

    first = (await get(client, agent, f"/tickets/{ticket.id}/messages")).json()
    second = (await get(client, agent, f"/tickets/{ticket.id}/messages", page=2)).json()

    assert [m["content"] for m in first["data"]] == [f"Note {n}" for n in range(30)]
    assert first["meta"] == {"current_page": 1, "last_page": 2, "per_page": 30, "total": 32}
    assert [m["content"] for m in second["data"]] == ["Note 30", "Note 31"]


async def test_a_ticket_without_messages_lists_none(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    response = await get(client, agent, f"/tickets/{ticket.id}/messages")

    assert response.json()["data"] == []
    assert response.json()["meta"]["total"] == 0


async def test_the_messages_of_an_unknown_ticket_are_404(client: AsyncClient, agent: Agent) -> None:
    response = await get(client, agent, "/tickets/999999/messages")

    assert response.status_code == 404
    assert response.json() == {"status": False, "message": "Ticket not found."}


async def test_a_bad_page_size_is_422(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    ticket = await desk.ticket(agent)

    response = await get(client, agent, f"/tickets/{ticket.id}/messages", per_page=0)

    assert response.status_code == 422
    assert "per_page" in response.json()["errors"]


async def test_the_list_costs_the_same_statements_whatever_its_length(
    client: AsyncClient,
    desk: Desk,
    agent: Agent,
    statements: StatementCounter,
    frozen_clock: FrozenClock,
) -> None:
    ticket = await desk.ticket(agent)
    colleague = await desk.agent()
    await desk.reply(ticket, colleague.user, "First note", note=True)
    path = f"/tickets/{ticket.id}/messages"
    await get(client, agent, path)  # the key's first use is written down once
    statements.start()
    await get(client, agent, path)
    with_one = statements.stop()
    for n in range(9):
        message = await desk.reply(ticket, await desk.customer(), f"Reply {n}")
        await client.post(f"{URL}{path}/{message.id}/like", headers=agent.headers)

    statements.start()
    response = await get(client, agent, path)
    with_ten = statements.stop()

    assert len(data_of(response)) == 10
    assert with_ten == with_one


# ====================================================================== reply


async def test_a_reply_is_created_as_the_agents_staff_reply(
    client: AsyncClient, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    ticket = await desk.ticket(agent)

    response = await _reply(client, agent, ticket.id, {"content": "Please clear your cache."})

    created = data_of(response, 201)
    assert created == {
        "id": created["id"],
        "ticket_id": ticket.id,
        "content": "Please clear your cache.",
        "is_internal": False,
        "sender_type": "staff",
        "sender": {"id": agent.user.id, "name": "Agent Smith"},
        "is_first_response": True,
        "likes_count": 0,
        "liked": False,
        "created_at": "2026-03-02T09:00:00Z",
        "updated_at": "2026-03-02T09:00:00Z",
    }
    listed = data_of(await get(client, agent, f"/tickets/{ticket.id}/messages"))
    assert [m["id"] for m in listed] == [created["id"]]


async def test_a_reply_updates_last_reply_at_and_answers_the_ticket(
    client: AsyncClient, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    ticket = await desk.ticket(agent)
    frozen_clock.advance(minutes=10)

    data_of(await _reply(client, agent, ticket.id, {"content": "On it."}), 201)

    found = data_of(await get(client, agent, f"/tickets/{ticket.id}"))
    assert found["last_reply_at"] == "2026-03-02T09:10:00Z"
    assert data_of(await get(client, agent, "/dashboard"))["needs_response"] == 0


async def test_only_the_first_reply_is_the_first_response(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    first = data_of(await _reply(client, agent, ticket.id, {"content": "One"}), 201)
    second = data_of(await _reply(client, agent, ticket.id, {"content": "Two"}), 201)

    assert (first["is_first_response"], second["is_first_response"]) == (True, False)


async def test_a_reply_stops_the_first_response_clock_in_the_portal(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    ticket = await desk.ticket(agent)
    frozen_clock.advance(minutes=3)

    data_of(await _reply(client, agent, ticket.id, {"content": "Looking."}), 201)

    admin = await make.user("admin")
    portal = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(admin))
    shown = portal.json()["ticket"]
    assert shown["first_responded_at"].startswith("2026-03-02T09:03:00")
    assert shown["messages"][-1]["body"] == "Looking."


async def test_a_reply_is_an_event_for_the_worker_to_notify_the_customer(
    client: AsyncClient, database: Database, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    created = data_of(await _reply(client, agent, ticket.id, {"content": "Done."}), 201)

    async with database.transaction() as session:
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.event_type == "ticket.replied")
        )
    assert event is not None
    assert event.payload["message_id"] == created["id"]
    assert event.payload["sender_type"] == "staff"


async def test_an_internal_note_is_no_reply(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    ticket = await desk.ticket(agent)

    created = data_of(
        await _reply(client, agent, ticket.id, {"content": "Escalating.", "is_internal": True}),
        201,
    )

    assert (created["is_internal"], created["is_first_response"]) == (True, False)
    found = data_of(await get(client, agent, f"/tickets/{ticket.id}"))
    assert found["last_reply_at"] is None
    assert data_of(await get(client, agent, "/dashboard"))["needs_response"] == 1


async def test_a_locked_ticket_takes_no_reply(
    client: AsyncClient, database: Database, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    await _lock(database, ticket)

    reply = await _reply(client, agent, ticket.id, {"content": "Hello?"})
    note = await _reply(client, agent, ticket.id, {"content": "Hm.", "is_internal": True})

    assert reply.status_code == 403
    assert reply.json() == {
        "status": False,
        "message": "This ticket is locked and takes no replies.",
    }
    assert note.status_code == 403
    assert data_of(await get(client, agent, f"/tickets/{ticket.id}/messages")) == []


async def test_a_ticket_locked_through_the_internal_api_takes_no_reply(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent
) -> None:
    internal = await make.api_key("internal")
    ticket = await desk.ticket(agent)
    locked = await client.put(
        f"/api/v1/internal/tickets/{ticket.id}",
        json={"is_locked": True},
        headers={"X-API-KEY": internal.raw_key},
    )
    assert locked.status_code == 200, locked.text

    reply = await _reply(client, agent, ticket.id, {"content": "Hello?"})

    assert reply.status_code == 403


async def test_content_is_required(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    ticket = await desk.ticket(agent)

    for body in ({}, {"content": ""}, {"content": "   "}, {"content": None}, {"content": 42}):
        response = await _reply(client, agent, ticket.id, body)

        assert response.status_code == 422, body
        assert "content" in response.json()["errors"]


async def test_is_internal_must_be_a_boolean(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    ticket = await desk.ticket(agent)

    response = await _reply(client, agent, ticket.id, {"content": "Hi", "is_internal": "maybe"})

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "is_internal": ["The is internal field must be true or false."]
    }


async def test_a_reply_to_an_unknown_ticket_is_404(client: AsyncClient, agent: Agent) -> None:
    response = await _reply(client, agent, 999999, {"content": "Hello"})

    assert response.status_code == 404


async def test_a_reply_to_a_closed_ticket_is_kept_closed(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent, status=TicketStatus.CLOSED)

    data_of(await _reply(client, agent, ticket.id, {"content": "One more thing."}), 201)

    assert data_of(await get(client, agent, f"/tickets/{ticket.id}"))["status"] == "closed"


async def test_a_nul_character_is_refused_and_nothing_is_posted(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    response = await _reply(client, agent, ticket.id, {"content": "bad\x00byte"})

    assert response.status_code == 422
    assert data_of(await get(client, agent, f"/tickets/{ticket.id}/messages")) == []
