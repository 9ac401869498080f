"""The portal's account endpoints: login, register, refresh, logout, me and profile."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import ProjectAgent, Setting, User
from tests.factories import PASSWORD, Factory
from tests.support import FrozenClock

NEW_PASSWORD = "a-brand-new-secret"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: AsyncClient, email: str, password: str = PASSWORD) -> Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Tunde Adeyemi",
        "email": "tunde@example.com",
        "password": "s3cret-enough",
        "password_confirmation": "s3cret-enough",
        "phone": "+234 800 000 0000",
        **overrides,
    }


def password_change(**overrides: Any) -> dict[str, Any]:
    return {
        "current_password": PASSWORD,
        "password": NEW_PASSWORD,
        "password_confirmation": NEW_PASSWORD,
        **overrides,
    }


async def stored_user(database: Database, user_id: int) -> User:
    async with database.transaction() as session:
        user = await session.get(User, user_id)
    assert user is not None
    return user


async def users_with_email(database: Database, email: str) -> int:
    async with database.transaction() as session:
        count = await session.scalar(select(func.count()).where(User.email == email))
    return int(count or 0)


# ------------------------------------------------------------------------- login


async def test_login_returns_a_bearer_token_and_the_user(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", name="Alice Okafor")

    response = await login(client, agent.email)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith("eyJ")
    assert body["user"]["id"] == agent.id
    assert body["user"]["name"] == "Alice Okafor"
    assert body["user"]["email"] == agent.email
    assert body["user"]["role"] == "agent"
    assert "password_hash" not in body["user"]


async def test_login_token_authenticates_me(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    token = (await login(client, customer.email)).json()["access_token"]

    response = await client.get("/api/auth/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["user"]["id"] == customer.id


async def test_login_email_is_case_insensitive(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer", email="mixed.case@example.test")

    response = await login(client, "  Mixed.CASE@Example.TEST ")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == customer.id


async def test_login_with_a_wrong_password_is_401_invalid_credentials(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await login(client, customer.email, "not-the-password")

    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials"}


async def test_login_with_an_unknown_email_is_the_same_401(client: AsyncClient) -> None:
    response = await login(client, "nobody@example.test")

    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials"}


async def test_login_of_an_inactive_user_is_401(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer", is_active=False)

    response = await login(client, customer.email)

    assert response.status_code == 401
    assert "access_token" not in response.json()
    assert response.json()["error"]


async def test_login_without_fields_is_422_with_details(client: AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={})

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "Validation failed."
    assert set(body["details"]) == {"email", "password"}
    assert body["details"]["email"] and body["details"]["password"]


async def test_login_records_last_login_at(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    assert customer.last_login_at is None

    response = await login(client, customer.email)

    assert response.status_code == 200
    assert (await stored_user(database, customer.id)).last_login_at == frozen_clock.current


# ---------------------------------------------------------------------- register


async def test_register_creates_a_customer(client: AsyncClient, database: Database) -> None:
    response = await client.post("/api/auth/register", json=registration())

    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["user"]["role"] == "customer"
    assert body["user"]["email"] == "tunde@example.com"
    assert body["user"]["phone"] == "+234 800 000 0000"
    stored = await stored_user(database, body["user"]["id"])
    assert stored.role is Role.CUSTOMER
    assert stored.name == "Tunde Adeyemi"


async def test_register_token_authenticates_me(client: AsyncClient) -> None:
    token = (await client.post("/api/auth/register", json=registration())).json()["access_token"]

    response = await client.get("/api/auth/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["user"]["email"] == "tunde@example.com"


async def test_registered_customer_can_log_in(client: AsyncClient) -> None:
    await client.post("/api/auth/register", json=registration())

    response = await login(client, "tunde@example.com", "s3cret-enough")

    assert response.status_code == 200
    assert response.json()["user"]["role"] == "customer"


async def test_register_accepts_an_internal_domain_like_the_references_own(
    client: AsyncClient,
) -> None:
    response = await client.post(
        "/api/auth/register", json=registration(email="tunde@support.local")
    )

    assert response.status_code == 201
    assert response.json()["user"]["email"] == "tunde@support.local"


async def test_register_with_a_taken_email_is_422(client: AsyncClient, make: Factory) -> None:
    existing = await make.user("agent", email="alice@example.com")

    response = await client.post("/api/auth/register", json=registration(email=existing.email))

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "Validation failed."
    assert body["details"]["email"] == ["The email has already been taken."]


async def test_register_with_a_taken_email_in_other_case_is_422(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    await make.user("customer", email="taken@example.com")

    response = await client.post("/api/auth/register", json=registration(email="TAKEN@Example.Com"))

    assert response.status_code == 422
    assert response.json()["details"]["email"] == ["The email has already been taken."]
    assert await users_with_email(database, "taken@example.com") == 1


async def test_register_with_a_short_password_is_422(
    client: AsyncClient, database: Database
) -> None:
    response = await client.post(
        "/api/auth/register",
        json=registration(password="short12", password_confirmation="short12"),
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["password"]
    assert await users_with_email(database, "tunde@example.com") == 0


async def test_register_with_a_mismatched_confirmation_is_422(
    client: AsyncClient, database: Database
) -> None:
    response = await client.post(
        "/api/auth/register", json=registration(password_confirmation="something-else")
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"password": ["The password field confirmation does not match."]},
    }
    assert await users_with_email(database, "tunde@example.com") == 0


async def test_register_without_confirmation_is_422(client: AsyncClient) -> None:
    body = registration()
    del body["password_confirmation"]

    response = await client.post("/api/auth/register", json=body)

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["password"]


async def test_register_with_an_invalid_email_is_422(client: AsyncClient) -> None:
    response = await client.post("/api/auth/register", json=registration(email="not-an-email"))

    assert response.status_code == 422
    assert response.json()["details"] == {
        "email": ["The email field must be a valid email address."]
    }


async def test_register_without_fields_is_422_naming_each(client: AsyncClient) -> None:
    response = await client.post("/api/auth/register", json={})

    assert response.status_code == 422
    assert set(response.json()["details"]) == {"name", "email", "password"}


async def test_register_is_403_when_registration_is_disabled(
    client: AsyncClient, database: Database
) -> None:
    async with database.transaction() as session:
        session.add(Setting(key="sd_customer_registration_enabled", value=False))

    response = await client.post("/api/auth/register", json=registration())

    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    assert response.json()["error"]
    assert await users_with_email(database, "tunde@example.com") == 0


async def test_register_is_allowed_when_the_setting_is_true(
    client: AsyncClient, database: Database
) -> None:
    async with database.transaction() as session:
        session.add(Setting(key="sd_customer_registration_enabled", value=True))

    response = await client.post("/api/auth/register", json=registration())

    assert response.status_code == 201


# ----------------------------------------------------------------------- refresh


async def test_refresh_returns_a_new_working_token(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    old = make.token(customer)

    response = await client.post("/api/auth/refresh", headers=bearer(old))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"] != old
    me = await client.get("/api/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["user"]["id"] == customer.id


async def test_refresh_revokes_the_old_token(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    old = make.token(customer)
    assert (await client.post("/api/auth/refresh", headers=bearer(old))).status_code == 200

    response = await client.get("/api/auth/me", headers=bearer(old))

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


async def test_a_refreshed_away_token_cannot_be_refreshed_again(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    old = make.token(customer)
    assert (await client.post("/api/auth/refresh", headers=bearer(old))).status_code == 200

    response = await client.post("/api/auth/refresh", headers=bearer(old))

    assert response.status_code == 401


async def test_refresh_accepts_an_expired_token_within_the_window(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    expired = make.token(customer)
    frozen_clock.advance(hours=2)
    assert (await client.get("/api/auth/me", headers=bearer(expired))).status_code == 401

    response = await client.post("/api/auth/refresh", headers=bearer(expired))

    assert response.status_code == 200
    assert response.json()["expires_in"] == 3600
    fresh = response.json()["access_token"]
    assert (await client.get("/api/auth/me", headers=bearer(fresh))).status_code == 200


async def test_refresh_after_the_window_is_401(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    token = make.token(customer)
    frozen_clock.advance(days=15)

    response = await client.post("/api/auth/refresh", headers=bearer(token))

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


async def test_refresh_without_a_token_is_401(client: AsyncClient) -> None:
    response = await client.post("/api/auth/refresh")

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


async def test_refresh_with_a_garbage_token_is_401(client: AsyncClient) -> None:
    response = await client.post("/api/auth/refresh", headers=bearer("eyJnot.a.token"))

    assert response.status_code == 401


async def test_refresh_for_a_deactivated_user_is_401(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    token = make.token(customer)
    async with database.transaction() as session:
        stored = await session.get(User, customer.id)
        assert stored is not None
        stored.is_active = False

    response = await client.post("/api/auth/refresh", headers=bearer(token))

    assert response.status_code == 401


# ------------------------------------------------------------------------ logout


async def test_logout_says_logged_out(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.post("/api/auth/logout", headers=make.auth(customer))

    assert response.status_code == 200
    assert response.json() == {"message": "Logged out successfully"}


async def test_logged_out_token_is_rejected_by_me(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)
    await client.post("/api/auth/logout", headers=headers)

    response = await client.get("/api/auth/me", headers=headers)

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


async def test_logged_out_token_is_rejected_by_tickets(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    headers = make.auth(agent)
    assert (await client.get("/api/tickets", headers=headers)).status_code == 200
    await client.post("/api/auth/logout", headers=headers)

    response = await client.get("/api/tickets", headers=headers)

    assert response.status_code == 401


async def test_logging_out_twice_is_401(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 200

    response = await client.post("/api/auth/logout", headers=headers)

    assert response.status_code == 401


async def test_logout_leaves_other_tokens_of_the_user_working(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    other = make.auth(customer)
    await client.post("/api/auth/logout", headers=make.auth(customer))

    response = await client.get("/api/auth/me", headers=other)

    assert response.status_code == 200


async def test_logout_kills_an_expired_token_so_it_cannot_be_refreshed(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    user = await make.user("customer")
    token = make.token(user)
    frozen_clock.advance(hours=2)

    logout = await client.post("/api/auth/logout", headers=bearer(token))
    refresh = await client.post("/api/auth/refresh", headers=bearer(token))

    assert logout.status_code == 200
    assert refresh.status_code == 401


async def test_logout_without_a_token_is_401(client: AsyncClient) -> None:
    response = await client.post("/api/auth/logout")

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


# ---------------------------------------------------------------------------- me


async def test_me_returns_the_agent_with_project_memberships(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    alpha = await make.project("Alpha Site", slug="alpha-site")
    agent = await make.user("agent", projects=[alpha.id], lead=True, name="Alice Okafor")
    async with database.transaction() as session:
        session.add(ProjectAgent(project_id=1, user_id=agent.id, is_lead=False))

    response = await client.get("/api/auth/me", headers=make.auth(agent))

    assert response.status_code == 200
    user = response.json()["user"]
    assert user["id"] == agent.id
    assert user["name"] == "Alice Okafor"
    assert user["email"] == agent.email
    assert user["role"] == "agent"
    assert user["projects"] == [
        {"id": alpha.id, "name": "Alpha Site", "slug": "alpha-site", "is_lead": True},
        {"id": 1, "name": "SupportDesk", "slug": "supportdesk", "is_lead": False},
    ]


async def test_me_of_a_customer_has_no_projects(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.get("/api/auth/me", headers=make.auth(customer))

    assert response.status_code == 200
    assert response.json()["user"]["role"] == "customer"
    assert response.json()["user"]["projects"] == []


async def test_me_without_a_token_is_401(client: AsyncClient) -> None:
    response = await client.get("/api/auth/me")

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


async def test_me_with_an_expired_token_is_401(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)
    frozen_clock.advance(minutes=61)

    response = await client.get("/api/auth/me", headers=headers)

    assert response.status_code == 401


# ----------------------------------------------------------------------- profile


async def test_profile_updates_name_and_phone(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    response = await client.put(
        "/api/auth/profile",
        json={"name": "Tunde A.", "phone": "+234 1 234"},
        headers=make.auth(customer),
    )

    assert response.status_code == 200
    user = response.json()["user"]
    assert user["id"] == customer.id
    assert user["name"] == "Tunde A."
    assert user["phone"] == "+234 1 234"
    stored = await stored_user(database, customer.id)
    assert (stored.name, stored.phone) == ("Tunde A.", "+234 1 234")


async def test_profile_password_change_lets_the_new_password_log_in(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.put(
        "/api/auth/profile",
        json=password_change(),
        headers=make.auth(customer),
    )

    assert response.status_code == 200
    assert (await login(client, customer.email, NEW_PASSWORD)).status_code == 200


async def test_profile_password_change_retires_the_old_password(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    await client.put("/api/auth/profile", json=password_change(), headers=make.auth(customer))

    response = await login(client, customer.email, PASSWORD)

    assert response.status_code == 401
    assert response.json() == {"error": "Invalid credentials"}


async def test_profile_password_without_confirmation_is_422(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.put(
        "/api/auth/profile", json={"password": NEW_PASSWORD}, headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"password": ["The password field confirmation does not match."]},
    }
    assert (await login(client, customer.email, PASSWORD)).status_code == 200


async def test_profile_password_with_wrong_confirmation_is_422(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.put(
        "/api/auth/profile",
        json={"password": NEW_PASSWORD, "password_confirmation": "something-else"},
        headers=make.auth(customer),
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["password"]
    assert (await login(client, customer.email, NEW_PASSWORD)).status_code == 401


async def test_profile_password_under_eight_characters_is_422(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.put(
        "/api/auth/profile",
        json={"password": "short12", "password_confirmation": "short12"},
        headers=make.auth(customer),
    )

    assert response.status_code == 422
    assert response.json()["details"] == {
        "password": ["The password field must be at least 8 characters."]
    }


async def test_profile_with_an_empty_body_changes_nothing(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer", name="Kept Name", phone="+1 555 0100")
    headers = make.auth(customer)
    before = (await client.get("/api/auth/me", headers=headers)).json()["user"]

    response = await client.put("/api/auth/profile", json={}, headers=headers)

    assert response.status_code == 200
    after = response.json()["user"]
    before.pop("projects")
    assert after == before
    stored = await stored_user(database, customer.id)
    assert (stored.name, stored.phone) == ("Kept Name", "+1 555 0100")
    assert (await login(client, customer.email, PASSWORD)).status_code == 200


async def test_profile_with_null_phone_clears_it(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer", phone="+1 555 0100")

    response = await client.put(
        "/api/auth/profile", json={"phone": None}, headers=make.auth(customer)
    )

    assert response.status_code == 200
    assert response.json()["user"]["phone"] is None


async def test_profile_without_a_token_is_401(client: AsyncClient) -> None:
    response = await client.put("/api/auth/profile", json={"name": "Nobody"})

    assert response.status_code == 401
    assert set(response.json()) == {"error"}
