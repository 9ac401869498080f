"""GET /api/v1/tickets: filters, orderings and the cursor walk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import insert

from supportdesk.core.db import Database
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.models import Ticket
from tests.api.rest.conftest import Bearer, assert_error, create_ticket
from tests.factories import Factory
from tests.support import FrozenClock

BASE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


async def _list(client: AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/tickets", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _subjects(client: AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    return [row["subject"] for row in (await _list(client, headers, **params))["data"]]


async def _insert_tickets(database: Database, count: int, shared: int) -> None:
    """``count`` tickets; the first ``shared`` of them created in one same instant.

    Priorities and update times repeat too, so every ordering has long runs of ties.
    """
    priorities = list(Priority)
    rows = []
    for n in range(1, count + 1):
        created = BASE if n <= shared else BASE + timedelta(seconds=n)
        rows.append(
            {
                "project_id": 1,
                "year": 2026,
                "number": n,
                "ticket_number": f"DEF-2026-{n:05d}",
                "subject": f"Ticket {n}",
                "description": "Bulk",
                "status": TicketStatus.OPEN,
                "priority": priorities[n % len(priorities)],
                "created_at": created,
                "updated_at": BASE + timedelta(minutes=n % 3),
                "last_activity_at": created,
            }
        )
    async with database.transaction() as session:
        await session.execute(insert(Ticket), rows)


async def _walk(
    client: AsyncClient, headers: dict[str, str], **params: Any
) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {**params, "limit": 7, **({"cursor": cursor} if cursor else {})}
        body = await _list(client, headers, **query)
        assert body["meta"]["limit"] == 7
        assert body["meta"]["total"] == 250
        seen += [row["id"] for row in body["data"]]
        pages += 1
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return seen, pages


@pytest.mark.parametrize("order_by", ["created_at", "updated_at", "priority"])
@pytest.mark.parametrize("order_dir", ["asc", "desc"])
async def test_the_cursor_walks_every_ticket_exactly_once(
    client: AsyncClient, bearer: Bearer, database: Database, order_by: str, order_dir: str
) -> None:
    await _insert_tickets(database, 250, shared=50)
    headers = await bearer.key("tickets:list")

    seen, pages = await _walk(client, headers, order_by=order_by, order_dir=order_dir)

    assert len(seen) == 250
    assert len(set(seen)) == 250
    assert pages == 36  # 35 full pages of 7 and one of 5


async def test_the_walk_follows_the_order_asked_for(
    client: AsyncClient, bearer: Bearer, database: Database
) -> None:
    await _insert_tickets(database, 20, shared=0)
    headers = await bearer.key()

    ascending = await _subjects(client, headers, order_by="created_at", order_dir="asc")
    descending = await _subjects(client, headers)
    by_priority = await _list(client, headers, order_by="priority", order_dir="desc")

    assert ascending == [f"Ticket {n}" for n in range(1, 21)]
    assert descending == list(reversed(ascending))
    priorities = [row["priority"] for row in by_priority["data"]]
    assert priorities == sorted(priorities, key=list(Priority).index, reverse=True)


async def test_an_iso_timestamp_cursor_continues_after_that_instant(
    client: AsyncClient, bearer: Bearer, database: Database
) -> None:
    await _insert_tickets(database, 10, shared=0)
    headers = await bearer.key()
    cursor = (BASE + timedelta(seconds=4)).strftime("%Y-%m-%dT%H:%M:%SZ")

    older = await _subjects(client, headers, cursor=cursor)
    newer = await _subjects(client, headers, cursor=cursor, order_dir="asc")

    assert older == ["Ticket 3", "Ticket 2", "Ticket 1"]
    assert newer == [f"Ticket {n}" for n in range(5, 11)]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "2025-13-45T99:00:00Z"},
        {"cursor": "eyJmb28iOiAxfQ"},  # valid base64 JSON of another shape
        {"cursor": "2026-01-05T08:00:00Z", "order_by": "priority"},
        {"limit": 0},
        {"limit": 101},
        {"order_by": "subject"},
        {"order_dir": "sideways"},
        {"status": "archived"},
        {"assignee_id": "42"},
        {"customer_id": "user_1"},
    ],
)
async def test_invalid_list_parameters_are_400(
    client: AsyncClient, bearer: Bearer, params: dict[str, Any]
) -> None:
    response = await client.get("/api/v1/tickets", params=params, headers=await bearer.key())

    assert_error(response, 400, "BAD_REQUEST")


async def test_a_cursor_of_another_ordering_is_400(
    client: AsyncClient, bearer: Bearer, database: Database
) -> None:
    await _insert_tickets(database, 5, shared=0)
    headers = await bearer.key()
    cursor = (await _list(client, headers, limit=2))["meta"]["next_cursor"]

    response = await client.get(
        "/api/v1/tickets", params={"cursor": cursor, "order_dir": "asc"}, headers=headers
    )

    assert_error(response, 400, "BAD_REQUEST")


async def test_the_last_page_has_no_next_cursor(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    await create_ticket(client, headers)

    body = await _list(client, headers, limit=1)

    assert body["meta"] == {"limit": 1, "total": 1, "next_cursor": None}


async def test_filters_by_status_with_pending_meaning_waiting_on_the_customer(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    waiting = await create_ticket(client, headers, subject="Waiting")
    await create_ticket(client, headers, subject="Open")
    await client.patch(
        f"/api/v1/tickets/{waiting['id']}", json={"status": "pending"}, headers=headers
    )

    assert await _subjects(client, headers, status="pending") == ["Waiting"]
    assert await _subjects(client, headers, status="open") == ["Open"]


async def test_filters_by_priority_assignee_customer_and_unassigned(
    client: AsyncClient, bearer: Bearer, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    headers = await bearer.key()
    first = await create_ticket(
        client, headers, subject="First", priority="high", customer_email="a@example.com"
    )
    frozen_clock.advance(seconds=1)
    await create_ticket(client, headers, subject="Second", customer_email="b@example.com")
    await client.patch(
        f"/api/v1/tickets/{first['id']}", json={"assignee_id": f"user_{agent.id}"}, headers=headers
    )

    assert await _subjects(client, headers, priority="high") == ["First"]
    assert await _subjects(client, headers, assignee_id=f"user_{agent.id}") == ["First"]
    assert await _subjects(client, headers, unassigned="true") == ["Second"]
    assert await _subjects(client, headers, customer_id=first["customer"]["id"]) == ["First"]


async def test_filters_by_tags_all_of_which_must_match(
    client: AsyncClient, bearer: Bearer, frozen_clock: FrozenClock
) -> None:
    headers = await bearer.key()
    await create_ticket(client, headers, subject="Both", tags=["billing", "priority"])
    frozen_clock.advance(seconds=1)
    await create_ticket(client, headers, subject="Billing only", tags=["billing"])

    assert await _subjects(client, headers, tags="billing,priority") == ["Both"]
    assert await _subjects(client, headers, tags="Billing") == ["Billing only", "Both"]
    assert await _subjects(client, headers, tags="unknown") == []


async def test_search_matches_the_subject_or_the_description(
    client: AsyncClient, bearer: Bearer, frozen_clock: FrozenClock
) -> None:
    headers = await bearer.key()
    await create_ticket(client, headers, subject="Invoice missing", description="Where is it?")
    frozen_clock.advance(seconds=1)
    await create_ticket(client, headers, subject="Login", description="The invoice page fails")
    frozen_clock.advance(seconds=1)
    await create_ticket(client, headers, subject="Other", description="Nothing to see")

    assert await _subjects(client, headers, search="invoice") == ["Login", "Invoice missing"]
    assert await _subjects(client, headers, search="login") == ["Login"]
    assert await _subjects(client, headers, search="%") == []


async def test_a_nul_in_a_text_filter_is_400_on_every_database(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()

    for url, params in (
        ("/api/v1/tickets", {"search": "a\x00b"}),
        ("/api/v1/tickets", {"tags": "a\x00"}),
        ("/api/v1/customers", {"email": "\x00@example.com"}),
        ("/api/v1/articles", {"search": "\x00"}),
    ):
        response = await client.get(url, params=params, headers=headers)
        assert_error(response, 400, "BAD_REQUEST")
