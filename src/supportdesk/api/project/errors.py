"""The external-project API's error body: ``{"error": …}`` (+ ``details`` on 422).

The same envelope as the portal's, written out here rather than borrowed: surfaces do not
import each other, so either can change without touching the other.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from supportdesk.api.errors import ApiError, surface_route


class ProjectError(BaseModel):
    """The external-project API's error body; ``details`` lists each invalid field's problems."""

    error: str
    details: dict[str, list[str]] = Field(default_factory=dict)


def render_error(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"error": error.message}
    if error.details:
        body["details"] = error.details
    return JSONResponse(body, status_code=error.status)


ProjectRoute = surface_route(render_error)
