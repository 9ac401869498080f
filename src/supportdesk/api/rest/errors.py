"""The REST API's error body: ``{"error": {"code", "message", "details"}}``.

Invalid data is 400 ``BAD_REQUEST`` here, with the failing fields in ``details``; a
reused ``Idempotency-Key`` stays 422 (``IDEMPOTENCY_KEY_REUSED``), as on every surface.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from supportdesk.api.errors import ApiError, surface_route
from supportdesk.core.errors import ValidationFailed


class RestErrorDetail(BaseModel):
    """What went wrong: a code such as ``NOT_FOUND``, a sentence, and the invalid fields."""

    code: str
    message: str
    details: dict[str, list[str]] = Field(default_factory=dict)


class RestError(BaseModel):
    """The REST API's error body."""

    error: RestErrorDetail


def render_error(error: ApiError) -> JSONResponse:
    status, code = error.status, error.code
    if status == 422 and code == "VALIDATION_FAILED":
        status, code = 400, "BAD_REQUEST"
    message = error.naming_scope()
    body = {"error": {"code": code, "message": message, "details": error.details or {}}}
    return JSONResponse(body, status_code=status)


RestRoute = surface_route(render_error)


@contextmanager
def request_names(names: Mapping[str, str]) -> Iterator[None]:
    """Field errors keyed and worded in the request's own field names.

    ``names`` maps a service's field name to this API's (``category_id`` →
    ``collection_id``): a client reads ``details`` against the body it sent.
    """
    try:
        yield
    except ValidationFailed as exc:
        renamed: dict[str, list[str]] = {}
        for field, messages in exc.details.items():
            name = names.get(field, field)
            spoken, said = field.replace("_", " "), name.replace("_", " ")
            renamed[name] = [message.replace(spoken, said) for message in messages]
        exc.details = renamed
        raise
