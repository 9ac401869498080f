"""Keyset pagination of any statement (the cursor itself: core/cursor.py).

A page costs a fixed number of statements whatever its size: one reading the page (a row
more than asked, to know whether a next page exists), one for the total unless the first
page holds the whole list, plus any ``selectinload`` the caller asks for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from supportdesk.core.cursor import (
    CursorPage,
    CursorRequest,
    Expression,
    SortKind,
    after,
    decode,
    encode,
)
from supportdesk.core.errors import ValidationFailed
from supportdesk.repositories.base import count_rows


@dataclass(frozen=True, slots=True)
class Ordering:
    """One way a list can be sorted: the expression and what kind of value it yields."""

    sort: Expression
    kind: SortKind


async def keyset_page(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    *,
    ordering: Ordering,
    row_id: Expression,
    request: CursorRequest,
    options: Sequence[ORMOption] = (),
    count: Callable[[], Awaitable[int]] | None = None,
) -> CursorPage[Any]:
    """The page of ``statement`` (its filters, no order) after ``request.cursor``.

    Items are the statement's first entity, or tuples when it selects more columns.
    The total is ``count()``, or the statement's rows counted; a first page that holds
    the whole list needs neither.
    """
    position = decode(request, ordering.kind)

    page = statement.add_columns(ordering.sort.label("keyset_sort"), row_id.label("keyset_id"))
    if position is not None:
        page = page.where(after(ordering.sort, row_id, position, descending=request.descending))
    if request.descending:
        page = page.order_by(ordering.sort.desc(), row_id.desc())
    else:
        page = page.order_by(ordering.sort.asc(), row_id.asc())
    rows = (await session.execute(page.options(*options).limit(request.limit + 1))).all()

    if position is None and len(rows) <= request.limit:
        total = len(rows)
    elif count is not None:
        total = await count()
    else:
        total = await count_rows(session, statement)

    next_cursor = None
    if len(rows) > request.limit:
        rows = rows[: request.limit]
        last = rows[-1]
        next_cursor = encode(request, last[-2], int(last[-1]))
    items = [row[0] if len(row) == 3 else tuple(row[:-2]) for row in rows]
    return CursorPage(items=items, total=total, limit=request.limit, next_cursor=next_cursor)


def timestamp_orderings(*columns: Any) -> dict[str, Ordering]:
    """Orderings by timestamp columns, named after the columns."""
    return {str(column.key): Ordering(column, SortKind.TIMESTAMP) for column in columns}


def ordering_for(orderings: Mapping[str, Ordering], name: str) -> Ordering:
    ordering = orderings.get(name)
    if ordering is None:
        raise ValidationFailed.field("order_by", "The selected order by is invalid.")
    return ordering
