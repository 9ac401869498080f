"""The agent API (seed 001) at /api/v1/external, for agents' external keys."""

from __future__ import annotations

from supportdesk.api.agent import account, messages, notifications, resources, tickets
from supportdesk.api.agent.errors import AgentRoute, render_error
from supportdesk.api.routing import SurfaceRouter

PREFIX = "/api/v1/external"

router = SurfaceRouter(prefix=PREFIX, paths=PREFIX, route_class=AgentRoute)
for module in (account, tickets, messages, notifications, resources):
    router.include_router(module.router)

__all__ = ["PREFIX", "render_error", "router"]
