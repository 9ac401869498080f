"""POST /api/tickets/{id}/messages: replies, internal notes and their attachments."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select, update

from supportdesk.core.db import Database
from supportdesk.models import Attachment, Message, Ticket
from tests.factories import Factory
from tests.support import FrozenClock


async def _post(
    client: AsyncClient, ticket_id: int, headers: dict[str, str], **body: Any
) -> Response:
    return await client.post(f"/api/tickets/{ticket_id}/messages", json=body, headers=headers)


async def _detail(client: AsyncClient, ticket_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"/api/tickets/{ticket_id}", headers=headers)
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


async def _set_status(
    client: AsyncClient, ticket_id: int, status: str, headers: dict[str, str]
) -> None:
    response = await client.patch(
        f"/api/tickets/{ticket_id}/status", json={"status": status}, headers=headers
    )
    assert response.status_code == 200, response.text


async def _count(database: Database, model: type) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# ------------------------------------------------------------------ replies


async def test_a_customer_replies_to_their_ticket(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer", name="Tunde Adeyemi")
    ticket = await make.ticket(by=customer)
    frozen_clock.advance(minutes=10)

    response = await _post(client, ticket.id, make.auth(customer), body="Still broken today")

    assert response.status_code == 201
    message = response.json()["message"]
    assert set(message) == {
        "id",
        "body",
        "type",
        "is_first_response",
        "user",
        "attachments",
        "created_at",
    }
    assert message["body"] == "Still broken today"
    assert message["type"] == "reply"
    assert message["is_first_response"] is False
    assert message["user"] == {"id": customer.id, "name": "Tunde Adeyemi"}
    assert message["attachments"] == []
    assert message["created_at"] == "2026-03-02T09:10:00Z"


async def test_an_agent_replies_to_a_ticket_of_their_project(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1], name="Alice Okafor")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _post(client, ticket.id, make.auth(agent), body="Have you cleared your cache?")

    assert response.status_code == 201
    message = response.json()["message"]
    assert message["type"] == "reply"
    assert message["user"] == {"id": agent.id, "name": "Alice Okafor"}
    detail = await _detail(client, ticket.id, make.auth(customer))
    assert [m["body"] for m in detail["messages"]] == ["Have you cleared your cache?"]


async def test_the_first_staff_reply_is_the_first_response(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    frozen_clock.advance(minutes=45)

    response = await _post(client, ticket.id, make.auth(agent), body="Looking into it")

    assert response.json()["message"]["is_first_response"] is True
    detail = await _detail(client, ticket.id, make.auth(agent))
    assert detail["first_responded_at"] == "2026-03-02T09:45:00Z"


async def test_later_staff_replies_are_not_the_first_response(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    frozen_clock.advance(minutes=10)
    await _post(client, ticket.id, make.auth(agent), body="First")
    frozen_clock.advance(minutes=10)

    response = await _post(client, ticket.id, make.auth(agent), body="Second")

    assert response.json()["message"]["is_first_response"] is False
    detail = await _detail(client, ticket.id, make.auth(agent))
    assert detail["first_responded_at"] == "2026-03-02T09:10:00Z"


async def test_a_customer_reply_is_never_the_first_response(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    customer_reply = await _post(client, ticket.id, make.auth(customer), body="Any update?")

    staff_reply = await _post(client, ticket.id, make.auth(agent), body="Yes, fixing it")

    assert customer_reply.json()["message"]["is_first_response"] is False
    assert staff_reply.json()["message"]["is_first_response"] is True


async def test_an_internal_note_does_not_stop_the_first_response_clock(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    note = await _post(client, ticket.id, make.auth(agent), body="Check logs", type="note")

    assert note.json()["message"]["is_first_response"] is False
    assert (await _detail(client, ticket.id, make.auth(agent)))["first_responded_at"] is None
    reply = await _post(client, ticket.id, make.auth(agent), body="We found it")
    assert reply.json()["message"]["is_first_response"] is True


async def test_an_admin_reply_is_a_first_response_too(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _post(client, ticket.id, make.auth(admin), body="Hello from the admin")

    assert response.status_code == 201
    assert response.json()["message"]["is_first_response"] is True


async def test_a_customer_reply_reopens_a_ticket_waiting_on_the_customer(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "pending_customer", make.auth(agent))

    response = await _post(client, ticket.id, make.auth(customer), body="Here is the info")

    assert response.status_code == 201
    assert (await _detail(client, ticket.id, make.auth(customer)))["status"] == "open"


async def test_a_customer_reply_reopens_a_resolved_ticket(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))

    await _post(client, ticket.id, make.auth(customer), body="It broke again")

    detail = await _detail(client, ticket.id, make.auth(customer))
    assert detail["status"] == "open"
    assert detail["resolved_at"] is None


async def test_a_customer_reply_reopens_a_closed_ticket(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "closed", make.auth(agent))

    response = await _post(client, ticket.id, make.auth(customer), body="Not fixed after all")

    assert response.status_code == 201
    detail = await _detail(client, ticket.id, make.auth(customer))
    assert (detail["status"], detail["closed_at"]) == ("open", None)


async def test_a_customer_reply_leaves_a_ticket_in_progress_in_progress(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "in_progress", make.auth(agent))

    await _post(client, ticket.id, make.auth(customer), body="Thanks")

    assert (await _detail(client, ticket.id, make.auth(customer)))["status"] == "in_progress"


async def test_a_staff_reply_leaves_a_ticket_waiting_on_the_customer_waiting(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "pending_customer", make.auth(agent))

    await _post(client, ticket.id, make.auth(agent), body="Any news on your side?")

    assert (await _detail(client, ticket.id, make.auth(agent)))["status"] == "pending_customer"


async def test_a_customer_reply_while_waiting_resumes_the_resolution_clock(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)  # medium: resolution due 2026-03-03 09:00
    frozen_clock.advance(hours=1)
    await _set_status(client, ticket.id, "pending_customer", make.auth(agent))
    frozen_clock.advance(hours=3)

    await _post(client, ticket.id, make.auth(customer), body="Sorry for the delay")

    detail = await _detail(client, ticket.id, make.auth(customer))
    assert detail["resolution_due_at"] == "2026-03-03T12:00:00Z"


# ------------------------------------------------------------------ notes


async def test_staff_add_an_internal_note(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _post(
        client, ticket.id, make.auth(agent), body="Customer is on the legacy plan", type="note"
    )

    assert response.status_code == 201
    assert response.json()["message"]["type"] == "note"


async def test_an_internal_note_is_hidden_from_the_customer(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _post(client, ticket.id, make.auth(agent), body="Visible answer")
    await _post(client, ticket.id, make.auth(agent), body="Staff only", type="note")

    as_customer = await _detail(client, ticket.id, make.auth(customer))
    as_agent = await _detail(client, ticket.id, make.auth(agent))

    assert [m["body"] for m in as_customer["messages"]] == ["Visible answer"]
    assert [m["body"] for m in as_agent["messages"]] == ["Visible answer", "Staff only"]


async def test_a_customer_may_not_add_an_internal_note(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _post(client, ticket.id, make.auth(customer), body="Sneaky", type="note")

    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    assert await _count(database, Message) == 0


# ------------------------------------------------------------------ validation


async def test_an_empty_body_is_refused(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _post(client, ticket.id, make.auth(customer), body="")

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"body": ["The body field is required."]},
    }
    assert await _count(database, Message) == 0


async def test_a_blank_body_is_refused(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _post(client, ticket.id, make.auth(customer), body="   \n ")

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["body"]


async def test_a_missing_body_is_refused(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _post(client, ticket.id, make.auth(customer))

    assert response.status_code == 422
    assert response.json()["details"] == {"body": ["The body field is required."]}


async def test_an_unknown_message_type_is_refused(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _post(client, ticket.id, make.auth(agent), body="Hi", type="system")

    assert response.status_code == 422
    assert response.json()["details"] == {"type": ["The selected type is invalid."]}


# ------------------------------------------------------------------ locked tickets


async def _lock(database: Database, ticket_id: int) -> None:
    async with database.transaction() as session:
        await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(is_locked=True))


async def test_a_locked_ticket_takes_no_customer_reply(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _lock(database, ticket.id)

    response = await _post(client, ticket.id, make.auth(customer), body="Hello?")

    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    assert await _count(database, Message) == 0


async def test_a_locked_ticket_takes_no_staff_reply(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _lock(database, ticket.id)

    response = await _post(client, ticket.id, make.auth(agent), body="Answer")

    assert response.status_code == 403
    assert (await _detail(client, ticket.id, make.auth(agent)))["is_locked"] is True


# ------------------------------------------------------------------ attachments


async def test_a_reply_carries_its_attachments(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    headers = make.auth(customer)

    response = await client.post(
        f"/api/tickets/{ticket.id}/messages",
        data={"body": "Screenshots attached"},
        files=[
            ("attachments[]", ("one.png", b"first image", "image/png")),
            ("attachments[]", ("two.png", b"second image", "image/png")),
        ],
        headers=headers,
    )

    assert response.status_code == 201, response.text
    message = response.json()["message"]
    assert message["body"] == "Screenshots attached"
    assert [a["filename"] for a in message["attachments"]] == ["one.png", "two.png"]
    assert [a["size"] for a in message["attachments"]] == [11, 12]
    detail = await _detail(client, ticket.id, headers)
    assert [a["filename"] for a in detail["messages"][0]["attachments"]] == ["one.png", "two.png"]
    assert [a["filename"] for a in detail["attachments"]] == ["one.png", "two.png"]
    downloaded = await client.get(message["attachments"][1]["url"], headers=headers)
    assert downloaded.status_code == 200
    assert downloaded.content == b"second image"


async def test_a_note_carries_its_attachments_for_staff(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.post(
        f"/api/tickets/{ticket.id}/messages",
        data={"body": "Server log", "type": "note"},
        files=[("attachments[]", ("server.log", b"ERROR 500", "text/plain"))],
        headers=make.auth(agent),
    )

    assert response.status_code == 201
    message = response.json()["message"]
    assert message["type"] == "note"
    assert [a["filename"] for a in message["attachments"]] == ["server.log"]


async def test_a_reply_with_a_file_over_the_limit_is_refused_and_nothing_is_stored(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.post(
        f"/api/tickets/{ticket.id}/messages",
        data={"body": "Video of the bug"},
        files=[("attachments[]", ("bug.mp4", b"x" * (1024 * 1024 + 1), "video/mp4"))],
        headers=make.auth(customer),
    )

    assert response.status_code == 413
    assert set(response.json()) == {"error"}
    assert await _count(database, Message) == 0
    assert await _count(database, Attachment) == 0


async def test_a_text_part_among_the_attachments_is_refused_and_nothing_is_stored(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.post(
        f"/api/tickets/{ticket.id}/messages",
        data={"body": "Screenshot attached", "attachments[]": "not a file"},
        files=[("attachments[]", ("one.png", b"an image", "image/png"))],
        headers=make.auth(customer),
    )

    assert response.status_code == 422
    assert response.json()["details"] == {
        "attachments": ["The attachments field must contain only files."]
    }
    assert await _count(database, Message) == 0
    assert await _count(database, Attachment) == 0


# ------------------------------------------------------------------ who may reply


async def test_replying_to_another_customers_ticket_is_not_found(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    owner = await make.user("customer")
    stranger = await make.user("customer")
    ticket = await make.ticket(by=owner)

    response = await _post(client, ticket.id, make.auth(stranger), body="Hi")

    assert response.status_code == 404
    assert await _count(database, Message) == 0


async def test_replying_to_a_ticket_of_another_project_is_not_found_for_an_agent(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)

    response = await _post(client, ticket.id, make.auth(agent), body="Hi")

    assert response.status_code == 404


async def test_replying_to_a_deleted_ticket_is_not_found(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    response = await _post(client, ticket.id, make.auth(customer), body="Hello?")

    assert response.status_code == 404
