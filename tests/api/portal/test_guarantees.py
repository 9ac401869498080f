"""The guarantees every ticket endpoint rests on: numbering, statement cost, atomicity."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.core import clock
from supportdesk.core.db import Database
from supportdesk.models import Activity, OutboxEvent, Tag, Ticket
from supportdesk.repositories.tickets import TicketRepository
from tests.factories import Factory
from tests.support import StatementCounter


async def test_concurrent_creations_get_distinct_consecutive_numbers(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)
    body = {"project_id": 1, "subject": "Concurrent", "description": "Fifty at once"}

    responses = await asyncio.gather(
        *(client.post("/api/tickets", json=body, headers=headers) for _ in range(50))
    )

    assert [r.status_code for r in responses] == [201] * 50
    numbers = sorted(int(r.json()["ticket"]["ticket_number"].rsplit("-", 1)[1]) for r in responses)
    assert numbers == list(range(1, 51))


async def _list_cost(
    client: AsyncClient, statements: StatementCounter, headers: dict[str, str], per_page: int
) -> int:
    statements.start()
    response = await client.get("/api/tickets", params={"per_page": per_page}, headers=headers)
    count = statements.stop()
    assert response.status_code == 200
    return count


async def test_a_page_of_a_hundred_costs_the_statements_of_a_page_of_one(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent", projects=[1])
    tag = await make.tag()
    category = await make.category()
    headers = make.auth(admin)
    first = await make.ticket(by=admin, tag_ids=[tag.id], category_id=category.id)
    await client.patch(
        f"/api/tickets/{first.id}/assign", json={"user_id": agent.id}, headers=headers
    )
    cost_of_one = await _list_cost(client, statements, headers, per_page=1)

    for n in range(99):
        customer = await make.user("customer")
        ticket = await make.ticket(by=customer, tag_ids=[tag.id], category_id=category.id)
        if n % 2:
            await client.patch(
                f"/api/tickets/{ticket.id}/assign", json={"user_id": agent.id}, headers=headers
            )
    cost_of_hundred = await _list_cost(client, statements, headers, per_page=100)

    assert cost_of_hundred == cost_of_one


async def _count(database: Database, model: type) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_request_failing_half_way_leaves_no_trace(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    files = [
        ("attachments[]", ("small.txt", b"fits", "text/plain")),
        ("attachments[]", ("large.bin", b"x" * (1024 * 1024 + 1), "application/octet-stream")),
    ]
    form = {"project_id": "1", "subject": "With files", "description": "One too large"}

    # The ticket, its number and the first attachment are written before the second
    # file turns out too large; the whole request must be undone.
    response = await client.post(
        "/api/tickets", data=form, files=files, headers=make.auth(customer)
    )

    assert response.status_code == 413
    assert "error" in response.json()
    assert await _count(database, Ticket) == 0
    assert await _count(database, Activity) == 0
    assert await _count(database, OutboxEvent) == 0


async def test_reads_are_served_while_a_write_is_in_progress(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")

    async with database.transaction() as writer:
        writer.add(Tag(name="held-open"))
        await writer.flush()  # on SQLite this transaction now holds the write lock

        response = await client.get("/api/tickets", headers=make.auth(admin))

    assert response.status_code == 200


async def test_a_failed_create_gives_up_its_number_on_postgresql_only(
    make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await TicketRepository(session).next_number(1, clock.now().year)
            raise RuntimeError("the create fails after taking its number")

    ticket = await make.ticket(by=customer)

    # PostgreSQL commits a number as soon as it is taken, so concurrent creators never
    # wait for one another's requests; SQLite, one writer at a time, takes it in the
    # create's own transaction.
    assert ticket.number == (1 if database.is_sqlite else 2)


async def _detail_cost(
    client: AsyncClient, statements: StatementCounter, ticket_id: int, headers: dict[str, str]
) -> int:
    statements.start()
    response = await client.get(f"/api/tickets/{ticket_id}", headers=headers)
    count = statements.stop()
    assert response.status_code == 200
    return count


async def test_a_ticket_detail_costs_the_same_statements_whatever_its_conversation(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    quiet = await make.ticket(by=customer)
    busy = await make.ticket(by=customer)
    for n in range(3):
        for author, kind in ((customer, "reply"), (agent, "note")):
            response = await client.post(
                f"/api/tickets/{busy.id}/messages",
                data={"body": f"Message {n}", "type": kind},
                files=[("attachments[]", (f"{kind}-{n}.png", b"image", "image/png"))],
                headers=make.auth(author),
            )
            assert response.status_code == 201, response.text

    for reader in (agent, customer):
        headers = make.auth(reader)
        await _detail_cost(client, statements, quiet.id, headers)  # the reader is now known
        assert await _detail_cost(client, statements, busy.id, headers) == await _detail_cost(
            client, statements, quiet.id, headers
        )


async def test_a_ticket_detail_is_six_selects_once_its_reader_is_known(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    headers = make.auth(customer)
    await _detail_cost(client, statements, ticket.id, headers)  # the reader is now known

    await _detail_cost(client, statements, ticket.id, headers)

    # The ticket with its many-to-one relations and rating, then its tags, messages,
    # files, trail and watchers; the credential is not looked up again. (SQLite's driver
    # sends its BEGIN as a statement too.)
    selects = [sql for sql in statements.statements if not sql.startswith("BEGIN")]
    assert len(selects) == 6, selects
    assert all(sql.startswith("SELECT") for sql in selects)


async def test_a_ticket_detail_read_by_one_customer_shows_nothing_of_it_to_the_next(
    client: AsyncClient, make: Factory
) -> None:
    # The detail's statement is built once per kind of reader and reused: who reads is a
    # parameter of each request, never a value left over from the first.
    first, second = await make.user("customer"), await make.user("customer")
    theirs, mine = await make.ticket(by=first), await make.ticket(by=second)

    assert (
        await client.get(f"/api/tickets/{theirs.id}", headers=make.auth(first))
    ).status_code == 200
    assert (
        await client.get(f"/api/tickets/{theirs.id}", headers=make.auth(second))
    ).status_code == 404
    assert (
        await client.get(f"/api/tickets/{mine.id}", headers=make.auth(second))
    ).status_code == 200
    assert (
        await client.get(f"/api/tickets/{mine.id}", headers=make.auth(first))
    ).status_code == 404


async def test_a_ticket_detail_read_by_one_agent_shows_nothing_of_other_projects_to_the_next(
    client: AsyncClient, make: Factory
) -> None:
    elsewhere = await make.project()
    one = await make.user("agent", projects=[1])
    other = await make.user("agent", projects=[elsewhere.id])
    customer = await make.user("customer")
    in_one = await make.ticket(by=customer, project_id=1)

    assert (
        await client.get(f"/api/tickets/{in_one.id}", headers=make.auth(one))
    ).status_code == 200
    assert (
        await client.get(f"/api/tickets/{in_one.id}", headers=make.auth(other))
    ).status_code == 404
