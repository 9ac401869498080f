"""Access: an external key linked to an active agent, and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import update

from supportdesk.core import clock
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.models import ApiKey, User
from tests.api.agent.conftest import URL, Agent, Desk
from tests.factories import Factory

# Every operation of the reference; ids are placeholders, the key is refused first.
ENDPOINTS = [
    ("GET", "/connection-check"),
    ("GET", "/dashboard"),
    ("GET", "/tickets"),
    ("GET", "/tickets/1"),
    ("PUT", "/tickets/1"),
    ("GET", "/tickets/1/messages"),
    ("POST", "/tickets/1/messages"),
    ("POST", "/tickets/1/close"),
    ("POST", "/tickets/1/messages/1/like"),
    ("GET", "/canned-responses"),
    ("GET", "/knowledge-base/search?q=password"),
    ("GET", "/profile"),
    ("PUT", "/profile"),
    ("GET", "/notifications"),
    ("GET", "/notifications/unread-count"),
    ("POST", "/notifications/1/read"),
]


async def _call(
    client: AsyncClient, method: str, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, object]]:
    # A malformed body too: the key is checked before the body is read.
    body = b"{not json" if method in ("PUT", "POST") else None
    response = await client.request(method, f"{URL}{path}", headers=headers, content=body)
    return response.status_code, response.json()


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_every_endpoint_refuses_a_request_without_a_key(
    client: AsyncClient, method: str, path: str
) -> None:
    status, body = await _call(client, method, path, {})

    assert status == 401
    assert body == {"status": False, "message": "Unauthenticated."}


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_every_endpoint_refuses_an_internal_key(
    client: AsyncClient, make: Factory, method: str, path: str
) -> None:
    internal = await make.api_key(ApiKeyType.INTERNAL)

    status, body = await _call(client, method, path, {"X-API-KEY": internal.raw_key})

    assert status == 401
    assert body["status"] is False


async def test_an_unknown_key_is_refused(client: AsyncClient) -> None:
    response = await client.get(f"{URL}/connection-check", headers={"X-API-KEY": "sdk_" + "x" * 43})

    assert response.status_code == 401
    assert response.json() == {"status": False, "message": "Invalid API key."}


async def test_a_project_key_pair_is_refused(client: AsyncClient, make: Factory) -> None:
    project = await make.project()
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=project.id)
    assert pair.raw_secret is not None

    response = await client.get(
        f"{URL}/connection-check",
        headers={"X-Api-Key": pair.raw_key, "X-Api-Secret": pair.raw_secret},
    )

    assert response.status_code == 401


async def test_a_project_key_without_its_secret_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=project.id)

    response = await client.get(f"{URL}/connection-check", headers={"X-API-KEY": pair.raw_key})

    assert response.status_code == 401


async def test_the_agents_portal_token_is_refused(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    response = await client.get(f"{URL}/connection-check", headers=make.auth(agent.user))

    assert response.status_code == 401


async def test_the_key_works_as_a_bearer_token_too(client: AsyncClient, agent: Agent) -> None:
    response = await client.get(
        f"{URL}/connection-check", headers={"Authorization": f"Bearer {agent.raw_key}"}
    )

    assert response.status_code == 200


async def test_a_key_whose_agent_was_deactivated_is_refused(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    async with database.transaction() as session:
        await session.execute(update(User).where(User.id == agent.user.id).values(is_active=False))

    response = await client.get(f"{URL}/connection-check", headers=agent.headers)

    assert response.status_code == 401
    assert response.json() == {
        "status": False,
        "message": "The agent of this API key is inactive.",
    }


async def test_a_key_whose_agent_was_deleted_is_refused(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(User).where(User.id == agent.user.id).values(deleted_at=clock.now())
        )

    response = await client.get(f"{URL}/connection-check", headers=agent.headers)

    assert response.status_code == 401


async def test_a_key_whose_agent_is_missing_is_refused(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    async with database.transaction() as session:
        await session.execute(update(ApiKey).values(agent_id=None))

    response = await client.get(f"{URL}/connection-check", headers=agent.headers)

    assert response.status_code == 401


async def test_an_agent_deactivated_through_the_portal_loses_the_key(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent
) -> None:
    admin = await make.user(Role.ADMIN)
    deactivated = await client.put(
        f"/api/admin/users/{agent.user.id}", json={"is_active": False}, headers=make.auth(admin)
    )
    assert deactivated.status_code == 200, deactivated.text

    response = await client.get(f"{URL}/connection-check", headers=agent.headers)

    assert response.status_code == 401


async def test_a_revoked_key_is_refused(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    async with database.transaction() as session:
        await session.execute(update(ApiKey).values(revoked=True, revoked_at=clock.now()))

    response = await client.get(f"{URL}/connection-check", headers=agent.headers)

    assert response.status_code == 401
    assert response.json()["message"] == "This API key has been revoked."


async def test_an_expired_key_is_refused(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    async with database.transaction() as session:
        await session.execute(update(ApiKey).values(expires_at=clock.now() - timedelta(minutes=1)))

    response = await client.get(f"{URL}/connection-check", headers=agent.headers)

    assert response.status_code == 401


async def test_connection_check_answers_as_the_reference_shows(
    client: AsyncClient, agent: Agent
) -> None:
    response = await client.get(f"{URL}/connection-check", headers=agent.headers)

    assert response.status_code == 200
    assert response.json() == {"status": True, "message": "Connection check successful"}


async def test_an_unknown_path_answers_in_the_agent_error_format(
    client: AsyncClient, agent: Agent
) -> None:
    response = await client.get(f"{URL}/no-such-thing", headers=agent.headers)

    assert response.status_code == 404
    assert response.json()["status"] is False


OPENAPI_OPERATIONS = {
    ("get", "/connection-check"),
    ("get", "/dashboard"),
    ("get", "/tickets"),
    ("get", "/tickets/{ticket_id}"),
    ("put", "/tickets/{ticket_id}"),
    ("get", "/tickets/{ticket_id}/messages"),
    ("post", "/tickets/{ticket_id}/messages"),
    ("post", "/tickets/{ticket_id}/close"),
    ("post", "/tickets/{ticket_id}/messages/{message_id}/like"),
    ("get", "/canned-responses"),
    ("get", "/knowledge-base/search"),
    ("get", "/profile"),
    ("put", "/profile"),
    ("get", "/notifications"),
    ("get", "/notifications/unread-count"),
    ("post", "/notifications/{notification_id}/read"),
}


async def test_the_openapi_document_lists_every_operation_with_its_key(
    client: AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    operations = {
        (method, path.removeprefix(URL)): operation
        for path, item in schema["paths"].items()
        if path.startswith(f"{URL}/")
        for method, operation in item.items()
    }

    assert set(operations) == OPENAPI_OPERATIONS
    for operation in operations.values():
        assert operation["tags"] == ["agent"]
        assert {"ApiKey": []} in operation["security"]
