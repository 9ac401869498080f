"""A ticket's messages through the internal API, and the same ticket in the portal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.models import Ticket
from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory
from tests.support import FrozenClock


async def _ticket(api: Admin, make: Factory, **fields: Any) -> dict[str, Any]:
    customer = fields.pop("customer", None) or await make.user("customer")
    body = {"customer_id": customer.id, "title": "Cannot log in", "content": "Help", **fields}
    created: dict[str, Any] = await api.created("/tickets", body)
    return created


async def test_a_staff_reply_sets_the_last_reply_and_is_the_first_response(
    api: Admin, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    ticket = await _ticket(api, make)
    frozen_clock.advance(minutes=5)
    message = await api.created(f"/tickets/{ticket['id']}/messages", {"content": "On it."})
    assert {k: message[k] for k in ("ticket_id", "content", "is_internal", "sender_type")} == {
        "ticket_id": ticket["id"],
        "content": "On it.",
        "is_internal": False,
        "sender_type": "staff",
    }
    assert message["created_at"] == "2026-03-02T09:05:00Z"
    shown = await api.data(f"/tickets/{ticket['id']}")
    assert shown["last_reply_at"] == "2026-03-02T09:05:00Z"
    async with database.transaction() as session:
        stored = await session.scalar(select(Ticket).where(Ticket.id == ticket["id"]))
        assert stored is not None
        assert stored.last_reply_by == "staff"
        assert stored.first_responded_at is not None


async def test_an_internal_note_is_no_reply(api: Admin, make: Factory) -> None:
    ticket = await _ticket(api, make)
    note = await api.created(
        f"/tickets/{ticket['id']}/messages", {"content": "Check logs", "is_internal": True}
    )
    assert note["is_internal"] is True
    assert (await api.data(f"/tickets/{ticket['id']}"))["last_reply_at"] is None


async def test_messages_are_listed_oldest_first_with_notes(
    api: Admin, make: Factory, frozen_clock: FrozenClock
) -> None:
    ticket = await _ticket(api, make)
    for text, internal in (("one", False), ("two", True), ("three", False)):
        frozen_clock.advance(minutes=1)
        await api.created(
            f"/tickets/{ticket['id']}/messages", {"content": text, "is_internal": internal}
        )
    body = (await api.get(f"/tickets/{ticket['id']}/messages", per_page=2)).json()
    assert [m["content"] for m in body["data"]] == ["one", "two"]
    assert body["meta"] == {"current_page": 1, "last_page": 2, "per_page": 2, "total": 3}
    assert (await api.get(f"/tickets/{ticket['id']}/messages")).json()["meta"]["per_page"] == 15


async def test_a_locked_ticket_takes_no_reply(api: Admin, make: Factory) -> None:
    ticket = await _ticket(api, make)
    await api.put(f"/tickets/{ticket['id']}", {"is_locked": True})
    response = await api.post(f"/tickets/{ticket['id']}/messages", {"content": "Hi"})
    assert response.status_code == 403
    assert response.json()["status"] is False


async def test_message_validation_and_unknown_tickets(api: Admin, make: Factory) -> None:
    ticket = await _ticket(api, make)
    assert errors_of(await api.post(f"/tickets/{ticket['id']}/messages", {"content": "  "})) == {
        "content": ["The content field is required."]
    }
    assert list(
        errors_of(
            await api.post(
                f"/tickets/{ticket['id']}/messages", {"content": "x", "is_internal": "maybe"}
            )
        )
    ) == ["is_internal"]
    assert (await api.post("/tickets/999/messages", {"content": "x"})).status_code == 404
    assert (await api.get("/tickets/999/messages")).status_code == 404


async def test_is_internal_is_true_or_false_not_a_number(api: Admin, make: Factory) -> None:
    ticket = await _ticket(api, make)

    response = await api.post(
        f"/tickets/{ticket['id']}/messages", {"content": "Checked the logs", "is_internal": 1}
    )

    assert errors_of(response) == {"is_internal": ["The is internal field must be true or false."]}
    assert await api.data(f"/tickets/{ticket['id']}/messages") == []


# ------------------------------------------------------------------ across surfaces


async def test_a_ticket_created_here_is_the_same_ticket_in_the_portal(
    api: Admin, make: Factory
) -> None:
    customer = await make.user("customer", name="John Doe", email="john@example.test")
    category = await make.category("Account Issues")
    label = await make.tag("Bug", color="#e74c3c")
    ticket = await _ticket(api, make, customer=customer, category_id=category.id, priority="high")
    await api.put(f"/tickets/{ticket['id']}", {"labels": [label.id]})

    admin = await make.user("admin")
    response = await api.client.get(f"/api/tickets/{ticket['id']}", headers=make.auth(admin))
    assert response.status_code == 200, response.text
    portal = response.json()["ticket"]
    assert portal["subject"] == ticket["title"]
    assert portal["description"] == ticket["content"]
    assert portal["priority"] == "high"
    assert portal["status"] == "open"
    assert portal["category"]["name"] == "Account Issues"
    assert portal["customer_name"] == "John Doe"
    assert portal["customer_email"] == "john@example.test"
    assert [tag["name"] for tag in portal["tags"]] == ["Bug"]
    assert portal["project"]["id"] == 1

    # The customer sees it as their own.
    mine = await api.client.get(f"/api/tickets/{ticket['id']}", headers=make.auth(customer))
    assert mine.status_code == 200


async def test_a_portal_reply_appears_in_this_apis_message_list(api: Admin, make: Factory) -> None:
    customer = await make.user("customer", name="John Doe")
    ticket = await _ticket(api, make, customer=customer)
    await api.created(f"/tickets/{ticket['id']}/messages", {"content": "Staff reply"})
    reply = await api.client.post(
        f"/api/tickets/{ticket['id']}/messages",
        json={"body": "Customer reply"},
        headers=make.auth(customer),
    )
    assert reply.status_code == 201, reply.text

    messages = await api.data(f"/tickets/{ticket['id']}/messages")
    assert [(m["content"], m["sender_type"]) for m in messages] == [
        ("Staff reply", "staff"),
        ("Customer reply", "customer"),
    ]
    assert messages[1]["sender"] == {"id": customer.id, "name": "John Doe"}


async def test_a_reply_posted_here_reaches_the_customer_in_the_portal(
    api: Admin, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await _ticket(api, make, customer=customer)
    await api.created(f"/tickets/{ticket['id']}/messages", {"content": "Public answer"})
    await api.created(
        f"/tickets/{ticket['id']}/messages", {"content": "Secret", "is_internal": True}
    )
    response = await api.client.get(f"/api/tickets/{ticket['id']}", headers=make.auth(customer))
    assert [m["body"] for m in response.json()["ticket"]["messages"]] == ["Public answer"]
