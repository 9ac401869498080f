"""The simple ticket API's error body: ``{"success": false, "error": …}``.

Custom field problems add ``custom_field_errors``, one message per field id, as the
reference documents for missing required fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from supportdesk.api.errors import ApiError, surface_route
from supportdesk.core.errors import CustomerMismatch, NotFound, ValidationFailed

# Where the surface puts custom field messages in a ValidationFailed's details.
CUSTOM_FIELD_ERRORS = "custom_field_errors."
# Where the ticket rules report them.
_SERVICE_CUSTOM_FIELDS = "custom_fields."
_GENERIC_VALIDATION_MESSAGE = ValidationFailed.default_message
MISSING_REQUIRED = "Missing required custom fields"
INVALID_CUSTOM_FIELDS = "Invalid custom fields"
REQUIRED = "This field is required."


class LegacyError(BaseModel):
    """The simple ticket API's error body; ``custom_field_errors`` has one message per field id."""

    success: Literal[False]
    error: str
    custom_field_errors: dict[str, str] = Field(default_factory=dict)


def render_error(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"success": False, "error": error.naming_scope()}
    field_errors = {
        name.removeprefix(CUSTOM_FIELD_ERRORS): messages[0]
        for name, messages in error.details.items()
        if name.startswith(CUSTOM_FIELD_ERRORS) and messages
    }
    if field_errors:
        body["custom_field_errors"] = field_errors
    elif error.details and error.message == _GENERIC_VALIDATION_MESSAGE:
        # The body has room for one sentence: the first problem of each field.
        body["error"] = " ".join(messages[0] for messages in error.details.values() if messages)
    return JSONResponse(body, status_code=error.status)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def custom_field_failure(failure: ValidationFailed, sent: Mapping[str, Any]) -> ValidationFailed:
    """The ticket rules' verdict on custom fields, worded as this API documents it.

    A field the client sent no value for can only have failed for being required.
    """
    messages = {
        name.removeprefix(_SERVICE_CUSTOM_FIELDS): problems[0]
        for name, problems in failure.details.items()
        if name.startswith(_SERVICE_CUSTOM_FIELDS) and problems
    }
    if not messages:
        return failure
    missing = {field_id for field_id in messages if _is_blank(sent.get(field_id))}
    return ValidationFailed(
        MISSING_REQUIRED if missing == set(messages) else INVALID_CUSTOM_FIELDS,
        details={
            CUSTOM_FIELD_ERRORS + field_id: [REQUIRED if field_id in missing else message]
            for field_id, message in messages.items()
        },
    )


@contextmanager
def customers_own_tickets() -> Iterator[None]:
    """A key speaking for the customer ``user_email`` names sees only that customer's tickets.

    The ticket rules refuse another customer's ticket as a mismatch; this API, as its
    reference does, answers that such a ticket is not there.
    """
    try:
        yield
    except CustomerMismatch:
        raise NotFound("Ticket not found.") from None


LegacyRoute = surface_route(render_error)
