"""Conversations: a ticket's messages through the REST API, and in the portal."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from supportdesk.models import Ticket
from tests.api.rest.conftest import Bearer, assert_error, create_ticket
from tests.factories import Factory
from tests.support import FrozenClock


async def _post(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/conversations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _list(client: AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/conversations", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_reference_example_posts_a_reply(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)

    data = await _post(
        client,
        headers,
        ticket_id=ticket["id"],
        content="Thank you for reaching out...",
        type="reply",
        internal=False,
    )

    assert data["id"].startswith("conv_")
    assert data["ticket_id"] == ticket["id"]
    assert data["type"] == "reply"
    assert data["internal"] is False
    assert data["content_text"] == "Thank you for reaching out..."
    assert data["created_at"].endswith("Z")


async def test_content_text_is_the_plain_text_of_the_content(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)

    data = await _post(
        client,
        headers,
        ticket_id=ticket["id"],
        content="<p>Hello <b>Tunde</b> &amp; team,</p><p>Fixed.<script>x()</script></p>",
    )

    assert data["content_text"] == "Hello Tunde & team,\n\nFixed."
    assert data["content"].startswith("<p>Hello")


async def test_internal_true_adds_a_private_note(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    headers = await bearer.key()

    note = await _post(
        client, headers, ticket_id=f"tkt_{ticket.id}", content="Check logs", internal=True
    )
    seen_by_staff = await _list(client, headers, ticket_id=f"tkt_{ticket.id}")
    seen_by_customer = await _list(client, bearer.user(customer), ticket_id=f"tkt_{ticket.id}")
    portal = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(customer))

    assert note["type"] == "note" and note["internal"] is True
    assert [row["id"] for row in seen_by_staff["data"]] == [note["id"]]
    assert seen_by_customer["data"] == []
    assert portal.json()["ticket"]["messages"] == []


async def test_a_customer_note_is_refused(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.post(
        "/api/v1/conversations",
        json={"ticket_id": f"tkt_{ticket.id}", "content": "psst", "internal": True},
        headers=bearer.user(customer),
    )

    assert_error(response, 403, "FORBIDDEN")


async def test_a_customer_reply_shows_in_the_portal(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    reply = await _post(
        client, bearer.user(customer), ticket_id=f"tkt_{ticket.id}", content="Any news?"
    )
    portal = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(customer))

    messages = portal.json()["ticket"]["messages"]
    assert [message["id"] for message in messages] == [int(reply["id"].removeprefix("conv_"))]
    assert messages[0]["body"] == "Any news?"


async def test_list_filters_by_ticket_type_and_internal(
    client: AsyncClient, bearer: Bearer, frozen_clock: FrozenClock
) -> None:
    headers = await bearer.key()
    first = await create_ticket(client, headers)
    second = await create_ticket(client, headers)
    reply = await _post(client, headers, ticket_id=first["id"], content="Reply")
    frozen_clock.advance(seconds=1)
    note = await _post(client, headers, ticket_id=first["id"], content="Note", type="note")
    other = await _post(client, headers, ticket_id=second["id"], content="Elsewhere")

    def ids(body: dict[str, Any]) -> list[str]:
        return [row["id"] for row in body["data"]]

    assert ids(await _list(client, headers, ticket_id=first["id"])) == [reply["id"], note["id"]]
    assert ids(await _list(client, headers, type="note")) == [note["id"]]
    assert ids(await _list(client, headers, internal="false")) == [reply["id"], other["id"]]
    assert ids(await _list(client, headers, internal="true")) == [note["id"]]
    assert ids(await _list(client, headers, type="system")) == []
    assert (await _list(client, headers))["meta"] == {
        "limit": 50,
        "total": 3,
        "next_cursor": None,
    }


async def test_the_list_pages_with_a_cursor(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)
    posted = [
        (await _post(client, headers, ticket_id=ticket["id"], content=f"Reply {n}"))["id"]
        for n in range(5)
    ]

    first = await _list(client, headers, limit=2)
    second = await _list(client, headers, limit=2, cursor=first["meta"]["next_cursor"])
    third = await _list(client, headers, limit=2, cursor=second["meta"]["next_cursor"])

    walked = [row["id"] for page in (first, second, third) for row in page["data"]]
    assert walked == posted
    assert third["meta"]["next_cursor"] is None


async def test_get_returns_one_conversation(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)
    reply = await _post(client, headers, ticket_id=ticket["id"], content="Hi")

    response = await client.get(f"/api/v1/conversations/{reply['id']}", headers=headers)

    assert response.status_code == 200
    assert response.json()["data"] == reply


async def test_a_note_does_not_exist_for_a_customer(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    note = await _post(
        client, await bearer.key(), ticket_id=f"tkt_{ticket.id}", content="x", internal=True
    )

    response = await client.get(
        f"/api/v1/conversations/{note['id']}", headers=bearer.user(customer)
    )

    assert_error(response, 404, "NOT_FOUND")


async def test_unknown_and_malformed_ids_are_404(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()

    for conversation_id in ("conv_999", "tkt_1", "1", "conv_x"):
        response = await client.get(f"/api/v1/conversations/{conversation_id}", headers=headers)
        assert_error(response, 404, "NOT_FOUND")
    unknown_ticket = await client.get(
        "/api/v1/conversations", params={"ticket_id": "tkt_999"}, headers=headers
    )
    assert_error(unknown_ticket, 404, "NOT_FOUND")


async def test_posting_to_an_unknown_ticket_is_404(client: AsyncClient, bearer: Bearer) -> None:
    response = await client.post(
        "/api/v1/conversations",
        json={"ticket_id": "tkt_999", "content": "Hello"},
        headers=await bearer.key(),
    )

    assert_error(response, 404, "NOT_FOUND")


async def test_invalid_conversations_are_400(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)

    for body, field in (
        ({"ticket_id": ticket["id"], "content": ""}, "content"),
        ({"ticket_id": ticket["id"], "content": "x", "type": "system"}, "type"),
        ({"ticket_id": "ticket-1", "content": "x"}, "ticket_id"),
        ({"content": "x"}, "ticket_id"),
    ):
        response = await client.post("/api/v1/conversations", json=body, headers=headers)
        assert field in assert_error(response, 400, "BAD_REQUEST")["details"]
    bad_cursor = await client.get(
        "/api/v1/conversations", params={"cursor": "garbage"}, headers=headers
    )
    assert_error(bad_cursor, 400, "BAD_REQUEST")


async def test_message_scopes_are_required_of_keys(client: AsyncClient, bearer: Bearer) -> None:
    ticket = await create_ticket(client, await bearer.key())
    headers = await bearer.key("tickets:read")

    listed = await client.get("/api/v1/conversations", headers=headers)
    posted = await client.post(
        "/api/v1/conversations", json={"ticket_id": ticket["id"], "content": "x"}, headers=headers
    )

    assert_error(listed, 403, "FORBIDDEN")
    assert_error(posted, 403, "FORBIDDEN")


async def test_a_key_with_messages_create_may_add_notes(
    client: AsyncClient, bearer: Bearer
) -> None:
    ticket = await create_ticket(client, await bearer.key())

    note = await _post(
        client,
        await bearer.key("messages:create"),
        ticket_id=ticket["id"],
        content="Internal",
        internal=True,
    )

    assert note["internal"] is True


async def test_a_locked_ticket_takes_no_conversation(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, subject="Locked")
    async with make.database.transaction() as session:
        stored = await session.get(Ticket, ticket.id)
        assert stored is not None
        stored.is_locked = True

    response = await client.post(
        "/api/v1/conversations",
        json={"ticket_id": f"tkt_{ticket.id}", "content": "Hello"},
        headers=await bearer.key(),
    )

    assert_error(response, 403, "FORBIDDEN")
