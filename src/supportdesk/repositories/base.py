from __future__ import annotations

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    """Holds the request's session. Repositories query and flush; they never commit."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name


# Conditional aggregates as SUM(CASE …) rather than COUNT(*) FILTER: the same SQL on both
# databases. SUM over no rows is NULL; a count of nothing is 0.
def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sum_if(condition: ColumnElement[bool], value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)
