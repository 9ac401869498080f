"""A password change needs the current password, and a password change, a role change or
a deactivation ends every session the account had: tokens issued before it are refused
from the very next request, tokens issued after it work."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response

from supportdesk.core.db import Database
from supportdesk.models import User
from tests.factories import PASSWORD, Factory
from tests.support import FrozenClock, stored

NEW_PASSWORD = "a-brand-new-secret"
ME = "/api/auth/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _password_change(**overrides: Any) -> dict[str, Any]:
    return {
        "current_password": PASSWORD,
        "password": NEW_PASSWORD,
        "password_confirmation": NEW_PASSWORD,
        **overrides,
    }


async def _login(client: AsyncClient, email: str, password: str) -> str:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def _me(client: AsyncClient, token: str) -> int:
    response: Response = await client.get(ME, headers=_bearer(token))
    return response.status_code


# ---------------------------------------------------------------- the current password


async def test_a_password_change_without_the_current_password_is_422(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    token = make.token(customer)

    response = await client.put(
        "/api/auth/profile",
        json=_password_change(current_password=None),
        headers=_bearer(token),
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"current_password": ["The current password field is required."]},
    }
    assert (await stored(database, User, customer.id)).tokens_valid_after is None
    assert await _me(client, token) == 200
    await _login(client, customer.email, PASSWORD)


async def test_a_password_change_with_a_wrong_current_password_is_422_and_changes_nothing(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    token = make.token(customer)

    response = await client.put(
        "/api/auth/profile",
        json=_password_change(current_password="not-the-password", name="Renamed"),
        headers=_bearer(token),
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"current_password": ["The current password is incorrect."]},
    }
    assert await _me(client, token) == 200
    me = (await client.get(ME, headers=_bearer(token))).json()["user"]
    assert me["name"] == customer.name
    await _login(client, customer.email, PASSWORD)


async def test_a_profile_change_without_a_new_password_needs_no_current_password(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    token = make.token(customer)

    response = await client.put("/api/auth/profile", json={"name": "Ada"}, headers=_bearer(token))

    assert response.status_code == 200
    assert await _me(client, token) == 200


async def test_the_schema_documents_the_current_password(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    operation = schema["paths"]["/api/auth/profile"]["put"]
    assert "current_password" in schema["components"]["schemas"]["PortalProfileIn"]["properties"]
    assert "current_password" in operation["responses"]["422"]["description"]


# ---------------------------------------------------------------- sessions ended


async def test_a_password_change_refuses_every_token_issued_before_it(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    other_session = make.token(customer)
    this_session = make.token(customer)
    # Both resolved once, so the principal cache holds them.
    assert (await _me(client, other_session), await _me(client, this_session)) == (200, 200)

    response = await client.put(
        "/api/auth/profile", json=_password_change(), headers=_bearer(this_session)
    )

    assert response.status_code == 200
    assert (await _me(client, other_session), await _me(client, this_session)) == (401, 401)
    fresh = await _login(client, customer.email, NEW_PASSWORD)
    assert await _me(client, fresh) == 200


async def test_a_token_issued_in_the_same_second_after_a_password_change_is_valid(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    frozen_clock.advance(milliseconds=100)
    before = make.token(customer)  # 09:00:00.100
    frozen_clock.advance(milliseconds=100)

    changed = await client.put(  # 09:00:00.200
        "/api/auth/profile", json=_password_change(), headers=_bearer(before)
    )
    frozen_clock.advance(milliseconds=100)
    after = await _login(client, customer.email, NEW_PASSWORD)  # 09:00:00.300

    assert changed.status_code == 200
    assert await _me(client, before) == 401
    assert await _me(client, after) == 200


async def test_a_token_refused_after_a_password_change_cannot_be_refreshed(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    token = make.token(customer)
    await client.put("/api/auth/profile", json=_password_change(), headers=_bearer(token))

    response = await client.post("/api/auth/refresh", headers=_bearer(token))

    assert response.status_code == 401
    assert response.json() == {"error": "Token has been revoked."}


async def test_a_password_set_through_the_internal_api_refuses_the_users_tokens(
    client: AsyncClient, make: Factory
) -> None:
    key = await make.api_key("internal", scopes=["*"])
    agent = await make.user("agent")
    token = make.token(agent)
    assert await _me(client, token) == 200

    response = await client.put(
        f"/api/v1/internal/agents/{agent.id}",
        json={"password": NEW_PASSWORD},
        headers={"X-API-KEY": key.raw_key},
    )

    assert response.status_code == 200, response.text
    assert await _me(client, token) == 401
    assert await _me(client, await _login(client, agent.email, NEW_PASSWORD)) == 200


async def test_a_deactivation_refuses_the_accounts_tokens_even_once_reactivated(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    token = make.token(customer)
    assert await _me(client, token) == 200
    url = f"/api/admin/users/{customer.id}"

    off = await client.put(url, json={"is_active": False}, headers=make.auth(admin))
    on = await client.put(url, json={"is_active": True}, headers=make.auth(admin))

    assert (off.status_code, on.status_code) == (200, 200)
    assert await _me(client, token) == 401
    assert await _me(client, await _login(client, customer.email, PASSWORD)) == 200


async def test_a_role_change_refuses_the_accounts_tokens(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    token = make.token(agent)
    assert await _me(client, token) == 200

    response = await client.put(
        f"/api/admin/users/{agent.id}", json={"role": "customer"}, headers=make.auth(admin)
    )

    assert response.status_code == 200, response.text
    assert await _me(client, token) == 401
    relogged = await _login(client, agent.email, PASSWORD)
    assert (await client.get(ME, headers=_bearer(relogged))).json()["user"]["role"] == "customer"


async def test_a_change_of_name_leaves_the_accounts_tokens_valid(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    token = make.token(agent)

    response = await client.put(
        f"/api/admin/users/{agent.id}", json={"name": "Renamed"}, headers=make.auth(admin)
    )

    assert response.status_code == 200
    assert await _me(client, token) == 200
