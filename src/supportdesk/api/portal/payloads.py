"""Bodies that come as JSON or as multipart forms carrying ``attachments[]``."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

ModelT = TypeVar("ModelT", bound=BaseModel)

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_LIST_FIELDS = {"tags"}
_JSON_FIELDS = {"metadata"}


def request_body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI requestBody of an endpoint taking ``model`` as JSON or multipart."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    multipart = {
        "type": "object",
        "properties": {
            **schema.get("properties", {}),
            "attachments[]": {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "multipart/form-data": {"schema": multipart},
            },
        }
    }


async def parse_body(request: Request, model: type[ModelT]) -> tuple[ModelT, list[UploadFile]]:
    """Validate a JSON or form body into ``model``; return it with any uploaded files."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    uploads: list[UploadFile] = []
    data: Any
    if content_type in _FORM_TYPES:
        form = await request.form()
        data = {}
        for raw_key in form:
            key = raw_key.removesuffix("[]")
            values = form.getlist(raw_key)
            files = [v for v in values if isinstance(v, UploadFile)]
            if key == "attachments":
                uploads.extend(f for f in files if f.filename)
                continue
            texts = [v for v in values if isinstance(v, str)]
            if key in _LIST_FIELDS:
                data.setdefault(key, []).extend(texts)
            elif key in _JSON_FIELDS and texts:
                data[key] = _json_or_text(texts[-1])
            elif texts:
                data[key] = texts[-1]
    else:
        raw = await request.body()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": "Invalid JSON"}]
            ) from None
    try:
        return model.model_validate(data), uploads
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from None


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value
