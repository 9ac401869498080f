"""The staff directory: agents and admins, as the REST API's users (read-only)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import Role
from supportdesk.core.errors import NotFound
from supportdesk.models import User
from supportdesk.repositories.rest_lists import PeopleRepository


class StaffService:
    def __init__(self, session: AsyncSession) -> None:
        self.people = PeopleRepository(session)

    async def page(
        self, principal: Principal, role: Role | None, request: CursorRequest
    ) -> CursorPage[User]:
        principal.require(Scope.AGENTS_LIST)
        return await self.people.staff_page(role, request)

    async def get(self, principal: Principal, user_id: int) -> User:
        principal.require(Scope.AGENTS_READ)
        user = await self.people.staff_member(user_id)
        if user is None:
            raise NotFound("User not found.")
        return user
