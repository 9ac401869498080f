"""The internal admin API (seed 000) at /api/v1/internal, for scoped internal keys."""

from __future__ import annotations

from supportdesk.api.internal import (
    activity_logs,
    api_keys,
    business_calendars,
    canned_responses,
    catalogue,
    connection,
    custom_fields,
    knowledge,
    messages,
    people,
    reports,
    settings,
    taxonomy,
    tickets,
    webhooks,
)
from supportdesk.api.internal.errors import InternalRoute, render_error
from supportdesk.api.routing import SurfaceRouter

PREFIX = "/api/v1/internal"

router = SurfaceRouter(prefix=PREFIX, paths=PREFIX, route_class=InternalRoute)
for module in (
    connection,
    tickets,
    messages,
    taxonomy,
    catalogue,
    people,
    knowledge,
    canned_responses,
    custom_fields,
    activity_logs,
    reports,
    settings,
    api_keys,
    webhooks,
    business_calendars,
):
    router.include_router(module.router)

__all__ = ["PREFIX", "render_error", "router"]
