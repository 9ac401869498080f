"""Request bodies read inside the endpoint, and how their operations describe them.

Surfaces that check credentials of their own parse the body in the endpoint rather than
declare it as a parameter: FastAPI decodes a declared body before it runs any dependency,
so a malformed body would be reported before missing or refused credentials, and under a
position (``"1"``) rather than a field name. The surfaces differ in where they read
parameters from (JSON, forms with uploads, the query string); what they share is here:
decoding JSON, validating into a model, and reporting failures as FastAPI's own
``RequestValidationError`` so every surface renders them in its envelope.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from supportdesk.api.validation import TOO_DEEP_MESSAGE, json_value_error

ModelT = TypeVar("ModelT", bound=BaseModel)

FORM_MEDIA_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
URLENCODED = "application/x-www-form-urlencoded"

NOT_SENT_AS_JSON = (
    "The request body must be sent as JSON, with the header Content-Type: application/json "
    "(curl -d sends application/x-www-form-urlencoded unless told otherwise)."
)


def not_sent_as_json() -> HTTPException:
    """415: a JSON body under another Content-Type, or a body an operation cannot read."""
    return HTTPException(415, NOT_SENT_AS_JSON)


def looks_like_json(raw: bytes) -> bool:
    """A body beginning like a JSON object or array, which no form field ever does."""
    return raw.lstrip()[:1] in (b"{", b"[")


async def refuse_json_as_form(request: Request) -> None:
    """Where a form is welcome too, a form-encoded body that is really JSON is refused.

    Read as a form, it would turn into one field named after the whole document, and the
    client would hear only that every real field is missing.
    """
    if media_type(request) == URLENCODED and looks_like_json(await request.body()):
        raise not_sent_as_json()


def media_type(request: Request) -> str:
    """The request's content type without its parameters (``; boundary=…``), lower-cased."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def body_error(kind: str, message: str) -> RequestValidationError:
    """A failure of the body as a whole rather than of one of its fields."""
    return RequestValidationError([{"type": kind, "loc": ("body",), "msg": message}])


class RefusedJson(ValueError):
    """Well-formed JSON refused whatever it is for: nested too deeply, or holding a NUL."""


def loads_json(text: str | bytes) -> Any:
    """``json.loads``, refusing (``RefusedJson``) what no field may hold.

    Nesting deeper than the decoder can recurse into raises ``RecursionError`` inside
    ``json``; that, like any nesting past ``MAX_JSON_DEPTH``, is refused here, before
    validation or storage walks the value.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise RefusedJson(TOO_DEEP_MESSAGE) from None
    problem = json_value_error(value)
    if problem is not None:
        raise RefusedJson(problem)
    return value


def decode_json(raw: bytes) -> Any:
    # No body at all reads as an empty object, so a model without required fields
    # accepts a bare POST.
    if not raw:
        return {}
    try:
        return loads_json(raw)
    except RefusedJson as exc:
        raise body_error("value_error", str(exc)) from None
    except ValueError:
        raise body_error("json_invalid", "Invalid JSON") from None


def validate_body(model: type[ModelT], data: Any) -> ModelT:
    """``data`` validated into ``model``; errors are located under the body's field names."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from None


async def parse_json(request: Request, model: type[ModelT]) -> ModelT:
    return validate_body(model, decode_json(await request.body()))


def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema, its nested models referenced among the document's components."""
    return model.model_json_schema(ref_template="#/components/schemas/{model}")


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI additions of an operation taking ``model`` as its JSON body."""
    schema = model_schema(model)
    return {
        "requestBody": {
            # No body reads as {} (decode_json): optional when no field is required.
            "required": bool(schema.get("required")),
            "content": {"application/json": {"schema": schema}},
        }
    }
