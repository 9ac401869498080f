"""Administration of users through the portal: staff and customer accounts."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.errors import Unauthenticated
from supportdesk.models import Activity, ApiKey, User
from supportdesk.services.api_keys import IssuedKey
from supportdesk.services.authentication import AuthenticationService
from supportdesk.services.principal_cache import principals
from tests.factories import PASSWORD, Factory
from tests.support import FrozenClock, StatementCounter

ROLES = ("super_admin", "admin", "agent", "customer")
ADMINS = ("super_admin", "admin")
UNKNOWN = 999_999

# The seed's Roles & Permissions rows these endpoints serve: admins yes, others no.
SEED_ROWS = {
    "Manage users": ADMINS,
    "Create agents/admins": ADMINS,
}


def _new_user(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Alice Okafor",
        "email": "alice@support.test",
        "password": "s3cure-password",
        "role": "agent",
        **overrides,
    }


async def _user_row(database: Database, user_id: int) -> User:
    async with database.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


async def _key_row(database: Database, key_id: int) -> ApiKey:
    async with database.transaction() as session:
        key = await session.get(ApiKey, key_id)
        assert key is not None
        return key


async def _activities(database: Database, action: str) -> list[Activity]:
    async with database.transaction() as session:
        return list(await session.scalars(select(Activity).where(Activity.action == action)))


async def _me(client: AsyncClient, headers: dict[str, str]) -> Response:
    return await client.get("/api/auth/me", headers=headers)


async def _external_key_works(database: Database, settings: Settings, key: IssuedKey) -> bool:
    async with database.transaction() as session:
        try:
            await AuthenticationService(session, settings).single_key(key.raw_key, "203.0.113.9")
        except Unauthenticated:
            return False
    return True


def _invalid(response: Response, field: str) -> list[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "Validation failed."
    assert field in body["details"], body
    messages: list[str] = body["details"][field]
    return messages


def _refused(response: Response, message: str) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == {"error": message}


# ====================================================================== the seed's role table


@pytest.mark.parametrize("role", ROLES)
async def test_managing_users_is_for_the_roles_the_seed_table_names(
    client: AsyncClient, make: Factory, database: Database, role: str
) -> None:
    actor = await make.user(role, projects=[1] if role == "agent" else [])
    customer = await make.user("customer", name="Tunde")

    response = await client.put(
        f"/api/admin/users/{customer.id}", json={"name": "Tunde Adeyemi"}, headers=make.auth(actor)
    )

    name = (await _user_row(database, customer.id)).name
    if role in SEED_ROWS["Manage users"]:
        assert response.status_code == 200, response.text
        assert response.json()["user"]["name"] == "Tunde Adeyemi"
        assert name == "Tunde Adeyemi"
    else:
        assert response.status_code == 403
        assert set(response.json()) == {"error"}
        assert name == "Tunde"


@pytest.mark.parametrize("role", ROLES)
async def test_creating_agents_is_for_the_roles_the_seed_table_names(
    client: AsyncClient, make: Factory, database: Database, role: str
) -> None:
    actor = await make.user(role, projects=[1] if role == "agent" else [])

    response = await client.post(
        "/api/admin/users", json=_new_user(role="agent"), headers=make.auth(actor)
    )

    async with database.transaction() as session:
        created = await session.scalar(
            select(func.count()).where(User.email == "alice@support.test")
        )
    if role in SEED_ROWS["Create agents/admins"]:
        assert response.status_code == 201, response.text
        assert response.json()["user"]["role"] == "agent"
        assert created == 1
    else:
        assert response.status_code == 403
        assert set(response.json()) == {"error"}
        assert created == 0


@pytest.mark.parametrize("role", ["super_admin", "admin"])
async def test_admins_and_super_admins_create_admins(
    client: AsyncClient, make: Factory, role: str
) -> None:
    actor = await make.user(role)

    response = await client.post(
        "/api/admin/users", json=_new_user(role="admin"), headers=make.auth(actor)
    )

    assert response.status_code == 201, response.text
    assert response.json()["user"]["role"] == "admin"


READ_ONLY = [("GET", "/api/admin/users"), ("GET", "/api/admin/users/{user}")]


@pytest.mark.parametrize(("method", "path"), READ_ONLY)
@pytest.mark.parametrize("role", ["agent", "customer"])
async def test_agents_and_customers_cannot_read_user_administration(
    client: AsyncClient, make: Factory, role: str, method: str, path: str
) -> None:
    actor = await make.user(role)

    response = await client.request(method, path.format(user=actor.id), headers=make.auth(actor))

    assert response.status_code == 403
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("role", ["agent", "customer"])
async def test_agents_and_customers_cannot_delete_users(
    client: AsyncClient, make: Factory, database: Database, role: str
) -> None:
    actor = await make.user(role)
    customer = await make.user("customer")

    response = await client.delete(f"/api/admin/users/{customer.id}", headers=make.auth(actor))

    assert response.status_code == 403
    assert (await _user_row(database, customer.id)).deleted_at is None


# ====================================================================== 401 and 404


ENDPOINTS = [
    ("GET", "/api/admin/users", None),
    ("POST", "/api/admin/users", _new_user()),
    ("GET", "/api/admin/users/{user}", None),
    ("PUT", "/api/admin/users/{user}", {"name": "X"}),
    ("DELETE", "/api/admin/users/{user}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_every_user_endpoint_needs_a_token(
    client: AsyncClient, make: Factory, method: str, path: str, body: dict[str, Any] | None
) -> None:
    customer = await make.user("customer")

    response = await client.request(method, path.format(user=customer.id), json=body)

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS[2:])
async def test_an_unknown_user_is_404(
    client: AsyncClient, make: Factory, method: str, path: str, body: dict[str, Any] | None
) -> None:
    admin = await make.user("admin")

    response = await client.request(
        method, path.format(user=UNKNOWN), json=body, headers=make.auth(admin)
    )

    assert response.status_code == 404
    assert response.json() == {"error": "User not found."}


async def test_a_user_id_beyond_the_database_range_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")

    response = await client.get(f"/api/admin/users/{2**40}", headers=make.auth(admin))

    _invalid(response, "user_id")


# ====================================================================== GET /admin/users


async def test_the_user_list_shows_each_users_role_and_state(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin", name="Zed Admin")
    agent = await make.user(
        "agent", name="Alice Okafor", last_login_at=frozen_clock.now(), department="Billing"
    )

    response = await client.get("/api/admin/users", headers=make.auth(admin))

    assert response.status_code == 200, response.text
    body = response.json()
    assert [row["id"] for row in body["data"]] == [agent.id, admin.id]
    row = body["data"][0]
    assert row["name"] == "Alice Okafor"
    assert row["email"] == agent.email
    assert row["role"] == "agent"
    assert row["is_active"] is True
    assert row["department"] == "Billing"
    assert row["last_login_at"] == "2026-03-02T09:00:00Z"
    assert "password_hash" not in row
    assert {k: body[k] for k in ("current_page", "last_page", "total", "per_page")} == {
        "current_page": 1,
        "last_page": 1,
        "total": 2,
        "per_page": 20,
    }


async def test_the_user_list_filters_by_role(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    await make.user("customer")

    response = await client.get(
        "/api/admin/users", params={"role": "agent"}, headers=make.auth(admin)
    )

    assert [row["id"] for row in response.json()["data"]] == [agent.id]


@pytest.mark.parametrize("search", ["okafor", "ALICE@"])
async def test_the_user_search_matches_name_or_email(
    client: AsyncClient, make: Factory, search: str
) -> None:
    admin = await make.user("admin")
    alice = await make.user("agent", name="Alice Okafor", email="alice@support.test")
    await make.user("agent", name="Bola Ade", email="bola@support.test")

    response = await client.get(
        "/api/admin/users", params={"search": search}, headers=make.auth(admin)
    )

    assert [row["id"] for row in response.json()["data"]] == [alice.id]


@pytest.mark.parametrize(("active", "expected"), [("true", "active"), ("false", "inactive")])
async def test_the_user_list_filters_by_active_state(
    client: AsyncClient, make: Factory, active: str, expected: str
) -> None:
    admin = await make.user("super_admin", name="Active Admin")
    inactive = await make.user("agent", is_active=False)

    response = await client.get(
        "/api/admin/users", params={"active": active}, headers=make.auth(admin)
    )

    ids = [row["id"] for row in response.json()["data"]]
    assert ids == ([admin.id] if expected == "active" else [inactive.id])


async def test_the_user_list_is_paginated(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin", name="A Admin")
    for name in ("B", "C", "D", "E"):
        await make.user("customer", name=name)

    response = await client.get(
        "/api/admin/users", params={"per_page": 2, "page": 3}, headers=make.auth(admin)
    )

    body = response.json()
    assert [row["name"] for row in body["data"]] == ["E"]
    assert (body["current_page"], body["last_page"], body["total"]) == (3, 3, 5)


async def test_deleted_users_are_not_listed(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    gone = await make.user("customer")
    headers = make.auth(admin)
    await client.delete(f"/api/admin/users/{gone.id}", headers=headers)

    response = await client.get("/api/admin/users", headers=headers)

    assert [row["id"] for row in response.json()["data"]] == [admin.id]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "owner"}, "role"),
        ({"per_page": 101}, "per_page"),
        ({"page": "first"}, "page"),
        ({"active": "perhaps"}, "active"),
    ],
)
async def test_bad_user_list_parameters_are_validation_errors(
    client: AsyncClient, make: Factory, params: dict[str, Any], field: str
) -> None:
    admin = await make.user("admin")

    response = await client.get("/api/admin/users", params=params, headers=make.auth(admin))

    _invalid(response, field)


async def _list_cost(
    client: AsyncClient, statements: StatementCounter, headers: dict[str, str]
) -> int:
    principals.clear()  # every count includes resolving the token, as a first request's
    statements.start()
    response = await client.get("/api/admin/users", headers=headers)
    count = statements.stop()
    assert response.status_code == 200
    return count


async def test_the_user_list_costs_the_same_statements_whatever_its_size(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    headers = make.auth(await make.user("admin"))
    cost_of_one = await _list_cost(client, statements, headers)
    for _ in range(6):
        await make.user("agent", projects=[1])

    assert await _list_cost(client, statements, headers) == cost_of_one


# ====================================================================== POST /admin/users


async def test_a_new_user_can_log_in_with_the_password_given(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")

    response = await client.post(
        "/api/admin/users",
        json=_new_user(email="Alice@Support.TEST", department="Billing", phone="+234 801"),
        headers=make.auth(admin),
    )

    assert response.status_code == 201, response.text
    user = response.json()["user"]
    assert user["email"] == "alice@support.test"
    assert (user["name"], user["role"], user["is_active"]) == ("Alice Okafor", "agent", True)
    assert (user["department"], user["phone"]) == ("Billing", "+234 801")
    login = await client.post(
        "/api/auth/login", json={"email": "alice@support.test", "password": "s3cure-password"}
    )
    assert login.status_code == 200, login.text
    assert login.json()["user"]["id"] == user["id"]


async def test_the_password_is_stored_hashed(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")

    response = await client.post("/api/admin/users", json=_new_user(), headers=make.auth(admin))

    row = await _user_row(database, response.json()["user"]["id"])
    assert row.password_hash is not None
    assert row.password_hash.startswith("$argon2")
    assert "s3cure-password" not in response.text


@pytest.mark.parametrize("email", ["alice@support.test", "ALICE@support.test"])
async def test_an_email_already_taken_is_refused(
    client: AsyncClient, make: Factory, email: str
) -> None:
    admin = await make.user("admin")
    await make.user("customer", email="alice@support.test")

    response = await client.post(
        "/api/admin/users", json=_new_user(email=email), headers=make.auth(admin)
    )

    assert _invalid(response, "email") == ["The email has already been taken."]


async def test_a_deleted_users_email_stays_taken(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    gone = await make.user("customer", email="alice@support.test")
    headers = make.auth(admin)
    await client.delete(f"/api/admin/users/{gone.id}", headers=headers)

    response = await client.post("/api/admin/users", json=_new_user(), headers=headers)

    _invalid(response, "email")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"role": "super_admin"}, "role"),
        ({"role": "owner"}, "role"),
        ({"phone": "1" * 51}, "phone"),
    ],
)
async def test_invalid_user_fields_are_validation_errors(
    client: AsyncClient, make: Factory, overrides: dict[str, Any], field: str
) -> None:
    admin = await make.user("super_admin")

    response = await client.post(
        "/api/admin/users", json=_new_user(**overrides), headers=make.auth(admin)
    )

    _invalid(response, field)


@pytest.mark.parametrize("missing", ["name", "email", "password", "role"])
async def test_required_user_fields_are_required(
    client: AsyncClient, make: Factory, missing: str
) -> None:
    admin = await make.user("admin")
    body = _new_user()
    del body[missing]

    response = await client.post("/api/admin/users", json=body, headers=make.auth(admin))

    assert _invalid(response, missing) == [f"The {missing} field is required."]


async def test_the_password_must_have_eight_characters(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")

    response = await client.post(
        "/api/admin/users", json=_new_user(password="1234567"), headers=make.auth(admin)
    )

    assert _invalid(response, "password") == ["The password field must be at least 8 characters."]


async def test_creating_a_user_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")

    response = await client.post("/api/admin/users", json=_new_user(), headers=make.auth(admin))

    [activity] = await _activities(database, "user.created")
    assert activity.user_id == admin.id
    assert activity.changes["user_id"] == response.json()["user"]["id"]
    assert "s3cure-password" not in str(activity.changes)


# ====================================================================== GET /admin/users/{id}


async def test_the_user_detail_lists_their_projects(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    alpha = await make.project("Alpha", slug="alpha")
    beta = await make.project("Beta", slug="beta")
    agent = await make.user("agent", projects=[alpha.id])
    await client.post(
        f"/api/admin/projects/{beta.id}/agents",
        json={"user_id": agent.id, "is_lead": True},
        headers=make.auth(admin),
    )

    response = await client.get(f"/api/admin/users/{agent.id}", headers=make.auth(admin))

    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert (user["id"], user["role"]) == (agent.id, "agent")
    assert user["projects"] == [
        {"id": alpha.id, "name": "Alpha", "slug": "alpha", "is_lead": False},
        {"id": beta.id, "name": "Beta", "slug": "beta", "is_lead": True},
    ]


async def test_a_deleted_user_is_404(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    gone = await make.user("customer")
    headers = make.auth(admin)
    await client.delete(f"/api/admin/users/{gone.id}", headers=headers)

    response = await client.get(f"/api/admin/users/{gone.id}", headers=headers)

    assert response.status_code == 404


# ====================================================================== PUT /admin/users/{id}


async def test_an_update_changes_only_the_fields_sent(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent", name="Alice", phone="+234 801", department="Billing")

    response = await client.put(
        f"/api/admin/users/{agent.id}",
        json={"name": "Alice Okafor", "email": "Alice.Okafor@support.test"},
        headers=make.auth(admin),
    )

    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert (user["name"], user["email"]) == ("Alice Okafor", "alice.okafor@support.test")
    assert (user["phone"], user["department"], user["role"]) == ("+234 801", "Billing", "agent")


async def test_an_explicit_null_clears_an_optional_user_field(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent", phone="+234 801")

    response = await client.put(
        f"/api/admin/users/{agent.id}", json={"phone": None}, headers=make.auth(admin)
    )

    assert response.json()["user"]["phone"] is None


async def test_an_email_of_another_user_is_refused(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    await make.user("customer", email="taken@support.test")

    response = await client.put(
        f"/api/admin/users/{agent.id}",
        json={"email": "TAKEN@support.test"},
        headers=make.auth(admin),
    )

    assert _invalid(response, "email") == ["The email has already been taken."]
    assert (await _user_row(database, agent.id)).email == agent.email


async def test_keeping_ones_own_email_is_not_a_conflict(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")

    response = await client.put(
        f"/api/admin/users/{agent.id}",
        json={"email": agent.email.upper()},
        headers=make.auth(admin),
    )

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"email": None}, "email"),
        ({"email": "nope"}, "email"),
        ({"role": None}, "role"),
        ({"role": "owner"}, "role"),
        ({"is_active": None}, "is_active"),
        ({"is_active": "soon"}, "is_active"),
        ({"is_active": 1}, "is_active"),
    ],
)
async def test_invalid_user_updates_are_validation_errors(
    client: AsyncClient, make: Factory, database: Database, body: dict[str, Any], field: str
) -> None:
    admin = await make.user("super_admin")
    agent = await make.user("agent", name="Alice")

    response = await client.put(f"/api/admin/users/{agent.id}", json=body, headers=make.auth(admin))

    _invalid(response, field)
    row = await _user_row(database, agent.id)
    assert (row.name, row.is_active) == ("Alice", True)


async def test_an_admin_may_promote_a_customer_to_agent(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")

    response = await client.put(
        f"/api/admin/users/{customer.id}", json={"role": "agent"}, headers=make.auth(admin)
    )

    assert response.status_code == 200, response.text
    assert response.json()["user"]["role"] == "agent"


async def test_an_admin_may_promote_an_agent_to_admin(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")

    response = await client.put(
        f"/api/admin/users/{agent.id}", json={"role": "admin"}, headers=make.auth(admin)
    )

    assert response.status_code == 200, response.text
    assert (await _user_row(database, agent.id)).role == "admin"


async def test_an_admin_may_not_promote_anyone_to_super_admin(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")

    response = await client.put(
        f"/api/admin/users/{agent.id}", json={"role": "super_admin"}, headers=make.auth(admin)
    )

    _refused(response, "Only a super admin may create super admins or grant that role.")
    assert (await _user_row(database, agent.id)).role == "agent"


@pytest.mark.parametrize("role", ["admin", "super_admin"])
async def test_a_super_admin_may_promote_to_the_admin_tier(
    client: AsyncClient, make: Factory, role: str
) -> None:
    super_admin = await make.user("super_admin")
    agent = await make.user("agent")

    response = await client.put(
        f"/api/admin/users/{agent.id}", json={"role": role}, headers=make.auth(super_admin)
    )

    assert response.status_code == 200, response.text
    assert response.json()["user"]["role"] == role


async def test_a_promotion_ends_the_users_sessions_and_their_next_login_has_the_new_role(
    client: AsyncClient, make: Factory
) -> None:
    super_admin = await make.user("super_admin")
    agent = await make.user("agent")
    agent_headers = make.auth(agent)
    before = await client.get("/api/admin/users", headers=agent_headers)

    await client.put(
        f"/api/admin/users/{agent.id}", json={"role": "admin"}, headers=make.auth(super_admin)
    )

    after = await client.get("/api/admin/users", headers=agent_headers)
    login = await client.post("/api/auth/login", json={"email": agent.email, "password": PASSWORD})
    token = login.json()["access_token"]
    again = await client.get("/api/admin/users", headers={"Authorization": f"Bearer {token}"})
    assert (before.status_code, after.status_code, again.status_code) == (403, 401, 200)


@pytest.mark.parametrize("body", [{"name": "Renamed"}, {"is_active": False}, {"role": "agent"}])
async def test_an_admin_may_not_edit_a_super_admin(
    client: AsyncClient, make: Factory, database: Database, body: dict[str, Any]
) -> None:
    admin = await make.user("admin")
    boss = await make.user("super_admin", name="Boss")

    response = await client.put(f"/api/admin/users/{boss.id}", json=body, headers=make.auth(admin))

    _refused(response, "Only a super admin may change a super admin.")
    row = await _user_row(database, boss.id)
    assert (row.name, row.is_active, row.role) == ("Boss", True, "super_admin")


async def test_a_super_admin_may_edit_another_super_admin(
    client: AsyncClient, make: Factory
) -> None:
    boss = await make.user("super_admin")
    other = await make.user("super_admin")

    response = await client.put(
        f"/api/admin/users/{other.id}", json={"name": "Co-founder"}, headers=make.auth(boss)
    )

    assert response.status_code == 200, response.text


@pytest.mark.parametrize("body", [{"is_active": False}, {"role": "agent"}])
async def test_nobody_demotes_or_deactivates_themselves(
    client: AsyncClient, make: Factory, body: dict[str, Any]
) -> None:
    admin = await make.user("super_admin")

    response = await client.put(f"/api/admin/users/{admin.id}", json=body, headers=make.auth(admin))

    _refused(response, "You cannot change your own role or deactivate your own account.")


async def test_an_admin_may_rename_themselves(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")

    response = await client.put(
        f"/api/admin/users/{admin.id}",
        json={"name": "New Name", "role": "admin", "is_active": True},
        headers=make.auth(admin),
    )

    assert response.status_code == 200, response.text
    assert response.json()["user"]["name"] == "New Name"


async def test_the_documented_active_field_deactivates_a_user(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")

    response = await client.put(
        f"/api/admin/users/{agent.id}", json={"active": False}, headers=make.auth(admin)
    )

    assert response.status_code == 200, response.text
    assert response.json()["user"]["is_active"] is False
    assert (await _user_row(database, agent.id)).is_active is False


async def test_deactivating_a_user_ends_their_tokens(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    agent_headers = make.auth(agent)
    assert (await _me(client, agent_headers)).status_code == 200

    response = await client.put(
        f"/api/admin/users/{agent.id}", json={"is_active": False}, headers=make.auth(admin)
    )

    assert response.status_code == 200, response.text
    assert response.json()["user"]["is_active"] is False
    assert (await _me(client, agent_headers)).status_code == 401


async def test_deactivating_a_user_revokes_their_api_keys_for_good(
    client: AsyncClient,
    make: Factory,
    database: Database,
    settings: Settings,
    frozen_clock: FrozenClock,
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    key = await make.api_key("external", agent_id=agent.id)
    other_key = await make.api_key("external", agent_id=admin.id)
    path = f"/api/admin/users/{agent.id}"
    headers = make.auth(admin)

    await client.put(path, json={"is_active": False}, headers=headers)
    await client.put(path, json={"is_active": True}, headers=headers)

    row = await _key_row(database, key.api_key.id)
    assert (row.revoked, row.revoked_at) == (True, frozen_clock.now())
    assert not await _external_key_works(database, settings, key)
    assert await _external_key_works(database, settings, other_key)


async def test_reactivating_a_user_lets_their_tokens_in_again(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent", is_active=False)

    await client.put(
        f"/api/admin/users/{agent.id}", json={"is_active": True}, headers=make.auth(admin)
    )

    assert (await _me(client, make.auth(agent))).status_code == 200


async def test_an_update_is_recorded_with_before_and_after(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent", name="Alice")

    await client.put(
        f"/api/admin/users/{agent.id}",
        json={"name": "Alice Okafor", "role": "agent", "is_active": False},
        headers=make.auth(admin),
    )

    [activity] = await _activities(database, "user.updated")
    assert activity.user_id == admin.id
    assert activity.changes == {
        "user_id": agent.id,
        "name": ["Alice", "Alice Okafor"],
        "is_active": [True, False],
    }


# ====================================================================== DELETE /admin/users/{id}


async def test_deleting_a_user_is_a_soft_delete(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")

    response = await client.delete(f"/api/admin/users/{agent.id}", headers=make.auth(admin))

    assert response.status_code == 200, response.text
    assert response.json() == {"message": "User deleted"}
    row = await _user_row(database, agent.id)
    assert (row.deleted_at, row.is_active) == (frozen_clock.now(), False)


async def test_a_deleted_users_tokens_are_refused(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    agent_headers = make.auth(agent)

    await client.delete(f"/api/admin/users/{agent.id}", headers=make.auth(admin))

    assert (await _me(client, agent_headers)).status_code == 401


async def test_a_deleted_users_api_keys_are_revoked(
    client: AsyncClient, make: Factory, database: Database, settings: Settings
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    key = await make.api_key("external", agent_id=agent.id)

    await client.delete(f"/api/admin/users/{agent.id}", headers=make.auth(admin))

    assert (await _key_row(database, key.api_key.id)).revoked is True
    assert not await _external_key_works(database, settings, key)


async def test_nobody_deletes_themselves(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")

    response = await client.delete(f"/api/admin/users/{admin.id}", headers=make.auth(admin))

    _refused(response, "You cannot delete your own account.")
    assert (await _user_row(database, admin.id)).deleted_at is None


@pytest.mark.parametrize(("role", "status"), [("admin", 403), ("super_admin", 200)])
async def test_only_a_super_admin_deletes_a_super_admin(
    client: AsyncClient, make: Factory, role: str, status: int
) -> None:
    actor = await make.user(role)
    boss = await make.user("super_admin")

    response = await client.delete(f"/api/admin/users/{boss.id}", headers=make.auth(actor))

    assert response.status_code == status, response.text


async def test_deleting_twice_is_404(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    path = f"/api/admin/users/{customer.id}"
    await client.delete(path, headers=make.auth(admin))

    response = await client.delete(path, headers=make.auth(admin))

    assert response.status_code == 404


async def test_a_deleted_agent_leaves_the_projects_agent_list(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    project = await make.project()
    agent = await make.user("agent", projects=[project.id])
    headers = make.auth(admin)

    await client.delete(f"/api/admin/users/{agent.id}", headers=headers)

    detail = await client.get(f"/api/admin/projects/{project.id}", headers=headers)
    assert detail.json()["project"]["agents"] == []


async def test_deleting_a_user_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")

    await client.delete(f"/api/admin/users/{customer.id}", headers=make.auth(admin))

    [activity] = await _activities(database, "user.deleted")
    assert (activity.user_id, activity.changes["user_id"]) == (admin.id, customer.id)
