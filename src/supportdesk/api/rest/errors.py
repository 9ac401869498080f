"""The REST API's error body (seed 002): ``{"error": {"code", "message", "details"}}``.

Invalid data is 400 ``BAD_REQUEST`` here, with the failing fields in ``details``.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from supportdesk.api.errors import ApiError, surface_route


def render_error(error: ApiError) -> JSONResponse:
    status, code = error.status, error.code
    if status == 422:
        status, code = 400, "BAD_REQUEST"
    body = {"error": {"code": code, "message": error.message, "details": error.details or {}}}
    return JSONResponse(body, status_code=status)


RestRoute = surface_route(render_error)
