"""Async engine and session factory for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from supportdesk.core.outage import Outage

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_BEGIN_OPTION = "supportdesk_sqlite_begin"
AUTONOMOUS = "supportdesk_autonomous_engine"
AFTER_TRANSACTION = "supportdesk_after_transaction"

# The database went away. Logged once per outage (not once per failed request); a new
# connection made by any engine of this process ends it.
database_outage = Outage("database", log)

# Raised by the drivers themselves, unwrapped, when a connection cannot be made or is lost.
DRIVER_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.PostgresConnectionError,
)
_DRIVER_MODULES = ("asyncpg", "aiosqlite", "sqlite3", "sqlalchemy")


# SQLite's OperationalError also reports bad SQL ("no such column"): only these say the
# database file cannot be reached.
_SQLITE_UNAVAILABLE = (
    "unable to open database file",
    "disk i/o error",
    "cannot operate on a closed database",
)


def is_connection_error(exc: BaseException) -> bool:
    """The database is unreachable or dropped the connection (not a bad statement)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError | InterfaceError | ProgrammingError) and isinstance(
        exc.orig, sqlite3.Error
    ):
        return any(message in str(exc.orig).lower() for message in _SQLITE_UNAVAILABLE)
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DRIVER_CONNECTION_ERRORS):
            return True
        if isinstance(current, OSError) and _raised_by_driver(current.__traceback__):
            return True
        wrapped = current.orig if isinstance(current, DBAPIError) else None
        current = wrapped or current.__cause__ or current.__context__
    return False


def _raised_by_driver(traceback: TracebackType | None) -> bool:
    """An OSError raised while connecting or talking to the database, not a file's."""
    while traceback is not None:
        module = str(traceback.tb_frame.f_globals.get("__name__", ""))
        if module.split(".", 1)[0] in _DRIVER_MODULES:
            return True
        traceback = traceback.tb_next
    return False


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes cannot always wait for the
        # write lock: SQLite may fail it at once with SQLITE_BUSY. Taking the lock up
        # front makes writers queue on busy_timeout instead. Reads need no lock (WAL
        # gives them a snapshot), so they begin deferred and never wait for writers.
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    backend = make_url(url).get_backend_name()
    # A failed statement's parameters are what a client sent (a message body, a list of
    # ids): kept out of the error, so that logging it neither copies megabytes of input
    # nor customers' data into the logs.
    options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if backend == "postgresql":
        options.update(pool_size=10, max_overflow=20, pool_pre_ping=False)
    engine = create_async_engine(url, **options)
    if backend == "sqlite":
        _configure_sqlite(engine)

    @event.listens_for(engine.sync_engine, "connect")
    def _reachable(_dbapi_connection: Any, _record: Any) -> None:
        database_outage.recovered()

    return engine


class Database:
    """The engine and the session factory of one running application."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.engine = create_engine(url, echo=echo)
        # PostgreSQL: a few connections of its own for work committed apart from the
        # request's transaction (ticket numbers). A separate pool, so requests holding
        # the main pool's connections can never starve it.
        self.autonomous: AsyncEngine | None = None
        if self.engine.dialect.name == "postgresql":
            self.autonomous = create_async_engine(url, pool_size=2, max_overflow=4, echo=echo)
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, info={AUTONOMOUS: self.autonomous}
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One session and one transaction: committed on success, rolled back on error.

        ``read_only`` is a hint for SQLite (begin without taking the write lock); a
        transaction so begun may still write, at the risk of a busy error under load.
        """
        async with self.sessionmaker() as session:
            if read_only and self.is_sqlite:
                await session.connection(execution_options={SQLITE_BEGIN_OPTION: "DEFERRED"})
            try:
                yield session
            except BaseException as exc:
                await session.rollback()
                if isinstance(exc, Exception):  # not when cancelled
                    await _run_after_transaction(session)
                raise
            else:
                await session.commit()
                await _run_after_transaction(session)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.autonomous is not None:
            await self.autonomous.dispose()


def after_transaction(session: AsyncSession, work: Callable[[], Awaitable[None]]) -> None:
    """Run ``work`` once the session's transaction has ended, committed or rolled back.

    For bookkeeping that must neither hold the transaction's locks nor fail it: ``work``
    runs outside it (in a transaction of its own, if it writes) and handles its own
    errors. Sessions come from ``Database.transaction``, which runs it.
    """
    session.info.setdefault(AFTER_TRANSACTION, []).append(work)


async def _run_after_transaction(session: AsyncSession) -> None:
    for work in session.info.pop(AFTER_TRANSACTION, ()):
        await work()


def autonomous_engine(session: AsyncSession) -> AsyncEngine | None:
    """The engine for transactions committed apart from ``session``'s (PostgreSQL only)."""
    engine: AsyncEngine | None = session.info.get(AUTONOMOUS)
    return engine


# PostgreSQL's lock_not_available: a lock wait outlasted lock_timeout.
LOCK_NOT_AVAILABLE = "55P03"


def sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE PostgreSQL answered with, however the driver wrapped it."""
    cause = getattr(exc.orig, "__cause__", None)
    state = getattr(exc.orig, "sqlstate", None) or getattr(cause, "sqlstate", None)
    return str(state) if state else None
