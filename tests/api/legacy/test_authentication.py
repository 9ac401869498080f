"""Credentials and paths: an internal key as a Bearer token, with each script's scope."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from supportdesk.core.enums import Role
from supportdesk.services.api_keys import IssuedKey
from tests.api.legacy.conftest import bearer, created_id
from tests.factories import Factory

SCRIPTS = [
    ("POST", "/api/tickets_create.php", "tickets:create"),
    ("GET", "/api/tickets_list.php", "tickets:list"),
    ("POST", "/api/tickets_list.php", "tickets:list"),
    ("GET", "/api/ticket_view.php", "tickets:read"),
    ("POST", "/api/ticket_view.php", "tickets:read"),
    ("POST", "/api/ticket_reply.php", "messages:create"),
]
UNAUTHENTICATED = {"success": False, "error": "Unauthenticated."}


@pytest.mark.parametrize(("method", "path", "scope"), SCRIPTS)
async def test_a_request_without_a_token_is_401(
    client: AsyncClient, method: str, path: str, scope: str
) -> None:
    response = await client.request(method, path)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize(("method", "path", "scope"), SCRIPTS)
async def test_a_key_without_the_scripts_scope_gets_403(
    client: AsyncClient, make: Factory, method: str, path: str, scope: str
) -> None:
    others = [s for _, _, s in SCRIPTS if s != scope]
    key = await make.api_key("internal", scopes=others)

    response = await client.request(method, path, headers=bearer(key))

    assert response.status_code == 403
    assert response.json() == {"success": False, "error": f"This action needs the {scope} scope."}


async def test_a_key_with_every_scope_may_use_every_script(
    client: AsyncClient, make: Factory
) -> None:
    key = await make.api_key("internal", scopes=["*"])

    assert await created_id(client, key)


async def test_an_unknown_token_is_401(client: AsyncClient) -> None:
    response = await client.get(
        "/api/tickets_list.php?user_email=user@example.com", headers=bearer("sdk_not-a-key")
    )

    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Invalid API key."}


async def test_a_revoked_key_is_401(client: AsyncClient, make: Factory, key: IssuedKey) -> None:
    async with make.database.transaction() as session:
        api_key = await session.get(type(key.api_key), key.api_key.id)
        assert api_key is not None
        api_key.revoked = True

    response = await client.get(
        "/api/tickets_list.php?user_email=user@example.com", headers=bearer(key)
    )

    assert response.status_code == 401
    assert response.json()["success"] is False


async def test_an_agents_key_is_401(client: AsyncClient, make: Factory) -> None:
    agent = await make.user(Role.AGENT)
    key = await make.api_key("external", agent_id=agent.id)

    response = await client.get(
        "/api/tickets_list.php?user_email=user@example.com", headers=bearer(key)
    )

    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": "The simple ticket API takes an internal API key as a Bearer token, "
        "not an agent's external API key.",
    }


async def test_a_portal_token_is_401(client: AsyncClient, make: Factory) -> None:
    admin = await make.user(Role.ADMIN)

    response = await client.get(
        "/api/tickets_list.php?user_email=user@example.com", headers=make.auth(admin)
    )

    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "error": "The simple ticket API takes an internal API key as a Bearer token, "
        "not a portal user's token.",
    }


async def test_the_key_in_an_x_api_key_header_is_taken_too(
    client: AsyncClient, key: IssuedKey
) -> None:
    response = await client.get(
        "/api/tickets_list.php?user_email=user@example.com", headers={"X-API-KEY": key.raw_key}
    )

    assert response.status_code == 200


async def test_an_unknown_script_is_404_in_this_apis_format(
    client: AsyncClient, key: IssuedKey
) -> None:
    response = await client.get("/api/tickets_delete.php", headers=bearer(key))

    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Not found."}


async def test_a_method_a_script_does_not_take_is_405_in_this_apis_format(
    client: AsyncClient, key: IssuedKey
) -> None:
    response = await client.get("/api/tickets_create.php", headers=bearer(key))

    assert response.status_code == 405
    assert response.json() == {"success": False, "error": "Method Not Allowed"}


async def test_other_unknown_api_paths_keep_the_portals_format(client: AsyncClient) -> None:
    response = await client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}
