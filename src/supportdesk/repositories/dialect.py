"""What PostgreSQL and SQLite are asked differently, in one place.

Everything else in the repositories is SQL both databases accept. What cannot be — the
INSERT that carries ON CONFLICT, full-text search, timestamp arithmetic — is chosen
here, by the dialect of the request's session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, cast, extract, func, literal_column
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from supportdesk.models import Base

POSTGRESQL = "postgresql"


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def on_postgresql(session: AsyncSession) -> bool:
    return dialect_name(session) == POSTGRESQL


def insert_for(session: AsyncSession, model: type[Base]) -> PostgresqlInsert | SqliteInsert:
    """An INSERT into ``model`` that can carry ON CONFLICT DO NOTHING / DO UPDATE.

    The generic INSERT cannot; each dialect's own can, and both spell the clauses alike
    (``index_elements``, ``set_``), so callers need not know which they were given.
    """
    if on_postgresql(session):
        return postgresql_insert(model)
    return sqlite_insert(model)


# ---------------------------------------------------------------- full text (PostgreSQL)

# The configuration the GIN full-text indexes are built with, written as a literal: only
# an expression that matches the index's exactly lets the planner use the index (a bound
# parameter would not).
SIMPLE: ColumnElement[str] = literal_column("'simple'")


def prefix_terms(words: Sequence[str]) -> str:
    """A tsquery text matching every word as a word prefix: ``upl`` finds ``upload``."""
    return " & ".join(f"{word}:*" for word in words)


def prefix_query(words: Sequence[str]) -> ColumnElement[Any]:
    return func.to_tsquery(SIMPLE, prefix_terms(words))


def text_vector(column: Any) -> ColumnElement[Any]:
    """``to_tsvector('simple', column)``: the expression the GIN indexes are built on."""
    return func.to_tsvector(SIMPLE, column)


def text_matches(column: Any, query: ColumnElement[Any]) -> ColumnElement[bool]:
    return text_vector(column).bool_op("@@")(query)


# ---------------------------------------------------------------- timestamps


def microseconds_between(
    later: QueryableAttribute[Any], earlier: QueryableAttribute[Any], *, postgresql: bool
) -> ColumnElement[int]:
    """Whole microseconds from ``earlier`` to ``later``, exactly, on either database.

    Exact integers rather than floating minutes so that a mean rounded to a tenth of
    a minute cannot come out differently on the two databases. SQLite's date
    functions keep only milliseconds (rounded: .9996 s becomes the next second), so
    there the stored text ('YYYY-MM-DD HH:MM:SS.ffffff', naive UTC) is split: whole
    seconds from strftime('%s') of its first 19 characters, microseconds from the
    rest ('' when there is no fraction, which casts to 0).
    """
    if postgresql:
        return cast(extract("epoch", later - earlier) * 1_000_000, BigInteger)
    seconds = cast(func.strftime("%s", func.substr(later, 1, 19)), Integer) - cast(
        func.strftime("%s", func.substr(earlier, 1, 19)), Integer
    )
    micros = cast(func.substr(later, 21, 6), Integer) - cast(func.substr(earlier, 21, 6), Integer)
    return seconds * 1_000_000 + micros
