"""The SupportDesk reference's error body: ``{"error": …}`` (+ ``details`` on 422)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from supportdesk.api.errors import ApiError, surface_route


def render_error(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"error": error.message}
    if error.details:
        body["details"] = error.details
    return JSONResponse(body, status_code=error.status)


PortalRoute = surface_route(render_error)
