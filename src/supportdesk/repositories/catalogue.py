"""Departments and products: what tickets are routed to and asked about."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, delete, exists, insert, select

from supportdesk.models import Department, Product, department_agents
from supportdesk.repositories.base import Repository


class CatalogueRepository(Repository):
    # ---------------------------------------------------------------- departments

    async def department(self, department_id: int) -> Department | None:
        return await self.session.get(Department, department_id)

    async def departments(self, department_ids: Collection[int]) -> Sequence[Department]:
        if not department_ids:
            return []
        return (
            await self.session.scalars(select(Department).where(Department.id.in_(department_ids)))
        ).all()

    def department_listing(self) -> Select[Any]:
        return select(Department).order_by(Department.sort_order, Department.name, Department.id)

    def add_department(self, department: Department) -> None:
        self.session.add(department)

    async def delete_department(self, department: Department) -> None:
        # Tickets keep existing without a department (ON DELETE SET NULL).
        await self.session.execute(delete(Department).where(Department.id == department.id))
        self.session.expunge(department)

    async def set_department_members(self, user_id: int, department_ids: Collection[int]) -> None:
        """Make ``user_id`` a member of exactly ``department_ids``."""
        await self.session.execute(
            delete(department_agents).where(department_agents.c.user_id == user_id)
        )
        if department_ids:
            await self.session.execute(
                insert(department_agents),
                [{"department_id": d, "user_id": user_id} for d in sorted(department_ids)],
            )

    # ---------------------------------------------------------------- products

    async def product(self, product_id: int) -> Product | None:
        return await self.session.get(Product, product_id)

    def product_listing(self) -> Select[Any]:
        return select(Product).order_by(Product.name, Product.id)

    async def envato_id_taken(self, envato_id: str, *, except_id: int | None = None) -> bool:
        taken = exists().where(Product.envato_id == envato_id)
        if except_id is not None:
            taken = taken.where(Product.id != except_id)
        return bool(await self.session.scalar(select(taken)))

    def add_product(self, product: Product) -> None:
        self.session.add(product)

    async def delete_product(self, product: Product) -> None:
        await self.session.execute(delete(Product).where(Product.id == product.id))
        self.session.expunge(product)
