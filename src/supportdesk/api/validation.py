"""Turn pydantic's validation errors into ``{field: [message]}``, worded for people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

_LOCATION_ROOTS = {"body", "query", "path", "header", "cookie", "form"}


def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _LOCATION_ROOTS:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: Mapping[str, Any], name: str) -> str:
    # Only an error located at the body itself is about the "request body"; a field that
    # happens to be called ``body`` (a message's text) is named like any other field.
    whole_body = [str(part) for part in error.get("loc", ())] in ([], ["body"])
    label = "request body" if whole_body else name.split(".")[-1].replace("_", " ")
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"The {label} field is required."
    if kind == "string_too_long":
        return f"The {label} field must not be greater than {ctx.get('max_length')} characters."
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return f"The {label} field is required."
        return f"The {label} field must be at least {ctx.get('min_length')} characters."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"The {label} field must be an integer."
    if kind in ("bool_parsing", "bool_type"):
        return f"The {label} field must be true or false."
    if kind in ("string_type",):
        return f"The {label} field must be a string."
    if kind in ("list_type",):
        return f"The {label} field must be an array."
    if kind == "too_long":
        return f"The {label} field must not have more than {ctx.get('max_length')} items."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"The {label} field must be an object."
    if kind in ("enum", "literal_error"):
        return f"The selected {label} is invalid."
    if kind in ("greater_than_equal", "greater_than"):
        return f"The {label} field must be at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"The {label} field must not be greater than {ctx.get('le', ctx.get('lt'))}."
    if kind == "extra_forbidden":
        return f"The {label} field is not a field of this request."
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return f"The {label} field must be a valid email address."
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ")


def validation_details(errors: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    for error in errors:
        name = _field_name(error.get("loc", ()))
        message = _message(error, name)
        bucket = details.setdefault(name, [])
        if message not in bucket:
            bucket.append(message)
    return details


# How deeply a request's JSON may nest. Real bodies (a ticket's metadata, custom field
# values) nest a few levels; hundreds of levels only exhaust the recursion of whatever
# walks the value next (validation, storage, rendering).
MAX_JSON_DEPTH = 32

NUL_MESSAGE = "The request must not contain NUL characters."
TOO_DEEP_MESSAGE = f"The request body must not nest more than {MAX_JSON_DEPTH} levels deep."


def _walk(value: Any) -> tuple[bool, int]:
    """(whether a NUL hides anywhere in a decoded JSON value, how deep it nests).

    Iterative, so that no input can exhaust the interpreter's recursion; it stops
    descending past ``MAX_JSON_DEPTH``, so the depth reported is at most one more.
    """
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True, deepest
            continue
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_JSON_DEPTH:
            continue
        if isinstance(item, dict):
            pending.extend((key, depth + 1) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        else:
            pending.extend((child, depth + 1) for child in item)
    return False, deepest


def contains_nul(value: Any) -> bool:
    """True if a NUL character hides anywhere in a decoded JSON value.

    PostgreSQL text cannot hold one, so such input is refused up front, alike on every
    database.
    """
    return _walk(value)[0]


def json_value_error(value: Any) -> str | None:
    """Why a decoded JSON value is refused whatever the field (a NUL, too deep), or None."""
    has_nul, depth = _walk(value)
    if has_nul:
        return NUL_MESSAGE
    if depth > MAX_JSON_DEPTH:
        return TOO_DEEP_MESSAGE
    return None


class RequestBody(BaseModel):
    """Every surface's request body: unknown fields ignored, strings trimmed, NUL and
    runaway nesting refused."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _plain_json(cls, data: Any) -> Any:
        problem = json_value_error(data)
        if problem is not None:
            raise ValueError(problem)
        return data
