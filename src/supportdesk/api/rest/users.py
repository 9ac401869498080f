"""Users (seed 002): the staff directory, agents and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from supportdesk.api.deps import StaffServiceDep
from supportdesk.api.rest.deps import require_scope
from supportdesk.api.rest.errors import RestRoute
from supportdesk.api.rest.schemas import (
    OrderDir,
    Prefix,
    StaffRole,
    TimeOrder,
    UserEnvelope,
    UserPage,
    meta,
    path_id,
    staff_role,
    user_out,
)
from supportdesk.api.rest.tickets import Cursor, Limit
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core.cursor import CursorRequest

router = APIRouter(prefix="/users", tags=["rest"], route_class=RestRoute)

# The staff directory: agents and admins are the agents:* scopes' people.
Lister = Annotated[Principal, require_scope(Scope.AGENTS_LIST)]
Reader = Annotated[Principal, require_scope(Scope.AGENTS_READ)]


@router.get("", response_model=UserPage)
async def list_users(
    principal: Lister,
    staff: StaffServiceDep,
    role: StaffRole | None = None,
    order_by: TimeOrder = "created_at",
    order_dir: OrderDir = "desc",
    limit: Limit = 25,
    cursor: Cursor = None,
) -> UserPage:
    """List staff users, newest first unless ordered otherwise.

    Filter by role.
    """
    request = CursorRequest(order_by, order_dir == "desc", limit, cursor)
    page = await staff.page(principal, staff_role(role), request)
    return UserPage(data=[user_out(user) for user in page.items], meta=meta(page))


@router.get("/{user_id}", response_model=UserEnvelope)
async def get_user(user_id: str, principal: Reader, staff: StaffServiceDep) -> UserEnvelope:
    """Read a staff user."""
    return UserEnvelope(data=user_out(await staff.get(principal, path_id(Prefix.USER, user_id))))
