from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from supportdesk.models import Category, Tag
from supportdesk.repositories.base import Repository


class TaxonomyRepository(Repository):
    async def category(self, category_id: int) -> Category | None:
        return await self.session.get(Category, category_id)

    async def tags(self, tag_ids: Collection[int]) -> Sequence[Tag]:
        if not tag_ids:
            return []
        return (await self.session.scalars(select(Tag).where(Tag.id.in_(tag_ids)))).all()
