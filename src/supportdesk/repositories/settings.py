from __future__ import annotations

from typing import Any

from sqlalchemy import select

from supportdesk.models import Setting
from supportdesk.repositories.base import Repository


class SettingRepository(Repository):
    async def get(self, key: str) -> Setting | None:
        return await self.session.get(Setting, key)

    async def all(self) -> dict[str, Any]:
        rows = await self.session.scalars(select(Setting))
        return {row.key: row.value for row in rows}

    async def put(self, key: str, value: Any) -> None:
        row = await self.session.get(Setting, key)
        if row is None:
            self.session.add(Setting(key=key, value=value))
        else:
            row.value = value
