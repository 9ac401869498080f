"""A breach the minute's check records is a change to the ticket: its ETag moves on."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from supportdesk.core.enums import Role
from supportdesk.worker import jobs
from tests.factories import Factory
from tests.support import FrozenClock


async def test_a_recorded_breach_moves_the_etag_on(
    client: AsyncClient, make: Factory, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    admin = await make.user(Role.ADMIN)
    ticket = await make.ticket(by=await make.user(Role.CUSTOMER))
    url = f"/api/tickets/{ticket.id}"
    etag = (await client.get(url, headers=make.auth(admin))).headers["ETag"]
    frozen_clock.advance(hours=5)  # a medium ticket's first response: 4 h

    await jobs.check_sla(ctx)

    # A token of now: the one above has expired in these five hours.
    response = await client.get(url, headers={**make.auth(admin), "If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["ticket"]["first_response_breached"] is True
