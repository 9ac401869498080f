"""Who gets into the portal: a live JWT of an active portal user, and nothing else."""

from __future__ import annotations

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import update

from supportdesk.core.db import Database
from supportdesk.models import User
from tests.factories import Factory
from tests.support import FrozenClock

ENDPOINTS = ["/api/auth/me", "/api/tickets"]

pytestmark = pytest.mark.parametrize("endpoint", ENDPOINTS)


def _assert_unauthenticated(response: Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str) and body["error"]


async def _update_user(database: Database, user: User, **values: object) -> None:
    async with database.transaction() as session:
        await session.execute(update(User).where(User.id == user.id).values(**values))


async def test_a_valid_token_is_let_in(client: AsyncClient, make: Factory, endpoint: str) -> None:
    customer = await make.user("customer")

    response = await client.get(endpoint, headers=make.auth(customer))

    assert response.status_code == 200, response.text


async def test_a_request_without_credentials_is_401(client: AsyncClient, endpoint: str) -> None:
    response = await client.get(endpoint)

    _assert_unauthenticated(response)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer garbage", "Bearer a.b.c", "Bearer ", "Basic dXNlcjpwYXNz", "garbage"],
)
async def test_a_garbage_authorization_header_is_401(
    client: AsyncClient, endpoint: str, authorization: str
) -> None:
    response = await client.get(endpoint, headers={"Authorization": authorization})

    _assert_unauthenticated(response)


async def test_an_expired_token_is_401(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock, endpoint: str
) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)
    frozen_clock.advance(minutes=61)

    response = await client.get(endpoint, headers=headers)

    _assert_unauthenticated(response)


async def test_a_token_is_401_after_logout(
    client: AsyncClient, make: Factory, endpoint: str
) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)
    logout = await client.post("/api/auth/logout", headers=headers)
    assert logout.status_code == 200, logout.text

    response = await client.get(endpoint, headers=headers)

    _assert_unauthenticated(response)


async def test_logging_out_leaves_the_users_other_sessions_valid(
    client: AsyncClient, make: Factory, endpoint: str
) -> None:
    customer = await make.user("customer")
    await client.post("/api/auth/logout", headers=make.auth(customer))

    response = await client.get(endpoint, headers=make.auth(customer))

    assert response.status_code == 200, response.text


async def test_a_token_refreshed_away_is_401(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock, endpoint: str
) -> None:
    customer = await make.user("customer")
    old = make.auth(customer)
    frozen_clock.advance(minutes=5)
    refreshed = await client.post("/api/auth/refresh", headers=old)
    assert refreshed.status_code == 200, refreshed.text
    new = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}

    old_response = await client.get(endpoint, headers=old)
    new_response = await client.get(endpoint, headers=new)

    _assert_unauthenticated(old_response)
    assert new_response.status_code == 200, new_response.text


async def test_the_token_of_an_inactive_user_is_401(
    client: AsyncClient, make: Factory, database: Database, endpoint: str
) -> None:
    agent = await make.user("agent")
    headers = make.auth(agent)
    await _update_user(database, agent, is_active=False)

    response = await client.get(endpoint, headers=headers)

    _assert_unauthenticated(response)


async def test_the_token_of_a_deleted_user_is_401(
    client: AsyncClient,
    make: Factory,
    database: Database,
    frozen_clock: FrozenClock,
    endpoint: str,
) -> None:
    agent = await make.user("agent")
    headers = make.auth(agent)
    await _update_user(database, agent, deleted_at=frozen_clock.now())

    response = await client.get(endpoint, headers=headers)

    _assert_unauthenticated(response)


async def test_an_internal_api_key_is_401_on_the_portal(
    client: AsyncClient, make: Factory, endpoint: str
) -> None:
    issued = await make.api_key("internal")

    response = await client.get(endpoint, headers={"X-API-KEY": issued.raw_key})

    _assert_unauthenticated(response)


async def test_an_internal_api_key_as_bearer_is_401_on_the_portal(
    client: AsyncClient, make: Factory, endpoint: str
) -> None:
    issued = await make.api_key("internal")

    response = await client.get(endpoint, headers={"Authorization": f"Bearer {issued.raw_key}"})

    _assert_unauthenticated(response)


async def test_an_agent_api_key_is_401_on_the_portal(
    client: AsyncClient, make: Factory, endpoint: str
) -> None:
    agent = await make.user("agent")
    issued = await make.api_key("external", agent_id=agent.id)

    response = await client.get(endpoint, headers={"X-API-KEY": issued.raw_key})

    _assert_unauthenticated(response)


async def test_a_project_key_pair_is_401_on_the_portal(
    client: AsyncClient, make: Factory, endpoint: str
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)
    assert issued.raw_secret is not None

    response = await client.get(
        endpoint, headers={"X-Api-Key": issued.raw_key, "X-Api-Secret": issued.raw_secret}
    )

    _assert_unauthenticated(response)
