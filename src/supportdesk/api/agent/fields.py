"""The agent API's names for fields the shared ticket rules call otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from supportdesk.core.errors import ValidationFailed

_NAMES = {"subject": "title", "description": "content", "tags": "labels", "body": "content"}


@contextmanager
def agent_field_names() -> Iterator[None]:
    """Report a ValidationFailed raised inside under this API's field names."""
    try:
        yield
    except ValidationFailed as failed:
        failed.details = {_NAMES.get(key, key): value for key, value in failed.details.items()}
        raise
