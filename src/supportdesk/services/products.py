"""Products customers ask about; an Envato item id identifies one at most once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import Product
from supportdesk.repositories.catalogue import CatalogueRepository
from supportdesk.repositories.paging import fetch_page
from supportdesk.services.activity import ActivityLog
from supportdesk.services.departments import refuse_nulls

_EDITABLE = ("name", "envato_id", "description", "price", "status")


@dataclass(frozen=True, slots=True)
class ProductFields:
    """A new product, or a partial update: only ``fields_set`` is applied on update."""

    fields_set: frozenset[str]
    name: str | None = None
    envato_id: str | None = None
    description: str | None = None
    price: Decimal | None = None
    status: str | None = None


class ProductService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.catalogue = CatalogueRepository(session)
        self.activity = ActivityLog(session)

    async def list_page(self, principal: Principal, page: PageRequest) -> Page[Product]:
        """Products by name."""
        principal.require(Scope.PRODUCTS_LIST)
        return await fetch_page(self.session, self.catalogue.product_listing(), page)

    async def get(self, principal: Principal, product_id: int) -> Product:
        principal.require(Scope.PRODUCTS_READ)
        return await self._product(product_id)

    async def create(self, principal: Principal, fields: ProductFields) -> Product:
        principal.require(Scope.PRODUCTS_CREATE)
        if not fields.name:
            raise ValidationFailed.field("name", "The name field is required.")
        await self._check_envato_id(fields.envato_id, None)
        product = Product(
            name=fields.name,
            envato_id=fields.envato_id,
            description=fields.description,
            price=fields.price,
            status=fields.status or "published",
        )
        self.catalogue.add_product(product)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "product.created",
            f"Product {product.name} created",
            {"product_id": product.id},
        )
        return product

    async def update(self, principal: Principal, product_id: int, fields: ProductFields) -> Product:
        principal.require(Scope.PRODUCTS_UPDATE)
        product = await self._product(product_id)
        refuse_nulls(fields.fields_set, fields, ("name", "status"))
        if "envato_id" in fields.fields_set:
            await self._check_envato_id(fields.envato_id, product.id)
        diff: dict[str, list[Any]] = {}
        for name in _EDITABLE:
            value = getattr(fields, name)
            if name in fields.fields_set and value != getattr(product, name):
                diff[name] = [_plain(getattr(product, name)), _plain(value)]
                setattr(product, name, value)
        if diff:
            await self.session.flush()
            self.activity.record(
                principal,
                None,
                "product.updated",
                f"Product {product.name} updated",
                {"product_id": product.id, **diff},
            )
        return product

    async def delete(self, principal: Principal, product_id: int) -> None:
        """Delete a product; its tickets stay, without a product."""
        principal.require(Scope.PRODUCTS_DELETE)
        product = await self._product(product_id)
        self.activity.record(
            principal,
            None,
            "product.deleted",
            f"Product {product.name} deleted",
            {"product_id": product.id, "name": product.name},
        )
        await self.catalogue.delete_product(product)

    async def _product(self, product_id: int) -> Product:
        product = await self.catalogue.product(product_id)
        if product is None:
            raise NotFound("Product not found.")
        return product

    async def _check_envato_id(self, envato_id: str | None, product_id: int | None) -> None:
        if envato_id and await self.catalogue.envato_id_taken(envato_id, except_id=product_id):
            raise ValidationFailed.field("envato_id", "The envato id has already been taken.")


def _plain(value: Any) -> Any:
    # Activity changes are JSON: a price is written as its decimal text.
    return str(value) if isinstance(value, Decimal) else value
