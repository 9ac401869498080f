"""Servers started together on an empty database: one migrates and bootstraps, the others
wait for it, and every one of them starts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import User
from tests.conftest import TEST_SECRET

SERVERS = 3
START_TIMEOUT = 120.0

# What `supportdesk serve` does before serving, held back until every process is ready
# to go, so that they really start at once.
FIRST_START = """
import sys, time
from pathlib import Path
from supportdesk.cli import prepare_database
from supportdesk.config import Settings, resolve_secret_key

go, ready = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.005)
prepare_database(resolve_secret_key(Settings()))
"""


@pytest.fixture
async def empty_database_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the kind the suite runs on (a new one beside it on PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite+aiosqlite:///{tmp_path / 'first-start.db'}"
        return
    name = f"{url.database}_first_start"
    admin = create_async_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def _start_together(database_url: str, scratch: Path) -> list[subprocess.CompletedProcess[str]]:
    env = {
        **os.environ,
        "SUPPORTDESK_DATABASE_URL": database_url,
        "SUPPORTDESK_SECRET_KEY": TEST_SECRET,
        "SUPPORTDESK_BOOTSTRAP_ADMIN_EMAIL": "first@example.com",
        "SUPPORTDESK_BOOTSTRAP_ADMIN_PASSWORD": "a-long-admin-password",
        "SUPPORTDESK_AUTO_MIGRATE": "true",
    }
    go = scratch / "go"
    ready = [scratch / f"ready-{n}" for n in range(SERVERS)]
    servers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", FIRST_START, str(go), str(flag)],
            cwd=scratch,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flag in ready
    ]
    deadline = time.monotonic() + START_TIMEOUT
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        if any(server.poll() is not None for server in servers):
            break
        time.sleep(0.01)
    go.touch()
    finished = []
    for server in servers:
        out, err = server.communicate(timeout=START_TIMEOUT)
        finished.append(subprocess.CompletedProcess(server.args, server.returncode, out, err))
    return finished


async def test_three_servers_started_at_once_on_an_empty_database_all_start_with_one_admin(
    empty_database_url: str, tmp_path: Path
) -> None:
    finished = await asyncio.to_thread(_start_together, empty_database_url, tmp_path)

    assert [run.returncode for run in finished] == [0] * SERVERS, [r.stderr for r in finished]
    database = Database(empty_database_url)
    try:
        async with database.transaction(read_only=True) as session:
            admins = await session.scalars(select(User.email).where(User.role == Role.SUPER_ADMIN))
            assert list(admins) == ["first@example.com"]
            assert await session.scalar(select(func.count()).select_from(User)) == 1
            versions = await session.scalars(text("SELECT version_num FROM alembic_version"))
            assert len(list(versions)) == 1
    finally:
        await database.dispose()
