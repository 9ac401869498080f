"""JSON request bodies, read after the key pair is checked.

Parsed in the endpoint rather than declared as a body parameter: FastAPI decodes a
declared body before it runs any dependency, so a malformed body would be reported
before missing credentials, and under a position (``"1"``) rather than a field name.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from supportdesk.api.project.deps import KEY_PAIR_SECURITY

ModelT = TypeVar("ModelT", bound=BaseModel)


def operation(model: type[BaseModel] | None = None) -> dict[str, Any]:
    """OpenAPI additions of an operation: the key pair, and its JSON body if it takes one."""
    extra: dict[str, Any] = dict(KEY_PAIR_SECURITY)
    if model is not None:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        extra["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    return extra


async def parse_json(request: Request, model: type[ModelT]) -> ModelT:
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": "Invalid JSON"}]
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from None
