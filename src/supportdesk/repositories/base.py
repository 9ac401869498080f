from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from supportdesk.models import Ticket, User
from supportdesk.repositories.dialect import dialect_name, on_postgresql


class Repository:
    """Holds the request's session. Repositories query and flush; they never commit."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return dialect_name(self.session)

    @property
    def is_postgresql(self) -> bool:
        return on_postgresql(self.session)


# The models deleted by stamping ``deleted_at``: the row stays (a delete can be undone,
# the worker purges it later), so every query of live rows must leave it out.
SoftDeletable = Ticket | User


def not_deleted(model: type[SoftDeletable]) -> ColumnElement[bool]:
    return model.deleted_at.is_(None)


# Conditional aggregates as SUM(CASE …) rather than COUNT(*) FILTER: the same SQL on both
# databases. SUM over no rows is NULL; a count of nothing is 0.
def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sum_if(condition: ColumnElement[bool], value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


async def count_rows(session: AsyncSession, statement: Select[*tuple[Any, ...]]) -> int:
    """How many rows ``statement`` returns, counted by the database."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(await session.scalar(counted) or 0)


# ---------------------------------------------------------------- LIKE matching

# Every pattern below escapes with a backslash, and says so in its ESCAPE clause: SQLite
# has no default escape character, PostgreSQL's is the backslash.


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards (and the escape character itself) escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """A ``%text%`` pattern matching the text literally (wildcards escaped with ``\\``)."""
    return f"%{escape_like(text)}%"


def contains_text(text: str, *columns: QueryableAttribute[Any]) -> ColumnElement[bool]:
    """Any of ``columns`` containing ``text`` literally, whatever the letter case."""
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))
