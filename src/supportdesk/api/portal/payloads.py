"""Bodies that come as JSON or as multipart forms carrying ``attachments[]``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from supportdesk.api.bodies import (
    FORM_MEDIA_TYPES,
    ModelT,
    decode_json,
    json_body,
    loads_json,
    media_type,
    model_schema,
    refuse_json_as_form,
    validate_body,
)
from supportdesk.api.body_limit import allow_attachments
from supportdesk.config import MAX_ATTACHMENTS_PER_REQUEST

_LIST_FIELDS = {"tags"}
_JSON_FIELDS = {"metadata"}


def request_body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI requestBody of an endpoint taking ``model`` as JSON or multipart."""
    extra = json_body(model)
    multipart = {
        "type": "object",
        "properties": {
            **model_schema(model).get("properties", {}),
            "attachments[]": {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    extra["requestBody"]["content"]["multipart/form-data"] = {"schema": multipart}
    return extra


async def parse_body(request: Request, model: type[ModelT]) -> tuple[ModelT, list[UploadFile]]:
    """Validate a JSON or form body into ``model``; return it with any uploaded files."""
    kind = media_type(request)
    if kind not in FORM_MEDIA_TYPES:
        return validate_body(model, decode_json(await request.body())), []
    if kind == "multipart/form-data":
        allow_attachments(request)
    else:
        await refuse_json_as_form(request)
    # More files than that are refused (400) before any is kept.
    form = await request.form(max_files=MAX_ATTACHMENTS_PER_REQUEST)
    uploads: list[UploadFile] = []
    data: dict[str, Any] = {}
    for raw_key in form:
        key = raw_key.removesuffix("[]")
        values = form.getlist(raw_key)
        files = [v for v in values if isinstance(v, UploadFile)]
        if key == "attachments":
            if len(files) < len(values):
                raise _text_among_files()
            uploads.extend(f for f in files if f.filename)
            continue
        texts = [v for v in values if isinstance(v, str)]
        if key in _LIST_FIELDS:
            data.setdefault(key, []).extend(texts)
        elif key in _JSON_FIELDS and texts:
            data[key] = _json_or_text(texts[-1])
        elif texts:
            data[key] = texts[-1]
    return validate_body(model, data), uploads


def _json_or_text(value: str) -> Any:
    try:
        return loads_json(value)
    except ValueError:
        return value


def _text_among_files() -> RequestValidationError:
    # Each part of ``attachments[]`` is a file (``format: binary``), not a text field.
    error = {
        "type": "value_error",
        "loc": ("body", "attachments"),
        "msg": "The attachments field must contain only files.",
    }
    return RequestValidationError([error])
