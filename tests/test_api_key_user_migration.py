"""Revision 0008 gives internal keys made before it the first super_admin as their user."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config
from sqlalchemy import update

from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.core.migrations import _alembic_ini
from supportdesk.models import ApiKey, User
from tests.factories import Factory
from tests.support import stored


def _rerun_revision_0008(database_url: str) -> None:
    config = Config(str(_alembic_ini()))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    command.downgrade(config, "0007")
    command.upgrade(config, "head")


async def test_an_internal_key_made_before_acts_as_the_first_super_admin(
    make: Factory, database: Database, migrated: str
) -> None:
    await make.user(Role.ADMIN)
    first = await make.user(Role.SUPER_ADMIN)
    await make.user(Role.SUPER_ADMIN)
    agent = await make.user(Role.AGENT)
    internal = await make.api_key(ApiKeyType.INTERNAL)
    external = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)

    await asyncio.to_thread(_rerun_revision_0008, migrated)

    assert (await stored(database, ApiKey, internal.api_key.id)).user_id == first.id
    assert (await stored(database, ApiKey, external.api_key.id)).user_id is None


async def test_without_a_super_admin_a_key_is_left_without_a_user(
    make: Factory, database: Database, migrated: str
) -> None:
    first = await make.user(Role.SUPER_ADMIN)
    internal = await make.api_key(ApiKeyType.INTERNAL, user_id=first.id)
    async with database.transaction() as session:
        await session.execute(update(ApiKey).values(user_id=None))
        await session.execute(update(User).values(is_active=False))

    await asyncio.to_thread(_rerun_revision_0008, migrated)

    assert (await stored(database, ApiKey, internal.api_key.id)).user_id is None
