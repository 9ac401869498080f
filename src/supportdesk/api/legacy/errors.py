"""The simple ticket API's error body (seed 004): ``{"success": false, "error": …}``."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from supportdesk.api.errors import ApiError, surface_route


def render_error(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"success": False, "error": error.message}
    if error.details:
        body["details"] = error.details
    return JSONResponse(body, status_code=error.status)


LegacyRoute = surface_route(render_error)
