"""JSON request bodies, read after the key is checked.

Parsed in the endpoint rather than declared as a body parameter: FastAPI decodes a
declared body before it runs any dependency, so a malformed body would be reported
before a missing or refused key.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI additions of an operation taking ``model`` as its JSON body."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


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
