"""The database going away: 503 with Retry-After in each surface's format, one log line
per outage, and service again as soon as it is back."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from supportdesk.app import create_app
from supportdesk.config import Settings
from supportdesk.core.db import database_outage
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.models import User
from supportdesk.repositories.api_keys import ApiKeyRepository
from tests.factories import Factory

UNREACHABLE = {
    # Nothing listens on port 1: asyncpg's connection is refused.
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:1/supportdesk",
    # A directory that does not exist: SQLite cannot open the file.
    "sqlite": "sqlite+aiosqlite:////nonexistent-supportdesk-directory/supportdesk.db",
}


def _key() -> str:
    return "sdk_" + secrets.token_urlsafe(32)


def _portal(make: Factory) -> dict[str, str]:
    return make.auth(User(id=1, role=Role.ADMIN))


def _pair() -> dict[str, str]:
    return {"X-Api-Key": "sk_" + secrets.token_urlsafe(32), "X-Api-Secret": "ss_" + "s" * 40}


# (surface, method, path, headers, the error body's message)
SURFACES: list[tuple[str, str, str, Any, Any]] = [
    ("portal", "GET", "/api/tickets", _portal, lambda body: body["error"]),
    (
        "project",
        "GET",
        "/api/external/tickets",
        lambda make: _pair(),
        lambda body: body["error"],
    ),
    (
        "internal",
        "GET",
        "/api/v1/internal/tickets",
        lambda make: {"X-API-KEY": _key()},
        lambda body: body["status"] is False and body["message"],
    ),
    (
        "agent",
        "GET",
        "/api/v1/external/connection-check",
        lambda make: {"X-API-KEY": _key()},
        lambda body: body["status"] is False and body["message"],
    ),
    (
        "rest",
        "GET",
        "/api/v1/tickets",
        lambda make: {"Authorization": f"Bearer {_key()}"},
        lambda body: body["error"]["code"] == "SERVICE_UNAVAILABLE" and body["error"]["message"],
    ),
    (
        "legacy",
        "POST",
        "/api/tickets_create.php",
        lambda make: {"Authorization": f"Bearer {_key()}"},
        lambda body: body["success"] is False and body["error"],
    ),
]


@pytest.fixture
def no_outage() -> None:
    """Start from a reachable database, whatever an earlier test left."""
    database_outage.recovered()


@pytest.fixture(params=sorted(UNREACHABLE))
async def unreachable(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[FastAPI]:
    """A server whose database does not answer."""
    app = create_app(settings.model_copy(update={"database_url": UNREACHABLE[request.param]}))
    yield app
    await app.state.database.dispose()


async def _send(app: FastAPI, method: str, path: str, headers: dict[str, str]) -> Any:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.request(method, path, headers=headers)


@pytest.mark.parametrize(("surface", "method", "path", "headers", "message"), SURFACES)
async def test_an_unreachable_database_is_503_with_retry_after_in_the_surface_format(
    unreachable: FastAPI,
    make: Factory,
    no_outage: None,
    surface: str,
    method: str,
    path: str,
    headers: Any,
    message: Any,
) -> None:
    response = await _send(unreachable, method, path, headers(make))

    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert message(response.json()) == "The database is unavailable; try again shortly."


async def test_an_outage_is_logged_once_however_many_requests_fail(
    unreachable: FastAPI, make: Factory, no_outage: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            await _send(
                unreachable, "GET", "/api/v1/external/connection-check", {"X-API-KEY": _key()}
            )
            await _send(unreachable, "GET", "/ready", {})

    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in logged] == ["database unreachable"]
    assert not any(r.exc_info for r in logged)


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("needs SUPPORTDESK_TEST_DATABASE_URL on PostgreSQL")
    return database_url


@pytest.mark.redis  # runs in CI's PostgreSQL + Redis leg
async def test_a_connection_killed_mid_request_is_503_and_the_next_request_succeeds(
    client: AsyncClient,
    make: Factory,
    postgresql_url: str,
    no_outage: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    issued = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)
    headers = {"X-API-KEY": issued.raw_key}
    killer = create_async_engine(postgresql_url, poolclass=NullPool)
    lookup = ApiKeyRepository.by_digest

    async def killed_mid_request(self: ApiKeyRepository, key_digest: str) -> Any:
        pid = await self.session.scalar(text("SELECT pg_backend_pid()"))
        async with killer.connect() as connection:
            # Waits (up to 5 s) until the backend is gone.
            await connection.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        return await lookup(self, key_digest)

    monkeypatch.setattr(ApiKeyRepository, "by_digest", killed_mid_request)
    try:
        with caplog.at_level(logging.INFO):
            refused = await client.get("/api/v1/external/connection-check", headers=headers)
    finally:
        monkeypatch.undo()
        await killer.dispose()

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert refused.json() == {
        "status": False,
        "message": "The database is unavailable; try again shortly.",
    }
    assert [r.getMessage().split(":")[0] for r in caplog.records if r.levelno >= logging.ERROR] == [
        "database unreachable"
    ]
    recovered = await client.get("/api/v1/external/connection-check", headers=headers)
    assert recovered.status_code == 200
    assert recovered.json()["status"] is True
