from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, delete, select

from supportdesk.models import CustomField
from supportdesk.repositories.base import Repository


class CustomFieldRepository(Repository):
    async def get(self, field_id: int) -> CustomField | None:
        return await self.session.get(CustomField, field_id)

    async def published(self) -> Sequence[CustomField]:
        """The fields tickets may carry values for, in display order."""
        return (
            await self.session.scalars(
                select(CustomField)
                .where(CustomField.status == "published")
                .order_by(CustomField.sort_order, CustomField.id)
            )
        ).all()

    async def by_ids(self, field_ids: Collection[int]) -> Sequence[CustomField]:
        """The definitions behind stored values, whatever their status, in one statement."""
        if not field_ids:
            return []
        return (
            await self.session.scalars(
                select(CustomField)
                .where(CustomField.id.in_(field_ids))
                .order_by(CustomField.sort_order, CustomField.id)
            )
        ).all()

    def listing(self) -> Select[Any]:
        return select(CustomField).order_by(CustomField.sort_order, CustomField.id)

    def add(self, field: CustomField) -> None:
        self.session.add(field)

    async def delete(self, field: CustomField) -> None:
        await self.session.execute(delete(CustomField).where(CustomField.id == field.id))
        self.session.expunge(field)
