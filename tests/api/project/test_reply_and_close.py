"""POST /tickets/{number}/reply and /close: a project speaks for the ticket's customer."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update

from supportdesk.core.db import Database
from supportdesk.core.enums import SenderType
from supportdesk.models import Activity, Message, OutboxEvent, Ticket, User
from tests.api.project.conftest import Connected, open_ticket
from tests.factories import Factory
from tests.support import FrozenClock

URL = "/api/external/tickets"


async def _reply(
    client: AsyncClient,
    connected: Connected,
    number: str,
    body: str = "It still fails.",
    email: str = "tunde@gmail.test",
) -> Any:
    return await client.post(
        f"{URL}/{number}/reply",
        json={"body": body, "customer_email": email},
        headers=connected.headers,
    )


async def _close(
    client: AsyncClient, connected: Connected, number: str, email: str = "tunde@gmail.test"
) -> Any:
    return await client.post(
        f"{URL}/{number}/close", json={"customer_email": email}, headers=connected.headers
    )


async def _set_status(client: AsyncClient, make: Factory, ticket_id: int, status: str) -> None:
    admin = await make.user("admin")
    response = await client.patch(
        f"/api/tickets/{ticket_id}/status", json={"status": status}, headers=make.auth(admin)
    )
    assert response.status_code == 200, response.text


async def _portal_ticket(client: AsyncClient, make: Factory, ticket_id: int) -> dict[str, Any]:
    admin = await make.user("admin")
    response = await client.get(f"/api/tickets/{ticket_id}", headers=make.auth(admin))
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


# ====================================================================== reply


async def test_a_reply_answers_as_the_reference_shows(
    client: AsyncClient, naija: Connected
) -> None:
    created = await open_ticket(client, naija)

    response = await _reply(client, naija, created["ticket_number"])

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "message_id": body["message_id"],
        "ticket": "NAIJ-2026-00001",
        "status": "open",
    }
    assert isinstance(body["message_id"], int)


async def test_a_reply_is_the_customers_own(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija)

    response = await _reply(client, naija, created["ticket_number"])

    async with database.transaction() as session:
        message = await session.get(Message, response.json()["message_id"])
        customer = await session.scalar(select(User).where(User.email == "tunde@gmail.test"))
    assert message is not None and customer is not None
    assert message.sender_type is SenderType.CUSTOMER
    assert message.author_id == customer.id
    assert message.body == "It still fails."


async def test_the_reply_shows_in_the_portal_under_the_customers_name(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    created = await open_ticket(client, naija)
    await _reply(client, naija, created["ticket_number"])

    ticket = await _portal_ticket(client, make, created["ticket_id"])

    assert [(m["body"], m["user"]["name"]) for m in ticket["messages"]] == [
        ("It still fails.", "Tunde Adeyemi")
    ]


async def test_the_customer_email_matches_whatever_its_case(
    client: AsyncClient, naija: Connected
) -> None:
    created = await open_ticket(client, naija)

    response = await _reply(client, naija, created["ticket_number"], email="TUNDE@Gmail.test")

    assert response.status_code == 201


@pytest.mark.parametrize("status", ["pending_customer", "resolved"])
async def test_a_reply_reopens_a_ticket_waiting_on_or_resolved_for_the_customer(
    client: AsyncClient, naija: Connected, make: Factory, status: str
) -> None:
    created = await open_ticket(client, naija)
    await _set_status(client, make, created["ticket_id"], status)

    response = await _reply(client, naija, created["ticket_number"])

    assert response.json()["status"] == "open"
    ticket = await _portal_ticket(client, make, created["ticket_id"])
    assert ticket["status"] == "open"
    assert ticket["resolved_at"] is None


async def test_a_reply_reopens_a_ticket_the_customer_closed(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    created = await open_ticket(client, naija)
    await _close(client, naija, created["ticket_number"])

    response = await _reply(client, naija, created["ticket_number"])

    assert response.status_code == 201
    assert response.json()["status"] == "open"
    ticket = await _portal_ticket(client, make, created["ticket_id"])
    assert (ticket["status"], ticket["closed_at"]) == ("open", None)


async def test_a_reply_leaves_a_ticket_in_progress_in_progress(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    created = await open_ticket(client, naija)
    await _set_status(client, make, created["ticket_id"], "in_progress")

    response = await _reply(client, naija, created["ticket_number"])

    assert response.json()["status"] == "in_progress"


async def test_a_reply_is_not_a_first_response(
    client: AsyncClient, naija: Connected, make: Factory
) -> None:
    created = await open_ticket(client, naija)

    await _reply(client, naija, created["ticket_number"])

    ticket = await _portal_ticket(client, make, created["ticket_id"])
    assert ticket["first_responded_at"] is None


async def test_a_reply_records_the_key_and_queues_an_event(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija)

    response = await _reply(client, naija, created["ticket_number"])

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity).where(Activity.action == "message_added"))
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.event_type == "ticket.replied")
        )
    assert activity is not None
    assert activity.api_key_id == naija.key.api_key.id
    assert activity.user_id is None
    assert event is not None
    assert event.payload["message_id"] == response.json()["message_id"]
    assert event.payload["sender_type"] == "customer"


async def test_a_reply_to_a_ticket_opened_for_someone_in_the_portal_is_theirs(
    client: AsyncClient, naija: Connected, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[naija.project.id])
    ticket = await make.ticket(
        by=agent,
        project_id=naija.project.id,
        customer_name="Ngozi Eze",
        customer_email="ngozi@example.test",
    )

    response = await _reply(client, naija, ticket.ticket_number, email="ngozi@example.test")

    assert response.status_code == 201
    async with database.transaction() as session:
        message = await session.get(Message, response.json()["message_id"])
        customer = await session.scalar(select(User).where(User.email == "ngozi@example.test"))
    assert message is not None and customer is not None
    assert customer.name == "Ngozi Eze"
    assert message.author_id == customer.id


async def test_a_reply_with_another_email_is_forbidden(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija)

    response = await _reply(client, naija, created["ticket_number"], email="ada@example.test")

    assert response.status_code == 403
    assert response.json() == {"error": "The customer email does not match this ticket."}
    async with database.transaction() as session:
        assert await session.scalar(select(Message)) is None


async def test_a_reply_to_a_locked_ticket_is_forbidden(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija)
    async with database.transaction() as session:
        await session.execute(
            update(Ticket).where(Ticket.id == created["ticket_id"]).values(is_locked=True)
        )

    response = await _reply(client, naija, created["ticket_number"])

    assert response.status_code == 403
    assert response.json() == {"error": "This ticket is locked and takes no replies."}


async def test_a_reply_to_an_unknown_number_is_not_found(
    client: AsyncClient, naija: Connected
) -> None:
    response = await _reply(client, naija, "NAIJ-2026-00404")

    assert response.status_code == 404
    assert response.json() == {"error": "Ticket not found."}


@pytest.mark.parametrize(
    ("payload", "details"),
    [
        (
            {},
            {
                "body": ["The body field is required."],
                "customer_email": ["The customer email field is required."],
            },
        ),
        (
            {"body": "  ", "customer_email": "tunde@gmail.test"},
            {"body": ["The body field is required."]},
        ),
        (
            {"body": "Hi", "customer_email": "tunde"},
            {"customer_email": ["The customer email field must be a valid email address."]},
        ),
        (
            {"body": 42, "customer_email": "tunde@gmail.test"},
            {"body": ["The body field must be a string."]},
        ),
    ],
)
async def test_an_invalid_reply_is_refused_by_field(
    client: AsyncClient, naija: Connected, payload: dict[str, Any], details: dict[str, Any]
) -> None:
    created = await open_ticket(client, naija)

    response = await client.post(
        f"{URL}/{created['ticket_number']}/reply", json=payload, headers=naija.headers
    )

    assert response.status_code == 422
    assert response.json() == {"error": "Validation failed.", "details": details}


# ====================================================================== close


async def test_closing_answers_as_the_reference_shows(
    client: AsyncClient, naija: Connected
) -> None:
    created = await open_ticket(client, naija)

    response = await _close(client, naija, created["ticket_number"])

    assert response.status_code == 200
    assert response.json() == {"message": "Ticket closed", "ticket": "NAIJ-2026-00001"}


async def test_a_closed_ticket_is_closed_everywhere(
    client: AsyncClient, naija: Connected, make: Factory, frozen_clock: FrozenClock
) -> None:
    created = await open_ticket(client, naija)
    frozen_clock.advance(hours=1)

    await _close(client, naija, created["ticket_number"])

    external = await client.get(f"{URL}/{created['ticket_number']}", headers=naija.headers)
    assert external.json()["ticket"]["status"] == "closed"
    ticket = await _portal_ticket(client, make, created["ticket_id"])
    assert ticket["status"] == "closed"
    assert ticket["closed_at"] == "2026-03-02T10:00:00Z"


async def test_closing_records_the_status_change(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija)

    await _close(client, naija, created["ticket_number"])

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity).where(Activity.action == "status_changed"))
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.event_type == "ticket.status_changed")
        )
    assert activity is not None
    assert activity.changes == {"status": ["open", "closed"]}
    assert activity.api_key_id == naija.key.api_key.id
    assert event is not None
    assert (event.payload["from"], event.payload["to"]) == ("open", "closed")


async def test_closing_a_closed_ticket_again_is_harmless(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    created = await open_ticket(client, naija)
    await _close(client, naija, created["ticket_number"])

    response = await _close(client, naija, created["ticket_number"])

    assert response.status_code == 200
    async with database.transaction() as session:
        changes = (
            await session.scalars(select(Activity).where(Activity.action == "status_changed"))
        ).all()
    assert len(changes) == 1


async def test_closing_with_another_email_is_forbidden(
    client: AsyncClient, naija: Connected
) -> None:
    created = await open_ticket(client, naija)

    response = await _close(client, naija, created["ticket_number"], email="ada@example.test")

    assert response.status_code == 403
    external = await client.get(f"{URL}/{created['ticket_number']}", headers=naija.headers)
    assert external.json()["ticket"]["status"] == "open"


async def test_closing_an_unknown_number_is_not_found(
    client: AsyncClient, naija: Connected
) -> None:
    response = await _close(client, naija, "NAIJ-2026-00404")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "The customer email field is required."),
        ({"customer_email": "nobody"}, "The customer email field must be a valid email address."),
    ],
)
async def test_closing_needs_a_valid_customer_email(
    client: AsyncClient, naija: Connected, payload: dict[str, Any], message: str
) -> None:
    created = await open_ticket(client, naija)

    response = await client.post(
        f"{URL}/{created['ticket_number']}/close", json=payload, headers=naija.headers
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"customer_email": [message]},
    }
