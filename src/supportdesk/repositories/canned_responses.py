from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from supportdesk.models import CannedResponse
from supportdesk.repositories.base import Repository, contains_text


@dataclass(frozen=True, slots=True)
class CannedResponseFilters:
    project_id: int | None = None
    search: str | None = None


def visible_to(user_id: int | None) -> ColumnElement[bool]:
    """What a staff member may use: their own responses and everyone's shared ones."""
    if user_id is None:
        return CannedResponse.is_shared.is_(True)
    return or_(CannedResponse.owner_id == user_id, CannedResponse.is_shared.is_(True))


class CannedResponseRepository(Repository):
    async def get(self, response_id: int) -> CannedResponse | None:
        return await self.session.get(CannedResponse, response_id)

    async def usable(
        self, user_id: int | None, filters: CannedResponseFilters
    ) -> Sequence[CannedResponse]:
        """The active responses ``user_id`` may use, narrowed by ``filters``."""
        query = select(CannedResponse).where(
            CannedResponse.is_active.is_(True), visible_to(user_id)
        )
        if filters.project_id is not None:
            # Responses of no project are meant for every project.
            query = query.where(
                or_(
                    CannedResponse.project_id == filters.project_id,
                    CannedResponse.project_id.is_(None),
                )
            )
        if filters.search:
            query = query.where(
                contains_text(
                    filters.search,
                    CannedResponse.title,
                    CannedResponse.body,
                    CannedResponse.shortcut,
                )
            )
        query = query.order_by(CannedResponse.sort_order, CannedResponse.title, CannedResponse.id)
        return (await self.session.scalars(query)).all()

    def add(self, response: CannedResponse) -> None:
        self.session.add(response)

    async def delete(self, response: CannedResponse) -> None:
        await self.session.delete(response)
        await self.session.flush()

    def listing(self) -> Select[Any]:
        """Every response in display order (sort_order, then title)."""
        return select(CannedResponse).order_by(
            CannedResponse.sort_order, CannedResponse.title, CannedResponse.id
        )
