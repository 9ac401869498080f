"""The activity log (seed 000): every change, through any surface, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from supportdesk.api.deps import ActivityLogServiceDep
from supportdesk.api.internal.deps import PageDep, require_scope
from supportdesk.api.internal.errors import InternalRoute
from supportdesk.api.internal.resource_schemas import ActivityOut, activity_out
from supportdesk.api.internal.schemas import ListEnvelope, listed
from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope

router = APIRouter(tags=["internal"], route_class=InternalRoute)


@router.get("/activity-logs", response_model=ListEnvelope[ActivityOut])
async def list_activity_logs(
    principal: Annotated[Principal, require_scope(Scope.ACTIVITY_LOGS_LIST)],
    activity: ActivityLogServiceDep,
    page: PageDep,
) -> ListEnvelope[ActivityOut]:
    """List the activity log, newest first.

    Every change made through any surface is recorded here.
    """
    return listed(await activity.list_page(principal, page), activity_out)
