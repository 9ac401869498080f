"""Run the Alembic migration tree programmatically (``supportdesk migrate``, ``serve``)."""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

# pg_advisory_lock key: "SDMIGR" as an integer, the same in every SupportDesk process.
STARTUP_LOCK_KEY = 0x5344_4D49_4752


def _alembic_ini() -> Path:
    # A source checkout keeps alembic.ini at its top; an installed image runs from there.
    for candidate in (Path(__file__).resolve().parents[3], Path.cwd()):
        if (candidate / "alembic.ini").is_file():
            return candidate / "alembic.ini"
    raise RuntimeError("alembic.ini not found; run SupportDesk from its project directory")


def upgrade_to_head(database_url: str) -> None:
    config = Config(str(_alembic_ini()))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


@asynccontextmanager
async def startup_lock(database_url: str) -> AsyncIterator[None]:
    """Held by one process at a time while it migrates and bootstraps the database.

    Servers started together on an empty database would otherwise all create the same
    tables and the same first administrator. The others wait their turn and then find
    the schema current and the administrator there. PostgreSQL: an advisory lock on a
    connection of its own (a process that dies releases it with its connection).
    SQLite: a file lock beside the database file.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        name = url.database or ""
        if name in ("", ":memory:"):
            yield  # an in-memory database lives in this process alone
            return
        handle = await asyncio.to_thread(Path(f"{name}.migrate.lock").open, "ab")
        try:
            await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
            yield
        finally:
            handle.close()  # closing the file releases the lock
        return
    # No pool: closing the connection really closes it, and that releases the lock.
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY}
            )
            await connection.commit()
            yield
    finally:
        await engine.dispose()
