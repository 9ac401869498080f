"""The SupportDesk portal API (seed 003) at /api, for portal users with a JWT."""

from __future__ import annotations

from supportdesk.api.portal import (
    admin,
    attachments,
    auth,
    business_calendars,
    configuration,
    reports,
    tickets,
    webhooks,
)
from supportdesk.api.portal.errors import PortalRoute, render_error
from supportdesk.api.routing import SurfaceRouter

PREFIX = "/api"

router = SurfaceRouter(prefix=PREFIX, paths=PREFIX, route_class=PortalRoute)
for module in (
    auth,
    tickets,
    attachments,
    admin,
    business_calendars,
    configuration,
    reports,
    webhooks,
):
    router.include_router(module.router)

__all__ = ["PREFIX", "render_error", "router"]
