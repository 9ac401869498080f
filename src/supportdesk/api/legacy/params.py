"""The parameters of a request, wherever the client put them.

The simple ticket API is called like a PHP script: parameters come in the query string,
a form-encoded or multipart body, or a JSON body, and the body wins over the query
string as in PHP's ``$_REQUEST``. ``custom_fields`` may arrive as a JSON object, as a
JSON string in a form field, or as ``custom_fields[1]=…`` form fields.

Parsed in the endpoint rather than declared as parameters: FastAPI decodes a declared
body before it runs any dependency, so bad input would be reported before missing
credentials.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from supportdesk.api.validation import contains_nul

ModelT = TypeVar("ModelT", bound=BaseModel)

_BRACKETED = re.compile(r"^(?P<name>[A-Za-z_]+)\[(?P<key>[^\[\]]*)\]$")
# A mobile client's form: a handful of short fields. Attachments are not taken; the
# few a client may send anyway are read only to be refused.
_MAX_FORM_FIELDS = 200
_MAX_FILES = 10


def _invalid(kind: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"type": kind, "loc": ("body",), "msg": message}])


def _merge(params: dict[str, Any], name: str, value: Any) -> None:
    """Set a parameter; ``name[key]`` fields gather into an object under ``name``."""
    bracketed = _BRACKETED.match(name)
    if bracketed is None:
        params[name] = value
        return
    group = params.get(bracketed["name"])
    if not isinstance(group, dict):
        group = {}
        params[bracketed["name"]] = group
    group[bracketed["key"]] = value


async def _body_params(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        params: dict[str, Any] = {}
        async with request.form(max_files=_MAX_FILES, max_fields=_MAX_FORM_FIELDS) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    raise HTTPException(400, "Attachments are not supported via the API.")
                _merge(params, name, value)
        return params
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise _invalid("json_invalid", "Invalid JSON") from None
    if not isinstance(data, dict):
        raise _invalid("model_type", "The request body must be a JSON object.")
    return data


async def request_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        _merge(params, name, value)
    if request.method != "GET":
        for name, value in (await _body_params(request)).items():
            params[name] = value
    return params


async def parse_params(request: Request, model: type[ModelT]) -> ModelT:
    """The request's parameters, validated; errors are located under the field's name."""
    params = await request_params(request)
    if contains_nul(params):
        raise _invalid("value_error", "The request must not contain NUL characters.")
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from None
