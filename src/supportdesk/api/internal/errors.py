"""The internal API's error body (seed 000): ``{"status": false, "message", "errors"}``."""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from supportdesk.api.errors import ApiError, surface_route


class InternalError(BaseModel):
    """The internal API's error body; ``errors`` lists each invalid field's problems."""

    status: Literal[False]
    message: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


def render_error(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"status": False, "message": error.message}
    if error.details:
        body["errors"] = error.details
    return JSONResponse(body, status_code=error.status)


InternalRoute = surface_route(render_error)
