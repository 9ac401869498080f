"""Offset pages: any statement's, its total counted alongside by a window function; and
the large lists', which read their ids first and take their totals from elsewhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import ScalarSelect, Select, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

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


def ids_on_page(
    listing: Select[*tuple[Any, ...]], key: QueryableAttribute[int], page: PageRequest
) -> ScalarSelect[int]:
    """The keys of ``listing``'s rows on ``page``, to select the rows by.

    Selecting the keys first lets a deep page skip its offset on an index alone (page
    5,000 reads 100,000 index entries, not 100,000 rows with their joins); the rows
    and their relations are then read for the page's keys only.
    """
    return listing.with_only_columns(key).limit(page.per_page).offset(page.offset).scalar_subquery()


async def page_total(page: PageRequest, returned: int, count: Callable[[], Awaitable[int]]) -> int:
    """The total of a list of which ``page`` returned ``returned`` rows.

    A short page, or an empty first page, is the end of the list: its total is known
    without asking. Otherwise ``count`` answers.
    """
    if (returned and returned < page.per_page) or (returned == 0 and page.page == 1):
        return page.offset + returned
    return await count()
