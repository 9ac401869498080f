"""One offset page of any statement, its total counted alongside by a window function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core.pagination import Page, PageRequest
from supportdesk.repositories.base import count_rows

T = TypeVar("T")


async def fetch_page(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    page: PageRequest,
    into: Callable[..., Any] | None = None,
) -> Page[Any]:
    """The page of ``statement``'s rows (ordered by the caller).

    An item is the statement's only column, or a tuple of its columns, or what ``into``
    makes of them (called with the columns as arguments). One statement for a page
    that has rows; a page past the end counts in a second.
    """
    rows = (
        await session.execute(
            statement.add_columns(func.count().over()).limit(page.per_page).offset(page.offset)
        )
    ).all()
    if rows:
        total = int(rows[0][-1])
    elif page.page == 1:
        total = 0
    else:
        total = await count_rows(session, statement)
    if into is not None:
        items = [into(*row[:-1]) for row in rows]
    else:
        items = [row[0] if len(row) == 2 else tuple(row[:-1]) for row in rows]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)
