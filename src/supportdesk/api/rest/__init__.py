"""The REST API (seed 002) at /api/v1, for internal keys and portal JWTs as Bearer tokens."""

from __future__ import annotations

from supportdesk.api.rest import (
    articles,
    conversations,
    customers,
    tags,
    tickets,
    users,
    webhooks,
)
from supportdesk.api.rest.errors import RestRoute, render_error
from supportdesk.api.routing import SurfaceRouter

PREFIX = "/api/v1"

router = SurfaceRouter(prefix=PREFIX, paths=PREFIX, route_class=RestRoute)
for module in (tickets, conversations, customers, users, tags, articles, webhooks):
    router.include_router(module.router)

__all__ = ["PREFIX", "render_error", "router"]
