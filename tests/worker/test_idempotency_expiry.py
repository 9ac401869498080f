"""The worker forgets idempotency keys once their 24 hours are over."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.models import IdempotencyRecord
from supportdesk.worker import jobs
from tests.factories import Factory
from tests.support import FrozenClock


async def _create(client: AsyncClient, headers: dict[str, str], key: str) -> None:
    body = {"project_id": 1, "subject": "Printer", "description": "Jammed again."}
    response = await client.post(
        "/api/tickets", json=body, headers={**headers, "Idempotency-Key": key}
    )
    assert response.status_code == 201, response.text


async def test_expired_idempotency_keys_are_purged_and_live_ones_kept(
    client: AsyncClient,
    make: Factory,
    database: Database,
    ctx: dict[str, Any],
    frozen_clock: FrozenClock,
) -> None:
    customer = await make.user("customer")
    await _create(client, make.auth(customer), "yesterday")
    frozen_clock.advance(hours=23)
    await _create(client, make.auth(customer), "this-morning")
    frozen_clock.advance(hours=1, seconds=1)

    assert await jobs.expire_idempotency_keys(ctx) == 1

    async with database.transaction(read_only=True) as session:
        assert list(await session.scalars(select(IdempotencyRecord.key))) == ["this-morning"]
