"""Input types shared by the surfaces' schemas and routes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

import email_validator
from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BeforeValidator,
    EmailStr,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

# Row ids are 32-bit integers in the database: a larger number cannot name a row.
MAX_ID = 2_147_483_647

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# The references set no number of tags (labels) per ticket nor length of a ticket's text;
# bounds keep one request from costing what thousands would (a lookup of every id, a
# megabyte copied into every e-mail and search index).
MAX_TAGS = 50
# A ticket's description and a message's body: the reference application's TEXT column.
MAX_TEXT_LENGTH = 65_535
TagIds = Annotated[list[Id], Field(max_length=MAX_TAGS)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
# A page past this would skip more rows than any list holds (and more than an OFFSET takes).
MAX_PAGE = 1_000_000
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]

# Help desks run on internal domains too (the reference's own admin is
# admin@support.local): accept the special-use names an organisation may route mail to.
for _domain in ("local", "test"):
    if _domain in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_domain)

Email = Annotated[EmailStr, Field(max_length=255)]

_HEX_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})")


def hex_color(message: str) -> AfterValidator:
    """The one check of a tag's or category's colour, ``#RGB`` or ``#RRGGBB``, refused
    with ``message``: each surface words its errors its own way.

    Used as ``Annotated[str, hex_color("The color field must be …")]``.
    """

    def check(value: str) -> str:
        if not _HEX_COLOR.fullmatch(value):
            raise ValueError(message)
        return value

    return AfterValidator(check)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(message: str) -> BeforeValidator:
    """The one reading of a day sent as text: ``YYYY-MM-DD``, the documents' ``format:
    date``, and nothing else, refused with ``message``.

    Pydantic alone would also read epoch seconds (``0`` is 1970-01-01) and midnight
    date-times, which no surface documents. Used as ``Annotated[date, iso_date("…")]``.
    """

    def parse(value: Any) -> date:
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(message)

    return BeforeValidator(parse)


def _instant(value: datetime) -> str:
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# A moment as the ISO 8601 surfaces print it: whole seconds in UTC, 2026-03-15T10:30:00Z.
# Strict clients (Swift's .iso8601 strategy, fixed PHP formats) refuse fractions of a
# second; cursors keep the full precision on their own.
Instant = Annotated[
    datetime,
    PlainSerializer(_instant, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
