"""Ticket categories: a tree that admins arrange and everyone reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Category
from supportdesk.repositories.paging import fetch_page
from supportdesk.repositories.taxonomy import TaxonomyRepository
from supportdesk.services.activity import ActivityLog

_EDITABLE = ("name", "color", "parent_id", "description", "sort_order", "status")


@dataclass(frozen=True, slots=True)
class CategoryNode:
    category: Category
    children: list[CategoryNode] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CategoryFields:
    """A new category, or a partial update: only ``fields_set`` is applied on update."""

    fields_set: frozenset[str]
    name: str | None = None
    color: str | None = None
    parent_id: int | None = None
    description: str | None = None
    sort_order: int | None = None
    status: str | None = None


class CategoryService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.taxonomy = TaxonomyRepository(session)
        self.activity = ActivityLog(session)

    async def tree(self, principal: Principal) -> list[CategoryNode]:
        """The root categories, each with its descendants nested, siblings in order."""
        categories = await self.taxonomy.all_categories()
        nodes = {category.id: CategoryNode(category) for category in categories}
        roots: list[CategoryNode] = []
        for category in categories:
            parent = nodes.get(category.parent_id) if category.parent_id is not None else None
            (parent.children if parent is not None else roots).append(nodes[category.id])
        return roots

    async def create(self, principal: Principal, fields: CategoryFields) -> Category:
        principal.require(Scope.CATEGORIES_CREATE)
        if fields.name is None:
            raise ValidationFailed.field("name", "The name field is required.")
        if fields.parent_id is not None:
            await self._parent(fields.parent_id)
        category = Category(
            name=fields.name,
            color=fields.color,
            parent_id=fields.parent_id,
            description=fields.description,
            sort_order=fields.sort_order or 0,
            status=fields.status or "published",
        )
        self.taxonomy.add_category(category)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "category.created",
            f"Category {category.name} created",
            {"category_id": category.id},
        )
        return category

    async def update(
        self, principal: Principal, category_id: int, fields: CategoryFields
    ) -> Category:
        principal.require(Scope.CATEGORIES_UPDATE)
        category = await self._get(category_id)
        for name in ("name", "sort_order", "status"):
            if name in fields.fields_set and getattr(fields, name) is None:
                label = name.replace("_", " ")
                raise ValidationFailed.field(name, f"The {label} field is required.")
        if "parent_id" in fields.fields_set and fields.parent_id is not None:
            await self._check_parent(category, fields.parent_id)
        diff: dict[str, list[Any]] = {}
        for name in _EDITABLE:
            if name not in fields.fields_set:
                continue
            value = getattr(fields, name)
            if value != getattr(category, name):
                diff[name] = [getattr(category, name), value]
                setattr(category, name, value)
        if diff:
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "category.updated",
                f"Category {category.name} updated",
                {"category_id": category.id, **diff},
            )
        return category

    async def delete(self, principal: Principal, category_id: int) -> None:
        """Delete a category; its children become roots, its tickets uncategorised."""
        principal.require(Scope.CATEGORIES_DELETE)
        category = await self._get(category_id)
        self.activity.record(
            principal,
            None,
            "category.deleted",
            f"Category {category.name} deleted",
            {"category_id": category.id, "name": category.name},
        )
        await self.taxonomy.delete_category(category)

    async def _get(self, category_id: int) -> Category:
        category = await self.taxonomy.category(category_id)
        if category is None:
            raise NotFound("Category not found.")
        return category

    async def _parent(self, parent_id: int) -> Category:
        parent = await self.taxonomy.category(parent_id)
        if parent is None:
            raise ValidationFailed.field("parent_id", "The selected parent id is invalid.")
        return parent

    async def _check_parent(self, category: Category, parent_id: int) -> None:
        if parent_id == category.id:
            raise ValidationFailed.field("parent_id", "A category cannot be its own parent.")
        lineage = await self.taxonomy.category_lineage(parent_id)
        if not lineage:
            raise ValidationFailed.field("parent_id", "The selected parent id is invalid.")
        # Moving a category under one of its own descendants would cut a loop off the tree.
        if category.id in lineage:
            raise ValidationFailed.field(
                "parent_id", "A category cannot be moved under one of its own subcategories."
            )

    async def list_page(self, principal: Principal, page: PageRequest) -> Page[Category]:
        """Categories flat, by sort_order then name; each names its parent_id."""
        return await fetch_page(self.session, self.taxonomy.category_listing(), page)

    async def get(self, principal: Principal, category_id: int) -> Category:
        return await self._get(category_id)
