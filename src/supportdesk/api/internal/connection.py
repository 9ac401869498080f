"""The connection check (seed 000): is the key good, and the API reachable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from supportdesk.api.internal.deps import require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.schemas import Done
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope

router = APIRouter(tags=["internal"], route_class=InternalRoute)


@router.get("/connection-check", response_model=Done)
async def connection_check(
    principal: Annotated[Principal, require_scope(Scope.CONNECTION_CHECK)],
) -> Done:
    """Check that the API key works and the API is reachable."""
    return Done(message="Connection check successful")
