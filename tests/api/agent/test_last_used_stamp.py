"""Stamping a key's last use is bookkeeping: a read never fails because of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from httpx import AsyncClient
from sqlalchemy import text

from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.models import ApiKey
from tests.factories import Factory
from tests.support import FrozenClock, stored

URL = "/api/v1/external/connection-check"


@asynccontextmanager
async def another_writer(database: Database, seconds: float) -> AsyncIterator[None]:
    """Another transaction (the in-process jobs, say) holds the write lock for a while."""
    connection = await database.engine.connect()
    if database.is_sqlite:
        await connection.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock
    else:
        await connection.execute(text("LOCK TABLE api_keys IN EXCLUSIVE MODE"))

    async def finish() -> None:
        await asyncio.sleep(seconds)
        await connection.rollback()
        await connection.close()

    finishing = asyncio.create_task(finish())
    try:
        yield
    finally:
        await finishing


async def test_a_read_succeeds_and_stamps_the_key_while_another_writer_holds_the_lock(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    issued = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)

    async with another_writer(database, seconds=0.3):
        response = await client.get(URL, headers={"X-API-KEY": issued.raw_key})

    assert response.status_code == 200, response.text
    assert response.json()["status"] is True
    assert (await stored(database, ApiKey, issued.api_key.id)).last_used_at == frozen_clock.now()
