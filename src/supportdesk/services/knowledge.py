"""Knowledge base administration: categories (with article counts) and articles.

Slugs are generated from the title when none is given and kept unique by a numeric
suffix (``reset-password``, ``reset-password-2``, …); a slug given explicitly must be
free.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import policy
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import KnowledgeArticle, KnowledgeCategory
from supportdesk.repositories.knowledge import KnowledgeRepository
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.rest_lists import ArticleFilters, ArticleListRepository
from supportdesk.services.activity import ActivityLog
from supportdesk.services.departments import refuse_nulls

SLUG_MAX_LENGTH = 250
# Room for "-NNNN" when a generated slug needs a suffix.
_SLUG_BASE_LENGTH = SLUG_MAX_LENGTH - 10


PUBLISHED = "published"


def slugify(text: str) -> str:
    """``How to Reset Your Password?`` → ``how-to-reset-your-password``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:_SLUG_BASE_LENGTH].strip("-")


@dataclass(frozen=True, slots=True)
class CategoryCount:
    category: KnowledgeCategory
    article_count: int


@dataclass(frozen=True, slots=True)
class KnowledgeCategoryFields:
    fields_set: frozenset[str]
    name: str | None = None
    description: str | None = None
    icon: str | None = None
    status: str | None = None
    sort_order: int | None = None


@dataclass(frozen=True, slots=True)
class ArticleFields:
    fields_set: frozenset[str]
    title: str | None = None
    slug: str | None = None
    content: str | None = None
    excerpt: str | None = None
    category_id: int | None = None
    status: str | None = None


_CATEGORY_EDITABLE = ("name", "description", "icon", "status", "sort_order")
_ARTICLE_EDITABLE = ("title", "slug", "content", "excerpt", "category_id", "status")


class KnowledgeService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.knowledge = KnowledgeRepository(session)
        self.activity = ActivityLog(session)

    # ---------------------------------------------------------------- categories

    async def categories_page(self, principal: Principal, page: PageRequest) -> Page[CategoryCount]:
        """Categories by sort_order, each with its number of articles (one statement)."""
        principal.require(Scope.KNOWLEDGE_CATEGORIES_LIST)
        found = await fetch_page(self.session, self.knowledge.category_listing(), page)
        items = [CategoryCount(category, int(count)) for category, count in found.items]
        return Page(items=items, total=found.total, page=found.page, per_page=found.per_page)

    async def category(self, principal: Principal, category_id: int) -> CategoryCount:
        principal.require(Scope.KNOWLEDGE_CATEGORIES_READ)
        return await self._category(category_id)

    async def create_category(
        self, principal: Principal, fields: KnowledgeCategoryFields
    ) -> CategoryCount:
        principal.require(Scope.KNOWLEDGE_CATEGORIES_CREATE)
        if not fields.name:
            raise ValidationFailed.field("name", "The name field is required.")
        category = KnowledgeCategory(
            name=fields.name,
            description=fields.description,
            icon=fields.icon,
            status=fields.status or "published",
            sort_order=fields.sort_order or 0,
        )
        self.knowledge.add(category)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "knowledge_category.created",
            f"Knowledge category {category.name} created",
            {"knowledge_category_id": category.id},
        )
        return CategoryCount(category, 0)

    async def update_category(
        self, principal: Principal, category_id: int, fields: KnowledgeCategoryFields
    ) -> CategoryCount:
        principal.require(Scope.KNOWLEDGE_CATEGORIES_UPDATE)
        found = await self._category(category_id)
        category = found.category
        refuse_nulls(fields.fields_set, fields, ("name", "status", "sort_order"))
        diff = _apply(category, fields, _CATEGORY_EDITABLE)
        if diff:
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "knowledge_category.updated",
                f"Knowledge category {category.name} updated",
                {"knowledge_category_id": category.id, **diff},
            )
        return found

    async def delete_category(self, principal: Principal, category_id: int) -> None:
        """Delete a category; its articles stay, uncategorised."""
        principal.require(Scope.KNOWLEDGE_CATEGORIES_DELETE)
        category = (await self._category(category_id)).category
        self.activity.record(
            principal,
            None,
            "knowledge_category.deleted",
            f"Knowledge category {category.name} deleted",
            {"knowledge_category_id": category.id, "name": category.name},
        )
        await self.knowledge.delete_category(category)

    async def _category(self, category_id: int) -> CategoryCount:
        found = await self.knowledge.category_with_count(category_id)
        if found is None:
            raise NotFound("Knowledge category not found.")
        return CategoryCount(*found)

    # ---------------------------------------------------------------- articles

    async def articles_page(
        self, principal: Principal, page: PageRequest
    ) -> Page[KnowledgeArticle]:
        """Articles, latest first, with their category."""
        principal.require(Scope.KNOWLEDGE_ARTICLES_LIST)
        return await fetch_page(self.session, self.knowledge.article_listing(), page)

    async def article(self, principal: Principal, article_id: int) -> KnowledgeArticle:
        principal.require(Scope.KNOWLEDGE_ARTICLES_READ)
        return await self._article(principal, article_id)

    async def create_article(self, principal: Principal, fields: ArticleFields) -> KnowledgeArticle:
        principal.require(Scope.KNOWLEDGE_ARTICLES_CREATE)
        if not fields.title:
            raise ValidationFailed.field("title", "The title field is required.")
        category = await self._category_for(fields.category_id)
        slug = await self._slug(fields.slug, fields.title, None)
        article = KnowledgeArticle(
            title=fields.title,
            slug=slug,
            content=fields.content,
            excerpt=fields.excerpt,
            category_id=fields.category_id,
            category=category,
            author_id=principal.actor_id,
            status=fields.status or "draft",
        )
        self.knowledge.add(article)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "knowledge_article.created",
            f"Knowledge article {article.title} created",
            {"knowledge_article_id": article.id},
        )
        return article

    async def update_article(
        self, principal: Principal, article_id: int, fields: ArticleFields
    ) -> KnowledgeArticle:
        principal.require(Scope.KNOWLEDGE_ARTICLES_UPDATE)
        article = await self._article(principal, article_id)
        refuse_nulls(fields.fields_set, fields, ("title", "status"))
        changes = fields
        if "slug" in fields.fields_set:
            slug = await self._slug(fields.slug, fields.title or article.title, article.id)
            changes = _with(fields, slug=slug)
        if "category_id" in fields.fields_set and fields.category_id != article.category_id:
            article.category = await self._category_for(fields.category_id)
        diff = _apply(article, changes, _ARTICLE_EDITABLE)
        if diff:
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "knowledge_article.updated",
                f"Knowledge article {article.title} updated",
                {"knowledge_article_id": article.id, **diff},
            )
        return article

    async def delete_article(self, principal: Principal, article_id: int) -> None:
        principal.require(Scope.KNOWLEDGE_ARTICLES_DELETE)
        article = await self._article(principal, article_id)
        self.activity.record(
            principal,
            None,
            "knowledge_article.deleted",
            f"Knowledge article {article.title} deleted",
            {"knowledge_article_id": article.id, "title": article.title},
        )
        await self.knowledge.delete_article(article)

    async def _article(self, principal: Principal, article_id: int) -> KnowledgeArticle:
        """Any article for those who oversee the hub; published ones only for the others."""
        article = await self.knowledge.article(article_id)
        if article is None or not (policy.oversees_hub(principal) or article.status == PUBLISHED):
            raise NotFound("Knowledge article not found.")
        return article

    async def _category_for(self, category_id: int | None) -> KnowledgeCategory | None:
        if category_id is None:
            return None
        category = await self.knowledge.category(category_id)
        if category is None:
            raise ValidationFailed.field("category_id", "The selected category id is invalid.")
        return category

    async def _slug(self, given: str | None, title: str, article_id: int | None) -> str:
        """A free slug: the one given (normalised), else one made from the title."""
        if given:
            slug = slugify(given)
            if not slug:
                raise ValidationFailed.field("slug", "The slug must contain letters or digits.")
            if slug in await self.knowledge.slugs_like(slug, except_id=article_id):
                raise ValidationFailed.field("slug", "The slug has already been taken.")
            return slug
        base = slugify(title) or "article"
        taken = await self.knowledge.slugs_like(base, except_id=article_id)
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    async def articles_keyset(
        self, principal: Principal, filters: ArticleFilters, request: CursorRequest
    ) -> CursorPage[KnowledgeArticle]:
        """A cursor page of articles with their category (the REST API's list).

        The knowledge base is there to be read: users who do not run the hub see its
        published articles, whatever status they ask for.
        """
        principal.require(Scope.KNOWLEDGE_ARTICLES_LIST)
        if not policy.oversees_hub(principal):
            filters = replace(filters, status=PUBLISHED)
        return await ArticleListRepository(self.session).page(filters, request)


def _apply(target: Any, fields: Any, names: tuple[str, ...]) -> dict[str, list[Any]]:
    diff: dict[str, list[Any]] = {}
    for name in names:
        value = getattr(fields, name)
        if name in fields.fields_set and value != getattr(target, name):
            diff[name] = [getattr(target, name), value]
            setattr(target, name, value)
    return diff


def _with(fields: ArticleFields, **values: Any) -> ArticleFields:
    return replace(fields, **values)
