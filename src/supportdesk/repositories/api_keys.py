from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from supportdesk.core.db import after_transaction
from supportdesk.core.enums import ApiKeyType
from supportdesk.models import ApiKey
from supportdesk.repositories.base import Repository

log = logging.getLogger(__name__)


class ApiKeyRepository(Repository):
    async def by_digest(self, key_digest: str) -> ApiKey | None:
        """The key with its agent, user and project, in one statement."""
        return await self.session.scalar(
            select(ApiKey)
            .options(joinedload(ApiKey.agent), joinedload(ApiKey.user), joinedload(ApiKey.project))
            .where(ApiKey.key_hash == key_digest)
        )

    async def mark_used(self, key_id: int, at: datetime) -> None:
        """Stamp ``last_used_at`` once the request's transaction is over, at best.

        Bookkeeping must not fail the request it rides on. In a read's transaction on
        SQLite the write could not wait for a lock another writer holds ("database is
        locked" at once), and on PostgreSQL it would hold the key's row until the
        request ends. So the stamp is written afterwards, in a short transaction of its
        own; if that fails it is logged at debug level and dropped (the next use tries
        again). The loaded key reads as stamped meanwhile.
        """
        loaded = self.session.identity_map.get(identity_key(ApiKey, key_id))
        if loaded is not None:
            set_committed_value(loaded, "last_used_at", at)
        after_transaction(self.session, partial(self._stamp, key_id, at))

    async def _stamp(self, key_id: int, at: datetime) -> None:
        try:
            async with self.session.begin():
                await self.session.execute(
                    update(ApiKey)
                    .where(ApiKey.id == key_id)
                    .values(last_used_at=at)
                    .execution_options(synchronize_session=False)
                )
        except Exception as exc:  # bookkeeping only: the request goes on without it
            log.debug("last_used_at of API key %s not stamped: %s", key_id, exc)

    def add(self, api_key: ApiKey) -> None:
        self.session.add(api_key)

    async def of_project(self, project_id: int) -> Sequence[ApiKey]:
        """A project's key pairs, oldest first."""
        rows = await self.session.scalars(
            select(ApiKey)
            .where(ApiKey.project_id == project_id, ApiKey.type == ApiKeyType.PROJECT)
            .order_by(ApiKey.id)
        )
        return rows.all()

    async def project_key(self, project_id: int, key_id: int) -> ApiKey | None:
        return await self.session.scalar(
            select(ApiKey).where(
                ApiKey.id == key_id,
                ApiKey.project_id == project_id,
                ApiKey.type == ApiKeyType.PROJECT,
            )
        )

    async def revoke_agent_keys(self, agent_id: int, at: datetime) -> None:
        """Revoke every live external key that acts as this user, in one statement."""
        await self.session.execute(
            update(ApiKey)
            .where(ApiKey.agent_id == agent_id, ApiKey.revoked.is_(False))
            .values(revoked=True, revoked_at=at, updated_at=at)
        )

    def single_keys(self) -> Select[Any]:
        """Internal and external keys (not project pairs), newest first."""
        return (
            select(ApiKey)
            .where(ApiKey.type.in_([ApiKeyType.INTERNAL, ApiKeyType.EXTERNAL]))
            .order_by(ApiKey.id.desc())
        )

    async def single_key(self, key_id: int) -> ApiKey | None:
        return await self.session.scalar(
            select(ApiKey).where(
                ApiKey.id == key_id, ApiKey.type.in_([ApiKeyType.INTERNAL, ApiKeyType.EXTERNAL])
            )
        )
