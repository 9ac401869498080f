"""The internal admin API (seed 000) at /api/v1/internal, for scoped internal keys."""

from __future__ import annotations

from fastapi import APIRouter

from supportdesk.api.internal.errors import InternalRoute, render_error

PREFIX = "/api/v1/internal"

router = APIRouter(prefix=PREFIX, route_class=InternalRoute)

__all__ = ["PREFIX", "render_error", "router"]
