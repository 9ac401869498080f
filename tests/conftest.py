"""Test harness: one migrated database per run, emptied before every test.

SQLite by default; PostgreSQL when SUPPORTDESK_TEST_DATABASE_URL is set (CI sets it).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import Table, text
from sqlalchemy.engine import make_url

from supportdesk.app import create_app
from supportdesk.config import Settings
from supportdesk.core import clock
from supportdesk.core.db import Database
from supportdesk.core.migrations import upgrade_to_head
from supportdesk.models import Base, TicketTally
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("SUPPORTDESK_TEST_DATABASE_URL")
    if not url:
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'supportdesk.db'}"
    if make_url(url).get_backend_name() == "postgresql":
        _reset_postgres_schema(url)
    return url


def _reset_postgres_schema(url: str) -> None:
    import asyncio

    async def reset() -> None:
        database = Database(url)
        async with database.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await database.dispose()

    asyncio.run(reset())


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    """Upgrade the empty test database with the real migration tree."""
    upgrade_to_head(database_url)
    return database_url


@pytest.fixture(scope="session")
def settings(migrated: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=migrated,
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        redis_url=os.environ.get("SUPPORTDESK_TEST_REDIS_URL", ""),
        attachments_dir=tmp_path_factory.mktemp("attachments"),
        max_attachment_mb=1,
        auto_migrate=False,
        # The suite sends thousands of requests a minute; tests/api/test_rate_limits.py
        # checks the limits on apps of their own.
        rate_limit_per_minute=1_000_000,
        login_rate_limit_per_minute=1_000_000,
        failed_login_rate_limit_per_minute=1_000_000,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
def database(app: FastAPI) -> Database:
    db: Database = app.state.database
    return db


@pytest.fixture(scope="session")
async def reference_rows(database: Database) -> dict[str, list[dict[str, Any]]]:
    """The rows the migrations seed (default project, global SLA policies)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    async with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(table.select())
            rows[table.name] = [dict(row._mapping) for row in result]
    return rows


def emptying_order() -> list[Table]:
    """Dependent tables first; the tallies last, as deleting tickets writes to them."""
    tallies = TicketTally.__table__
    tables = [table for table in reversed(Base.metadata.sorted_tables) if table is not tallies]
    return [*tables, tallies]


@pytest.fixture(scope="session")
def emptying_script(reference_rows: dict[str, list[dict[str, Any]]]) -> str:
    """PostgreSQL: empty every table and rewind its id sequences, in one statement.

    DELETE rather than TRUNCATE: the tables hold a handful of rows, and TRUNCATE pays
    for new files for every table and index on each call — most of a test's cost.
    """
    tables = Base.metadata.sorted_tables
    deletes = [f"DELETE FROM {table.name};" for table in emptying_order()]
    rewinds = []
    for table in tables:
        if "id" in table.c:
            next_id = max((row["id"] for row in reference_rows[table.name]), default=0) + 1
            rewinds.append(
                f"PERFORM setval(pg_get_serial_sequence('{table.name}', 'id'), {next_id}, false);"
            )
    # One DO block: a single statement, which asyncpg may prepare.
    return "DO $$ BEGIN\n" + "\n".join(deletes + rewinds) + "\nEND $$"


@pytest.fixture(autouse=True)
async def clean_database(
    database: Database, reference_rows: dict[str, list[dict[str, Any]]], emptying_script: str
) -> AsyncIterator[None]:
    """Every test starts from the freshly migrated state."""
    tables = Base.metadata.sorted_tables
    async with database.engine.begin() as connection:
        if database.is_sqlite:
            for table in emptying_order():
                await connection.execute(table.delete())
        else:
            await connection.exec_driver_sql(emptying_script)
        for table in tables:
            if reference_rows[table.name]:
                await connection.execute(table.insert(), reference_rows[table.name])
    yield


@pytest.fixture
def frozen_clock() -> Iterator[FrozenClock]:
    """SupportDesk's clock, stopped at a known instant; tests move it explicitly."""
    fake = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    clock.set_source(fake.now)
    yield fake
    clock.set_source(None)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def make(database: Database, settings: Settings) -> Factory:
    return Factory(database, settings)


@pytest.fixture
def statements(database: Database) -> Iterator[StatementCounter]:
    counter = StatementCounter(database.engine)
    yield counter
    counter.detach()


@pytest.fixture
def attachments_dir(settings: Settings) -> Path:
    return settings.attachments_dir
