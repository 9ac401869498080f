"""The external-project API (seed 003) at /api/external, for connected projects' key pairs."""

from __future__ import annotations

from supportdesk.api.project import tickets
from supportdesk.api.project.errors import ProjectRoute, render_error
from supportdesk.api.routing import SurfaceRouter

PREFIX = "/api/external"

router = SurfaceRouter(prefix=PREFIX, paths=PREFIX, route_class=ProjectRoute)
router.include_router(tickets.router)

__all__ = ["PREFIX", "render_error", "router"]
