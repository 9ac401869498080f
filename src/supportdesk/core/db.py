"""Async engine and session factory for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_BEGIN_OPTION = "supportdesk_sqlite_begin"
AUTONOMOUS = "supportdesk_autonomous_engine"


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
    options: dict[str, Any] = {"echo": echo}
    if backend == "postgresql":
        options.update(pool_size=10, max_overflow=20, pool_pre_ping=False)
    engine = create_async_engine(url, **options)
    if backend == "sqlite":
        _configure_sqlite(engine)
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
            except BaseException:
                await session.rollback()
                raise
            else:
                await session.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.autonomous is not None:
            await self.autonomous.dispose()


def autonomous_engine(session: AsyncSession) -> AsyncEngine | None:
    """The engine for transactions committed apart from ``session``'s (PostgreSQL only)."""
    engine: AsyncEngine | None = session.info.get(AUTONOMOUS)
    return engine
