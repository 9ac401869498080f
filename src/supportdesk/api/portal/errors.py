"""The SupportDesk reference's error body: ``{"error": …}`` (+ ``details`` on 422)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from supportdesk.api.errors import ApiError, surface_route


class PortalError(BaseModel):
    """The portal's error body; ``details`` lists each invalid field's problems."""

    error: str
    details: dict[str, list[str]] = Field(default_factory=dict)


def render_error(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"error": error.message}
    if error.details:
        body["details"] = error.details
    return JSONResponse(body, status_code=error.status)


PortalRoute = surface_route(render_error)
