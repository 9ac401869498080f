"""The simple ticket API (seed 004) at /api/*.php, for internal keys as Bearer tokens."""

from __future__ import annotations

from supportdesk.api.legacy import tickets
from supportdesk.api.legacy.errors import LegacyRoute, render_error
from supportdesk.api.routing import SurfaceRouter

PREFIX = "/api"
# Its paths share the portal's /api prefix; their ending tells them apart, so an unknown
# .php path, or a method a .php path does not take, is answered in this API's format.
PATHS = "/api/*.php"

router = SurfaceRouter(prefix=PREFIX, paths=PATHS, route_class=LegacyRoute)
router.include_router(tickets.router)

__all__ = ["PATHS", "PREFIX", "render_error", "router"]
