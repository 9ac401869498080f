"""The parameters of a request, wherever the client put them.

The simple ticket API is called like a PHP script: parameters come in the query string,
a form-encoded or multipart body, or a JSON body, and the body wins over the query
string as in PHP's ``$_REQUEST``. ``custom_fields`` may arrive as a JSON object, as a
JSON string in a form field, or as ``custom_fields[1]=…`` form fields.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile

from supportdesk.api.bodies import (
    FORM_MEDIA_TYPES,
    ModelT,
    body_error,
    decode_json,
    media_type,
    refuse_json_as_form,
    validate_body,
)
from supportdesk.api.validation import contains_nul

_BRACKETED = re.compile(r"^(?P<name>[A-Za-z_]+)\[(?P<key>[^\[\]]*)\]$")
# A mobile client's form: a handful of short fields. Attachments are not taken; the
# few a client may send anyway are read only to be refused.
_MAX_FORM_FIELDS = 200
_MAX_FILES = 10


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
    if media_type(request) in FORM_MEDIA_TYPES:
        await refuse_json_as_form(request)
        params: dict[str, Any] = {}
        async with request.form(max_files=_MAX_FILES, max_fields=_MAX_FORM_FIELDS) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    raise HTTPException(400, "Attachments are not supported via the API.")
                _merge(params, name, value)
        return params
    raw = await request.body()
    # PHP reads a blank body as no parameters.
    if not raw.strip():
        return {}
    data = decode_json(raw)
    if not isinstance(data, dict):
        raise body_error("model_type", "The request body must be a JSON object.")
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
        raise body_error("value_error", "The request must not contain NUL characters.")
    return validate_body(model, params)
