from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from supportdesk.models import ApiKey
from supportdesk.repositories.base import Repository


class ApiKeyRepository(Repository):
    async def by_digest(self, key_digest: str) -> ApiKey | None:
        """The key with its agent and project, in one statement."""
        return await self.session.scalar(
            select(ApiKey)
            .options(joinedload(ApiKey.agent), joinedload(ApiKey.project))
            .where(ApiKey.key_hash == key_digest)
        )

    async def mark_used(self, key_id: int, at: datetime) -> None:
        # A direct UPDATE: the loaded key is synchronised in place, not marked dirty.
        await self.session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=at)
        )

    def add(self, api_key: ApiKey) -> None:
        self.session.add(api_key)
