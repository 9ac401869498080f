from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, delete, func, literal, select

from supportdesk.models import Category, Tag
from supportdesk.repositories.base import Repository


class TaxonomyRepository(Repository):
    # ---------------------------------------------------------------- categories

    async def category(self, category_id: int) -> Category | None:
        return await self.session.get(Category, category_id)

    async def all_categories(self) -> Sequence[Category]:
        """Every category, siblings in display order: the tree is built from this one read."""
        return (
            await self.session.scalars(
                select(Category).order_by(Category.sort_order, Category.name, Category.id)
            )
        ).all()

    async def category_lineage(self, category_id: int) -> set[int]:
        """The category and all its ancestors, in one recursive statement.

        UNION (not UNION ALL) drops rows already seen, so even a cycle in bad data ends.
        """
        lineage = (
            select(Category.id, Category.parent_id)
            .where(Category.id == category_id)
            .cte("lineage", recursive=True)
        )
        parent = select(Category.id, Category.parent_id).join(
            lineage, Category.id == lineage.c.parent_id
        )
        lineage = lineage.union(parent)
        return set((await self.session.scalars(select(lineage.c.id))).all())

    def add_category(self, category: Category) -> None:
        self.session.add(category)

    async def delete_category(self, category: Category) -> None:
        # A statement rather than session.delete(): the database sets the children's,
        # tickets' and canned responses' category to NULL (ON DELETE SET NULL), without
        # the ORM loading the children collection first.
        await self.session.execute(delete(Category).where(Category.id == category.id))
        self.session.expunge(category)

    # ---------------------------------------------------------------- tags

    async def tag(self, tag_id: int) -> Tag | None:
        return await self.session.get(Tag, tag_id)

    async def tags(self, tag_ids: Collection[int]) -> Sequence[Tag]:
        if not tag_ids:
            return []
        return (await self.session.scalars(select(Tag).where(Tag.id.in_(tag_ids)))).all()

    async def all_tags(self) -> Sequence[Tag]:
        return (
            await self.session.scalars(select(Tag).order_by(Tag.sort_order, Tag.name, Tag.id))
        ).all()

    async def tag_name_taken(self, name: str) -> bool:
        """True if a tag of this name exists, whatever its letter case.

        Both sides are lowered by the database, so they are folded by the same rules.
        """
        found = await self.session.scalar(
            select(literal(True)).where(func.lower(Tag.name) == func.lower(name)).limit(1)
        )
        return bool(found)

    def add_tag(self, tag: Tag) -> None:
        self.session.add(tag)

    async def delete_tag(self, tag: Tag) -> None:
        # The tickets' links to the tag go with it (ticket_tags: ON DELETE CASCADE).
        await self.session.execute(delete(Tag).where(Tag.id == tag.id))
        self.session.expunge(tag)

    async def tags_named(self, names: Collection[str]) -> Sequence[Tag]:
        """The tags bearing any of these names, whatever their letter case."""
        if not names:
            return []
        lowered = {name.lower() for name in names}
        return (
            await self.session.scalars(select(Tag).where(func.lower(Tag.name).in_(lowered)))
        ).all()

    def tag_listing(self) -> Select[Any]:
        """Tags in display order (sort_order, then name)."""
        return select(Tag).order_by(Tag.sort_order, Tag.name, Tag.id)

    def category_listing(self) -> Select[Any]:
        """Categories in display order (sort_order, then name), flat."""
        return select(Category).order_by(Category.sort_order, Category.name, Category.id)
