"""Writes to one ticket at the same time wait for each other instead of failing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from supportdesk.core.db import Database
from supportdesk.models import Message, Ticket
from supportdesk.services.tickets import TicketTriage
from tests.factories import Factory
from tests.support import stored

CLIENTS = 8


async def _messages(database: Database, ticket_id: int) -> int:
    async with database.transaction() as session:
        count = select(func.count()).select_from(Message).where(Message.ticket_id == ticket_id)
        return int(await session.scalar(count) or 0)


async def test_concurrent_replies_to_one_ticket_all_succeed(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    admin = await make.user("admin")
    ticket = await make.ticket(by=customer)
    before = await _messages(database, ticket.id)

    responses = await asyncio.gather(
        *(
            client.post(
                f"/api/tickets/{ticket.id}/messages",
                json={"body": f"Reply {n}"},
                headers=make.auth(admin),
            )
            for n in range(CLIENTS)
        )
    )

    assert [r.status_code for r in responses] == [201] * CLIENTS, [r.text for r in responses]
    assert await _messages(database, ticket.id) == before + CLIENTS


async def test_concurrent_updates_of_one_ticket_all_succeed(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    admin = await make.user("admin")
    ticket = await make.ticket(by=customer)
    before = (await stored(database, Ticket, ticket.id)).version

    responses = await asyncio.gather(
        *(
            client.put(
                f"/api/tickets/{ticket.id}",
                json={"subject": f"Subject {n}"},
                headers=make.auth(admin),
            )
            for n in range(CLIENTS)
        )
    )

    assert [r.status_code for r in responses] == [200] * CLIENTS, [r.text for r in responses]
    # Each change was made on top of the one before it.
    assert (await stored(database, Ticket, ticket.id)).version == before + CLIENTS


async def test_a_change_that_still_loses_a_race_is_409_with_retry_after(
    client: AsyncClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await make.user("admin")
    ticket = await make.ticket(by=admin)

    async def overtaken(*_args: Any, **_kwargs: Any) -> Ticket:
        raise StaleDataError("UPDATE statement on table 'tickets' expected to update 1 row(s)")

    monkeypatch.setattr(TicketTriage, "update", overtaken)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "Mine"}, headers=make.auth(admin)
    )

    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
