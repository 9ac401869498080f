"""The staff directory: agents and admins, as the REST API's users (read-only)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import Role
from supportdesk.core.errors import Forbidden, NotFound
from supportdesk.models import User
from supportdesk.repositories.rest_lists import PeopleRepository

# The scopes of internal keys over staff (seed 000 calls them agents).
AGENTS_LIST = "agents:list"
AGENTS_READ = "agents:read"


def _authorise(principal: Principal, key_scope: str) -> None:
    """Keys carry the scope itself; among portal users, staff see their colleagues."""
    if principal.kind is PrincipalKind.INTERNAL_KEY:
        principal.require(key_scope)
    elif not principal.is_staff:
        raise Forbidden()


class StaffService:
    def __init__(self, session: AsyncSession) -> None:
        self.people = PeopleRepository(session)

    async def page(
        self, principal: Principal, role: Role | None, request: CursorRequest
    ) -> CursorPage[User]:
        _authorise(principal, AGENTS_LIST)
        return await self.people.staff_page(role, request)

    async def get(self, principal: Principal, user_id: int) -> User:
        _authorise(principal, AGENTS_READ)
        user = await self.people.staff_member(user_id)
        if user is None:
            raise NotFound("User not found.")
        return user
