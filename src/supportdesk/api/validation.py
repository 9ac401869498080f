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
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"The {label} field must be an object."
    if kind in ("enum", "literal_error"):
        return f"The selected {label} is invalid."
    if kind in ("greater_than_equal", "greater_than"):
        return f"The {label} field must be at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"The {label} field must not be greater than {ctx.get('le', ctx.get('lt'))}."
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


def contains_nul(value: Any) -> bool:
    """True if a NUL character hides anywhere in a decoded JSON value.

    PostgreSQL text cannot hold one, so such input is refused up front, alike on every
    database.
    """
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


class RequestBody(BaseModel):
    """Every surface's request body: unknown fields ignored, strings trimmed, NUL refused."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if contains_nul(data):
            raise ValueError("The request must not contain NUL characters.")
        return data
