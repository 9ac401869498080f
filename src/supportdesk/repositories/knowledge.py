"""Knowledge base categories and articles (the searching lives in knowledge_search)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import joinedload

from supportdesk.models import KnowledgeArticle, KnowledgeCategory
from supportdesk.repositories.base import Repository


def _article_count() -> Any:
    return (
        select(func.count(KnowledgeArticle.id))
        .where(KnowledgeArticle.category_id == KnowledgeCategory.id)
        .correlate(KnowledgeCategory)
        .scalar_subquery()
    )


class KnowledgeRepository(Repository):
    # ---------------------------------------------------------------- categories

    async def category(self, category_id: int) -> KnowledgeCategory | None:
        return await self.session.get(KnowledgeCategory, category_id)

    async def category_with_count(self, category_id: int) -> tuple[KnowledgeCategory, int] | None:
        row = (
            await self.session.execute(
                select(KnowledgeCategory, _article_count()).where(
                    KnowledgeCategory.id == category_id
                )
            )
        ).one_or_none()
        return (row[0], int(row[1])) if row is not None else None

    def category_listing(self) -> Select[Any]:
        """Categories in display order, each with its number of articles."""
        return select(KnowledgeCategory, _article_count()).order_by(
            KnowledgeCategory.sort_order, KnowledgeCategory.name, KnowledgeCategory.id
        )

    def add(self, item: KnowledgeCategory | KnowledgeArticle) -> None:
        self.session.add(item)

    async def delete_category(self, category: KnowledgeCategory) -> None:
        # Its articles stay, uncategorised (ON DELETE SET NULL).
        await self.session.execute(
            delete(KnowledgeCategory).where(KnowledgeCategory.id == category.id)
        )
        self.session.expunge(category)

    # ---------------------------------------------------------------- articles

    async def article(self, article_id: int) -> KnowledgeArticle | None:
        return await self.session.scalar(
            select(KnowledgeArticle)
            .where(KnowledgeArticle.id == article_id)
            .options(joinedload(KnowledgeArticle.category))
        )

    def article_listing(self) -> Select[Any]:
        """Articles, latest first, with their category joined in."""
        return (
            select(KnowledgeArticle)
            .options(joinedload(KnowledgeArticle.category))
            .order_by(KnowledgeArticle.created_at.desc(), KnowledgeArticle.id.desc())
        )

    async def slugs_like(self, base: str, *, except_id: int | None = None) -> Collection[str]:
        """The slugs taken among ``base`` and ``base-N``, to find the next free one."""
        query = select(KnowledgeArticle.slug).where(
            (KnowledgeArticle.slug == base)
            | KnowledgeArticle.slug.startswith(f"{base}-", autoescape=True)
        )
        if except_id is not None:
            query = query.where(KnowledgeArticle.id != except_id)
        return set((await self.session.scalars(query)).all())

    async def delete_article(self, article: KnowledgeArticle) -> None:
        await self.session.execute(
            delete(KnowledgeArticle).where(KnowledgeArticle.id == article.id)
        )
        self.session.expunge(article)
