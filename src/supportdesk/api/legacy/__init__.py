"""The simple ticket API (seed 004) at /api/*.php, for internal keys as Bearer tokens."""

from __future__ import annotations

from fastapi import APIRouter

from supportdesk.api.legacy.errors import LegacyRoute, render_error

PREFIX = "/api"

router = APIRouter(prefix=PREFIX, route_class=LegacyRoute)

__all__ = ["PREFIX", "render_error", "router"]
