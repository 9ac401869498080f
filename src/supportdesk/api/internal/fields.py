"""The internal API's names for fields the shared rules call otherwise."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from supportdesk.core.errors import ValidationFailed

TICKET_FIELDS = {
    "subject": "title",
    "description": "content",
    "tags": "labels",
    "user_id": "assigned_to",
    "assignee_id": "assigned_to",
    "body": "content",
}


@contextmanager
def renamed_fields(names: Mapping[str, str]) -> Iterator[None]:
    """Report a ValidationFailed raised inside under this API's field names."""
    try:
        yield
    except ValidationFailed as failed:
        failed.details = {names.get(key, key): value for key, value in failed.details.items()}
        raise
