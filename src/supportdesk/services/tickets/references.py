"""The reference data a ticket points at, checked to exist as it is named."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.core.errors import ValidationFailed
from supportdesk.models import Category, Department, Product, Tag
from supportdesk.repositories.catalogue import CatalogueRepository
from supportdesk.repositories.taxonomy import TaxonomyRepository
from supportdesk.services.tags import TagService

T = TypeVar("T")


async def _existing(
    row_id: int | None, find: Callable[[int], Awaitable[T | None]], field: str
) -> T | None:
    """The row an id names (None names none); an unknown id is refused under its field."""
    if row_id is None:
        return None
    row = await find(row_id)
    if row is None:
        raise ValidationFailed.field(field, f"The selected {field.replace('_', ' ')} is invalid.")
    return row


class TicketReferences:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.taxonomy = TaxonomyRepository(session)
        self.catalogue = CatalogueRepository(session)

    async def category(self, category_id: int | None) -> Category | None:
        return await _existing(category_id, self.taxonomy.category, "category_id")

    async def product(self, product_id: int | None) -> Product | None:
        return await _existing(product_id, self.catalogue.product, "product_id")

    async def department(self, department_id: int | None, default: Any = None) -> Department | None:
        if department_id is None and isinstance(default, int) and not isinstance(default, bool):
            # A default that was deleted since it was chosen routes nowhere, silently.
            return await self.catalogue.department(default)
        return await _existing(department_id, self.catalogue.department, "department_id")

    async def tags(
        self, principal: Principal, tag_ids: Sequence[int], names: Sequence[str] = ()
    ) -> list[Tag]:
        """The tags named by id and by name, in id order.

        An unknown id is refused; an unknown name is created when the principal is staff
        and refused otherwise (TagService.find_or_create_by_names).
        """
        wanted = set(tag_ids)
        tags = list(await self.taxonomy.tags(wanted))
        if len(tags) != len(wanted):
            raise ValidationFailed.field("tags", "The selected tags are invalid.")
        if names:
            tags += await TagService(self.session).find_or_create_by_names(principal, names)
        unique = {tag.id: tag for tag in tags}
        return [unique[tag_id] for tag_id in sorted(unique)]
