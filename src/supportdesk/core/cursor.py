"""Keyset (cursor) pagination: a page continues strictly after the last row it returned.

A cursor names a position in one ordering: the sort value of the last row and its id.
The id breaks ties, so rows sharing a sort value (a hundred tickets created in the same
instant) are neither skipped nor repeated, whichever direction the list is walked.
Cursors handed out are opaque (URL-safe base64 of a small JSON document, bound to the
ordering that produced them); a bare ISO-8601 timestamp is accepted too for timestamp
orderings, meaning "rows strictly past this instant".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, literal, tuple_
from sqlalchemy.orm import QueryableAttribute

from supportdesk.core.errors import ValidationFailed

T = TypeVar("T")

MAX_CURSOR_LENGTH = 512

# A column or an SQL expression a list is sorted by.
Expression = ColumnElement[Any] | QueryableAttribute[Any]


class SortKind(StrEnum):
    TIMESTAMP = "timestamp"
    RANK = "rank"  # an integer, e.g. a priority's rank


@dataclass(frozen=True, slots=True)
class CursorRequest:
    """Where a keyset page starts and how the list is ordered."""

    order_by: str = "created_at"
    descending: bool = True
    limit: int = 25
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """The last row seen. ``row_id`` is None for a bare timestamp (no tie to break)."""

    value: datetime | int
    row_id: int | None


@dataclass(frozen=True, slots=True)
class CursorPage(Generic[T]):
    items: Sequence[T]
    total: int
    limit: int
    next_cursor: str | None


def _invalid() -> ValidationFailed:
    return ValidationFailed(
        "The cursor is invalid.", details={"cursor": ["The cursor is invalid."]}
    )


def encode(request: CursorRequest, value: datetime | int, row_id: int) -> str:
    """The cursor continuing after the row with this sort value and id."""
    stored: str | int = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    document: dict[str, str | int] = {
        "o": request.order_by,
        "d": "desc" if request.descending else "asc",
        "v": stored,
        "i": row_id,
    }
    raw = json.dumps(document, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)  # the reference's timestamps are UTC
        # An instant at the edge of the calendar with an offset (0001-01-01T00:00+14:00)
        # parses, but lies outside the years a datetime can hold once in UTC.
        return value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise _invalid() from exc


def _looks_like_timestamp(text: str) -> bool:
    return len(text) >= 10 and text[:4].isdigit() and text[4] == "-"


def decode(request: CursorRequest, kind: SortKind) -> Position | None:
    """The position a request's cursor names, or None on a first page.

    A cursor made for another ordering, or anything unreadable, is invalid (400).
    """
    text = request.cursor
    if text is None or text == "":
        return None
    if len(text) > MAX_CURSOR_LENGTH or "\x00" in text:
        raise _invalid()
    if _looks_like_timestamp(text):
        if kind is not SortKind.TIMESTAMP:
            raise _invalid()
        return Position(_timestamp(text), None)
    try:
        padded = text + "=" * (-len(text) % 4)
        document: Any = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise _invalid() from exc
    if not isinstance(document, dict):
        raise _invalid()
    direction = "desc" if request.descending else "asc"
    if document.get("o") != request.order_by or document.get("d") != direction:
        raise _invalid()
    row_id, value = document.get("i"), document.get("v")
    if not isinstance(row_id, int) or isinstance(row_id, bool) or not 0 < row_id < 2**63:
        raise _invalid()
    if kind is SortKind.TIMESTAMP and isinstance(value, str):
        return Position(_timestamp(value), row_id)
    if kind is SortKind.RANK and isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 2**31:
            raise _invalid()
        return Position(value, row_id)
    raise _invalid()


def after(
    sort: Expression,
    row_id: Expression,
    position: Position,
    *,
    descending: bool,
) -> ColumnElement[bool]:
    """Rows strictly past ``position`` in the order (sort, id), both ascending or descending.

    A row-value comparison, ``(sort, id) > (v, i)``: both databases seek a (sort, id)
    index to the position. Spelled ``sort > v OR (sort = v AND id > i)`` PostgreSQL
    filters every row before it instead (350 ms a page 900,000 rows deep, 0.1 ms so).
    """
    value = position.value
    if position.row_id is None:
        return sort < value if descending else sort > value
    row = tuple_(sort, row_id)
    # Typed like the columns, so each value is bound as they store it.
    at = tuple_(literal(value, sort.type), literal(position.row_id, row_id.type))
    return row < at if descending else row > at
