"""Who gets in: internal keys only, and each endpoint's scope."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from supportdesk.auth.scopes import KEY_SCOPES
from tests.api.internal.conftest import BASE
from tests.factories import Factory
from tests.support import FrozenClock

# Every endpoint of the reference with the scope it names ({id} stands for any id).
ENDPOINTS: list[tuple[str, str, str]] = [
    ("GET", "/connection-check", "connection:check"),
    ("GET", "/tickets", "tickets:list"),
    ("POST", "/tickets", "tickets:create"),
    ("GET", "/tickets/{id}", "tickets:read"),
    ("PUT", "/tickets/{id}", "tickets:update"),
    ("DELETE", "/tickets/{id}", "tickets:delete"),
    ("GET", "/tickets/{id}/messages", "messages:list"),
    ("POST", "/tickets/{id}/messages", "messages:create"),
    *[
        (method, path, f"{resource}:{action}")
        for resource in (
            "departments",
            "categories",
            "labels",
            "products",
            "agents",
            "knowledge-categories",
            "knowledge-articles",
            "canned-responses",
            "custom-fields",
            "api-keys",
            "business-calendars",
            "webhooks",
        )
        for method, path, action in (
            ("GET", f"/{resource}", "list"),
            ("POST", f"/{resource}", "create"),
            ("GET", f"/{resource}/{{id}}", "read"),
            ("PUT", f"/{resource}/{{id}}", "update"),
            ("DELETE", f"/{resource}/{{id}}", "delete"),
        )
    ],
    ("POST", "/webhooks/{id}/rotate-secret", "webhooks:update"),
    ("POST", "/webhooks/{id}/test", "webhooks:update"),
    ("GET", "/webhooks/{id}/deliveries", "webhooks:read"),
    ("POST", "/webhooks/{id}/deliveries/{id}/resend", "webhooks:update"),
    ("GET", "/customers", "customers:list"),
    ("POST", "/customers", "customers:create"),
    ("GET", "/customers/{id}", "customers:read"),
    ("PUT", "/customers/{id}", "customers:update"),
    ("GET", "/activity-logs", "activity-logs:list"),
    ("GET", "/reports/overview", "reports:overview"),
    ("GET", "/reports/agents", "reports:agents"),
    ("GET", "/reports/departments", "reports:departments"),
    ("GET", "/settings", "settings:read"),
    ("PUT", "/settings", "settings:update"),
]


def _url(path: str) -> str:
    return BASE + path.replace("{id}", "1")


def test_the_table_covers_every_scoped_endpoint_of_the_surface(app: FastAPI) -> None:
    served = set()
    for path, operations in app.openapi()["paths"].items():
        if path.startswith(BASE + "/"):
            generic = re.sub(r"\{[^}]+\}", "{id}", path.removeprefix(BASE))
            served |= {(method.upper(), generic) for method in operations}
    # DELETE /customers/{id} is refused to everyone with 405: customers stay.
    assert served - {("DELETE", "/customers/{id}")} == {(m, p) for m, p, _ in ENDPOINTS}
    # customers:delete serves the REST API; here customers cannot be deleted.
    assert {scope for _, _, scope in ENDPOINTS} == set(KEY_SCOPES) - {"customers:delete"}


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
async def test_a_key_with_every_scope_but_the_endpoints_own_gets_403(
    client: AsyncClient, make: Factory, method: str, path: str, scope: str
) -> None:
    others = [name for name in KEY_SCOPES if name != scope]
    key = await make.api_key("internal", scopes=others)
    response = await client.request(method, _url(path), headers={"X-API-KEY": key.raw_key}, json={})
    assert response.status_code == 403, response.text
    assert response.json() == {
        "status": False,
        "message": f"This API key does not have the {scope} scope.",
    }


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
async def test_the_endpoints_own_scope_lets_the_key_in(
    client: AsyncClient, make: Factory, method: str, path: str, scope: str
) -> None:
    key = await make.api_key("internal", scopes=[scope])
    response = await client.request(method, _url(path), headers={"X-API-KEY": key.raw_key}, json={})
    # In: the request is judged on its merits (found, valid…), never refused for access.
    assert response.status_code not in (401, 403), response.text
    assert response.status_code < 500, response.text


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
async def test_without_a_key_every_endpoint_is_401(
    client: AsyncClient, method: str, path: str, scope: str
) -> None:
    response = await client.request(method, _url(path), json={})
    assert response.status_code == 401
    assert response.json()["status"] is False


async def test_the_connection_check_answers_a_valid_key(client: AsyncClient, make: Factory) -> None:
    key = await make.api_key("internal", scopes=["connection:check"])
    response = await client.get(BASE + "/connection-check", headers={"X-API-KEY": key.raw_key})
    assert response.status_code == 200
    assert response.json() == {"status": True, "message": "Connection check successful"}


async def test_the_wildcard_scope_grants_everything(client: AsyncClient, make: Factory) -> None:
    key = await make.api_key("internal", scopes=["*"])
    for path in ("/connection-check", "/tickets", "/settings", "/api-keys"):
        response = await client.get(BASE + path, headers={"X-API-KEY": key.raw_key})
        assert response.status_code == 200, path


async def test_the_key_may_come_as_a_bearer_token(client: AsyncClient, make: Factory) -> None:
    key = await make.api_key("internal", scopes=["connection:check"])
    response = await client.get(
        BASE + "/connection-check", headers={"Authorization": f"Bearer {key.raw_key}"}
    )
    assert response.status_code == 200


async def _status(client: AsyncClient, headers: dict[str, str]) -> int:
    response = await client.get(BASE + "/connection-check", headers=headers)
    assert response.json()["status"] is False
    return response.status_code


async def test_an_unknown_key_is_401(client: AsyncClient) -> None:
    assert await _status(client, {"X-API-KEY": "sdk_not-a-key"}) == 401


async def test_a_revoked_key_is_401(client: AsyncClient, make: Factory) -> None:
    key = await make.api_key("internal")
    admin = await make.api_key("internal")
    revoked = await client.delete(
        f"{BASE}/api-keys/{key.api_key.id}", headers={"X-API-KEY": admin.raw_key}
    )
    assert revoked.status_code == 200
    assert await _status(client, {"X-API-KEY": key.raw_key}) == 401


async def test_an_expired_key_is_401(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    key = await make.api_key("internal", expires_at=datetime(2026, 3, 3, tzinfo=UTC))
    headers = {"X-API-KEY": key.raw_key}
    response = await client.get(BASE + "/connection-check", headers=headers)
    assert response.status_code == 200
    frozen_clock.advance(days=1)
    assert await _status(client, headers) == 401


async def test_an_agents_external_key_is_401(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent")
    key = await make.api_key("external", agent_id=agent.id)
    assert await _status(client, {"X-API-KEY": key.raw_key}) == 401


async def test_a_project_key_pair_is_401(client: AsyncClient, make: Factory) -> None:
    project = await make.project()
    key = await make.api_key("project", project_id=project.id)
    assert key.raw_secret is not None
    headers = {"X-Api-Key": key.raw_key, "X-Api-Secret": key.raw_secret}
    assert await _status(client, headers) == 401
    assert await _status(client, {"X-API-KEY": key.raw_key}) == 401


async def test_a_portal_token_is_401_even_for_a_super_admin(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("super_admin")
    assert await _status(client, make.auth(admin)) == 401


async def test_a_refused_key_changes_nothing(client: AsyncClient, make: Factory) -> None:
    reader = await make.api_key("internal", scopes=["departments:list"])
    response = await client.post(
        BASE + "/departments", json={"name": "Sales"}, headers={"X-API-KEY": reader.raw_key}
    )
    assert response.status_code == 403
    listing = await client.get(BASE + "/departments", headers={"X-API-KEY": reader.raw_key})
    assert listing.json()["data"] == []


async def test_an_unknown_path_is_404_in_this_apis_format(client: AsyncClient) -> None:
    response = await client.get(BASE + "/nothing-here")
    assert response.status_code == 404
    assert response.json()["status"] is False


def test_expiry_moves_with_the_clock() -> None:
    # The expiry test above relies on the frozen clock starting before 2026-03-03.
    assert datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(days=1) > datetime(
        2026, 3, 3, tzinfo=UTC
    )
