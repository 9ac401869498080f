"""Administration of projects, their agents and their API key pairs through the portal."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import Priority
from supportdesk.core.errors import Forbidden, Unauthenticated
from supportdesk.models import Activity, ApiKey, Project, SlaPolicy
from supportdesk.services.authentication import AuthenticationService, Credentials
from supportdesk.services.principal_cache import principals
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter

ROLES = ("super_admin", "admin", "agent", "customer")
ADMINS = ("super_admin", "admin")
UNKNOWN = 999_999

# The seed's Roles & Permissions rows these endpoints serve: admins yes, others no.
SEED_ROWS = {
    "Create projects": ADMINS,
    "Manage projects": ADMINS,
    "Generate API keys": ADMINS,
}


async def _admin_headers(make: Factory) -> dict[str, str]:
    return make.auth(await make.user("admin"))


async def _create(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/admin/projects", json={"name": "AgriMarket", **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    project: dict[str, Any] = response.json()["project"]
    return project


async def _detail(client: AsyncClient, project_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"/api/admin/projects/{project_id}", headers=headers)
    assert response.status_code == 200, response.text
    project: dict[str, Any] = response.json()["project"]
    return project


async def _issue(
    client: AsyncClient, project_id: int, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/admin/projects/{project_id}/api-keys",
        json={"name": "Production Key", **body},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


async def _pair(
    database: Database, settings: Settings, issued: dict[str, Any], ip: str = "203.0.113.9"
) -> Principal:
    """Authenticate with a key pair as the external API does."""
    credentials = Credentials(
        api_key=issued["api_key"], api_secret=issued["api_secret"], ip_address=ip
    )
    async with database.transaction() as session:
        return await AuthenticationService(session, settings).authenticate(
            credentials, {PrincipalKind.PROJECT}
        )


async def _activities(database: Database, action: str) -> list[Activity]:
    async with database.transaction() as session:
        rows = await session.scalars(select(Activity).where(Activity.action == action))
        return list(rows)


def _invalid(response: Response, field: str) -> list[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "Validation failed."
    assert field in body["details"], body
    messages: list[str] = body["details"][field]
    return messages


# ====================================================================== the seed's role table


@pytest.mark.parametrize("role", ROLES)
async def test_creating_projects_is_for_the_roles_the_seed_table_names(
    client: AsyncClient, make: Factory, database: Database, role: str
) -> None:
    actor = await make.user(role, projects=[1] if role == "agent" else [])

    response = await client.post(
        "/api/admin/projects", json={"name": "AgriMarket"}, headers=make.auth(actor)
    )

    async with database.transaction() as session:
        created = await session.scalar(select(func.count()).where(Project.name == "AgriMarket"))
    if role in SEED_ROWS["Create projects"]:
        assert response.status_code == 201, response.text
        assert response.json()["project"]["name"] == "AgriMarket"
        assert created == 1
    else:
        assert response.status_code == 403
        assert set(response.json()) == {"error"}
        assert created == 0


@pytest.mark.parametrize("role", ROLES)
async def test_managing_projects_is_for_the_roles_the_seed_table_names(
    client: AsyncClient, make: Factory, role: str
) -> None:
    project = await make.project("NaijaHomes", description="Listings")
    actor = await make.user(role, projects=[project.id] if role == "agent" else [])
    overseer = make.auth(await make.user("super_admin"))

    response = await client.put(
        f"/api/admin/projects/{project.id}",
        json={"description": "Property listings"},
        headers=make.auth(actor),
    )

    description = (await _detail(client, project.id, overseer))["description"]
    if role in SEED_ROWS["Manage projects"]:
        assert response.status_code == 200, response.text
        assert description == "Property listings"
    else:
        assert response.status_code == 403
        assert set(response.json()) == {"error"}
        assert description == "Listings"


@pytest.mark.parametrize("role", ROLES)
async def test_generating_api_keys_is_for_the_roles_the_seed_table_names(
    client: AsyncClient, make: Factory, role: str
) -> None:
    project = await make.project()
    actor = await make.user(role, projects=[project.id] if role == "agent" else [])
    overseer = make.auth(await make.user("super_admin"))

    response = await client.post(
        f"/api/admin/projects/{project.id}/api-keys",
        json={"name": "Production Key"},
        headers=make.auth(actor),
    )

    keys = (await _detail(client, project.id, overseer))["api_keys"]
    if role in SEED_ROWS["Generate API keys"]:
        assert response.status_code == 201, response.text
        assert [key["name"] for key in keys] == ["Production Key"]
    else:
        assert response.status_code == 403
        assert set(response.json()) == {"error"}
        assert keys == []


READ_ONLY = [
    ("GET", "/api/admin/projects"),
    ("GET", "/api/admin/projects/{project}"),
    ("GET", "/api/admin/projects/{project}/api-keys"),
]


@pytest.mark.parametrize(("method", "path"), READ_ONLY)
@pytest.mark.parametrize("role", ["agent", "customer"])
async def test_agents_and_customers_cannot_read_project_administration(
    client: AsyncClient, make: Factory, role: str, method: str, path: str
) -> None:
    project = await make.project()
    actor = await make.user(role, projects=[project.id] if role == "agent" else [])

    response = await client.request(
        method, path.format(project=project.id), headers=make.auth(actor)
    )

    assert response.status_code == 403
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize("role", ["agent", "customer"])
@pytest.mark.parametrize(
    "action", ["rename by PATCH", "assign agent", "remove agent", "revoke key"]
)
async def test_agents_and_customers_cannot_change_a_projects_team_or_keys(
    client: AsyncClient, make: Factory, role: str, action: str
) -> None:
    project = await make.project("NaijaHomes")
    member = await make.user("agent", projects=[project.id])
    newcomer = await make.user("agent")
    issued = await make.api_key("project", project_id=project.id)
    actor = await make.user(role, projects=[project.id] if role == "agent" else [])
    base = f"/api/admin/projects/{project.id}"
    method, path, body = {
        "rename by PATCH": ("PATCH", base, {"name": "Taken Over"}),
        "assign agent": ("POST", f"{base}/agents", {"user_id": newcomer.id}),
        "remove agent": ("DELETE", f"{base}/agents/{member.id}", None),
        "revoke key": ("DELETE", f"{base}/api-keys/{issued.api_key.id}", None),
    }[action]

    response = await client.request(method, path, json=body, headers=make.auth(actor))

    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    detail = await _detail(client, project.id, make.auth(await make.user("super_admin")))
    assert detail["name"] == "NaijaHomes"
    assert member.id in {agent["id"] for agent in detail["agents"]}
    assert newcomer.id not in {agent["id"] for agent in detail["agents"]}
    assert detail["api_keys"][0]["revoked"] is False


# ====================================================================== 401 and 404


ENDPOINTS = [
    ("GET", "/api/admin/projects", None),
    ("POST", "/api/admin/projects", {"name": "AgriMarket"}),
    ("GET", "/api/admin/projects/{project}", None),
    ("PUT", "/api/admin/projects/{project}", {"description": "x"}),
    ("PATCH", "/api/admin/projects/{project}", {"description": "x"}),
    ("POST", "/api/admin/projects/{project}/agents", {"user_id": "{user}"}),
    ("DELETE", "/api/admin/projects/{project}/agents/{user}", None),
    ("POST", "/api/admin/projects/{project}/api-keys", {"name": "Key"}),
    ("GET", "/api/admin/projects/{project}/api-keys", None),
    ("DELETE", "/api/admin/projects/{project}/api-keys/{key}", None),
]


def _fill(value: Any, ids: dict[str, int]) -> Any:
    """Put the ids into a path or a body; a body value that is only a placeholder is an id."""
    if isinstance(value, str):
        whole = value.removeprefix("{").removesuffix("}")
        return ids[whole] if whole in ids else value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
async def test_every_project_endpoint_needs_a_token(
    client: AsyncClient, make: Factory, method: str, path: str, body: dict[str, Any] | None
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[project.id])
    issued = await make.api_key("project", project_id=project.id)
    ids = {"project": project.id, "user": agent.id, "key": issued.api_key.id}

    response = await client.request(method, _fill(path, ids), json=_fill(body, ids))

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS[2:])
async def test_an_unknown_project_is_404(
    client: AsyncClient, make: Factory, method: str, path: str, body: dict[str, Any] | None
) -> None:
    agent = await make.user("agent")
    ids = {"project": UNKNOWN, "user": agent.id, "key": 1}

    response = await client.request(
        method, _fill(path, ids), json=_fill(body, ids), headers=await _admin_headers(make)
    )

    assert response.status_code == 404, response.text
    assert response.json() == {"error": "Project not found."}


async def test_a_project_id_beyond_the_database_range_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.get(f"/api/admin/projects/{2**40}", headers=await _admin_headers(make))

    _invalid(response, "project_id")


# ====================================================================== GET /admin/projects


async def test_the_project_list_shows_ticket_and_agent_counts(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project("NaijaHomes", slug="naijahomes")
    await make.user("agent", projects=[project.id])
    await make.user("admin", projects=[project.id])
    customer = await make.user("customer")
    for _ in range(3):
        await make.ticket(by=customer, project_id=project.id)

    response = await client.get(
        "/api/admin/projects", params={"search": "naija"}, headers=await _admin_headers(make)
    )

    assert response.status_code == 200, response.text
    [row] = response.json()["data"]
    assert row["id"] == project.id
    assert row["name"] == "NaijaHomes"
    assert row["slug"] == "naijahomes"
    assert row["tickets_count"] == 3
    assert row["agents_count"] == 2
    assert row["is_active"] is True


async def test_deleted_tickets_and_deleted_agents_are_not_counted(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project("NaijaHomes")
    agent = await make.user("agent", projects=[project.id])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)
    await make.ticket(by=customer, project_id=project.id)
    admin = await make.user("super_admin")
    headers = make.auth(admin)
    await client.delete(f"/api/tickets/{ticket.id}", headers=headers)
    await client.delete(f"/api/admin/users/{agent.id}", headers=headers)

    response = await client.get(
        "/api/admin/projects", params={"search": "NaijaHomes"}, headers=headers
    )

    [row] = response.json()["data"]
    assert (row["tickets_count"], row["agents_count"]) == (1, 0)


async def test_the_project_list_is_paginated_with_the_reference_meta(
    client: AsyncClient, make: Factory
) -> None:
    for name in ("Alpha", "Bravo", "Charlie", "Delta"):
        await make.project(name)

    response = await client.get(
        "/api/admin/projects", params={"per_page": 2, "page": 2}, headers=await _admin_headers(make)
    )

    body = response.json()
    # The default project (SupportDesk) sorts last by name.
    assert [row["name"] for row in body["data"]] == ["Charlie", "Delta"]
    assert {k: body[k] for k in ("current_page", "last_page", "total", "per_page")} == {
        "current_page": 2,
        "last_page": 3,
        "total": 5,
        "per_page": 2,
    }


async def test_the_project_list_shows_twenty_a_page_by_default(
    client: AsyncClient, make: Factory
) -> None:
    for n in range(21):
        await make.project(f"Client {n:02d}")

    response = await client.get("/api/admin/projects", headers=await _admin_headers(make))

    body = response.json()
    assert len(body["data"]) == 20
    assert (body["per_page"], body["total"], body["last_page"]) == (20, 22, 2)


async def test_a_page_past_the_end_is_empty_but_still_counts(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.get(
        "/api/admin/projects", params={"page": 9}, headers=await _admin_headers(make)
    )

    assert response.json()["data"] == []
    assert response.json()["total"] == 1


async def test_the_project_search_matches_the_slug_too(client: AsyncClient, make: Factory) -> None:
    await make.project("Farm Shop", slug="agrimarket")
    await make.project("Homes", slug="homes")

    response = await client.get(
        "/api/admin/projects", params={"search": "AGRI"}, headers=await _admin_headers(make)
    )

    assert [row["name"] for row in response.json()["data"]] == ["Farm Shop"]


async def test_the_project_search_takes_wildcards_literally(
    client: AsyncClient, make: Factory
) -> None:
    await make.project("100% Uptime")
    await make.project("Homes")

    response = await client.get(
        "/api/admin/projects", params={"search": "%"}, headers=await _admin_headers(make)
    )

    assert [row["name"] for row in response.json()["data"]] == ["100% Uptime"]


@pytest.mark.parametrize(("active", "expected"), [("true", ["SupportDesk"]), ("false", ["Old"])])
async def test_the_project_list_filters_by_active_state(
    client: AsyncClient, make: Factory, active: str, expected: list[str]
) -> None:
    await make.project("Old", is_active=False)

    response = await client.get(
        "/api/admin/projects", params={"active": active}, headers=await _admin_headers(make)
    )

    assert [row["name"] for row in response.json()["data"]] == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
        ({"active": "maybe"}, "active"),
        ({"search": "x" * 256}, "search"),
    ],
)
async def test_bad_project_list_parameters_are_validation_errors(
    client: AsyncClient, make: Factory, params: dict[str, Any], field: str
) -> None:
    response = await client.get(
        "/api/admin/projects", params=params, headers=await _admin_headers(make)
    )

    _invalid(response, field)


async def _list_cost(
    client: AsyncClient, statements: StatementCounter, headers: dict[str, str]
) -> int:
    principals.clear()  # every count includes resolving the token, as a first request's
    statements.start()
    response = await client.get("/api/admin/projects", headers=headers)
    count = statements.stop()
    assert response.status_code == 200
    return count


async def test_the_project_list_costs_the_same_statements_whatever_its_size(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    headers = await _admin_headers(make)
    cost_of_one = await _list_cost(client, statements, headers)
    customer = await make.user("customer")
    for n in range(5):
        project = await make.project(f"Client {n}")
        await make.user("agent", projects=[project.id])
        await make.ticket(by=customer, project_id=project.id)

    cost_of_six = await _list_cost(client, statements, headers)

    assert cost_of_six == cost_of_one


# ====================================================================== POST /admin/projects


async def test_creating_a_project_generates_its_slug_and_ticket_prefix(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    response = await client.post(
        "/api/admin/projects", json={"name": "AgriMarket"}, headers=await _admin_headers(make)
    )

    assert response.status_code == 201, response.text
    project = response.json()["project"]
    assert project["name"] == "AgriMarket"
    assert project["slug"] == "agrimarket"
    assert project["ticket_prefix"] == "AGRI"
    assert project["timezone"] == "UTC"
    assert project["settings"] == {}
    assert project["is_active"] is True
    assert project["created_at"] == "2026-03-02T09:00:00Z"


async def test_a_new_project_keeps_every_field_sent(client: AsyncClient, make: Factory) -> None:
    project = await _create(
        client,
        await _admin_headers(make),
        name="NaijaHomes",
        description="Property listings",
        support_email="help@naijahomes.test",
        website_url="https://naijahomes.test",
        timezone="Africa/Lagos",
        settings={"widget": {"color": "#10B981"}, "auto_reply": True},
    )

    assert project["description"] == "Property listings"
    assert project["support_email"] == "help@naijahomes.test"
    assert project["website_url"] == "https://naijahomes.test"
    assert project["timezone"] == "Africa/Lagos"
    assert project["settings"] == {"widget": {"color": "#10B981"}, "auto_reply": True}


async def test_a_taken_slug_gets_a_number(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)

    slugs = [(await _create(client, headers, name="Naija Homes"))["slug"] for _ in range(3)]

    assert slugs == ["naija-homes", "naija-homes-2", "naija-homes-3"]


async def test_a_taken_ticket_prefix_is_varied(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)

    prefixes = [
        (await _create(client, headers, name="Naija Homes"))["ticket_prefix"] for _ in range(3)
    ]

    assert prefixes[0] == "NAIJ"
    assert len(set(prefixes)) == 3
    assert all(
        len(p) == 4 and p.isalpha() and p.isupper() and p.startswith("NAI") for p in prefixes
    )


async def test_a_name_without_letters_still_gets_a_slug_and_a_prefix(
    client: AsyncClient, make: Factory
) -> None:
    project = await _create(client, await _admin_headers(make), name="123 !!")

    assert project["slug"] == "123"
    assert project["ticket_prefix"] == "PROJ"


async def test_a_short_name_gets_a_four_letter_prefix(client: AsyncClient, make: Factory) -> None:
    project = await _create(client, await _admin_headers(make), name="Ño")

    assert project["slug"] == "no"
    assert project["ticket_prefix"] == "NOXX"


async def test_tickets_of_a_new_project_are_numbered_with_its_prefix(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    project = await _create(client, await _admin_headers(make), name="AgriMarket")
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        json={"project_id": project["id"], "subject": "Late delivery", "description": "Where?"},
        headers=make.auth(customer),
    )

    assert response.json()["ticket"]["ticket_number"] == "AGRI-2026-00001"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "A", "support_email": "not-an-email"}, "support_email"),
        ({"name": "A", "website_url": "naijahomes"}, "website_url"),
        ({"name": "A", "website_url": "ftp://naijahomes.test"}, "website_url"),
        ({"name": "A", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "A", "timezone": "../../etc/passwd"}, "timezone"),
        ({"name": "A", "timezone": None}, "timezone"),
        ({"name": "A", "settings": ["not", "an", "object"]}, "settings"),
    ],
)
async def test_invalid_project_fields_are_validation_errors(
    client: AsyncClient, make: Factory, database: Database, body: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/admin/projects", json=body, headers=await _admin_headers(make)
    )

    _invalid(response, field)
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Project)) == 1


async def test_creating_a_project_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")

    project = await _create(client, make.auth(admin))

    [activity] = await _activities(database, "project.created")
    assert activity.user_id == admin.id
    assert activity.changes["project_id"] == project["id"]


# ====================================================================== GET /admin/projects/{id}


async def test_the_project_detail_shows_agents_sla_policies_and_keys(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project("NaijaHomes")
    lead = await make.user("agent", projects=[project.id], lead=True, name="Alice Okafor")
    member = await make.user("agent", projects=[project.id], name="Bola Ade")
    await make.user("agent", name="Not A Member")
    async with database.transaction() as session:
        session.add(
            SlaPolicy(
                project_id=project.id,
                priority=Priority.CRITICAL,
                first_response_minutes=10,
                resolution_minutes=60,
            )
        )
    issued = await make.api_key("project", name="Production Key", project_id=project.id)

    detail = await _detail(client, project.id, await _admin_headers(make))

    assert detail["name"] == "NaijaHomes"
    assert detail["agents"] == [
        {"id": lead.id, "name": "Alice Okafor", "email": lead.email, "is_lead": True},
        {"id": member.id, "name": "Bola Ade", "email": member.email, "is_lead": False},
    ]
    [policy] = detail["sla_policies"]
    assert (policy["priority"], policy["first_response_minutes"], policy["resolution_minutes"]) == (
        "critical",
        10,
        60,
    )
    [key] = detail["api_keys"]
    assert key["id"] == issued.api_key.id
    assert key["name"] == "Production Key"
    assert issued.raw_key.startswith(key["prefix"])
    assert key["revoked"] is False


async def test_the_project_detail_never_shows_a_secret_or_a_hash(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)
    headers = await _admin_headers(make)

    response = await client.get(f"/api/admin/projects/{project.id}", headers=headers)

    assert issued.raw_secret is not None
    assert issued.raw_secret not in response.text
    assert issued.raw_key not in response.text
    assert issued.api_key.key_hash not in response.text
    [key] = response.json()["project"]["api_keys"]
    assert not {name for name in key if "secret" in name or "hash" in name}


# ====================================================================== PUT/PATCH /admin/projects/{id}


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_an_update_changes_only_the_fields_sent(
    client: AsyncClient, make: Factory, method: str
) -> None:
    headers = await _admin_headers(make)
    project = await _create(
        client,
        headers,
        description="Listings",
        support_email="help@naija.test",
        timezone="Africa/Lagos",
    )

    response = await client.request(
        method,
        f"/api/admin/projects/{project['id']}",
        json={"name": "AgriMarket Pro", "settings": {"sla": "strict"}},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    updated = response.json()["project"]
    assert updated["name"] == "AgriMarket Pro"
    assert updated["settings"] == {"sla": "strict"}
    assert updated["description"] == "Listings"
    assert updated["support_email"] == "help@naija.test"
    assert updated["timezone"] == "Africa/Lagos"
    # Integrations and ticket numbers use them: a rename keeps slug and prefix.
    assert (updated["slug"], updated["ticket_prefix"]) == ("agrimarket", "AGRI")


async def test_an_explicit_null_clears_an_optional_field(
    client: AsyncClient, make: Factory
) -> None:
    headers = await _admin_headers(make)
    project = await _create(client, headers, description="Listings", website_url="https://a.test")

    response = await client.patch(
        f"/api/admin/projects/{project['id']}",
        json={"description": None, "website_url": None},
        headers=headers,
    )

    updated = response.json()["project"]
    assert (updated["description"], updated["website_url"]) == (None, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"timezone": "Nowhere/Special"}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"is_active": None}, "is_active"),
        ({"is_active": "sometimes"}, "is_active"),
        ({"is_active": 0}, "is_active"),
        ({"settings": None}, "settings"),
        ({"support_email": "nope"}, "support_email"),
    ],
)
async def test_invalid_updates_are_validation_errors(
    client: AsyncClient, make: Factory, body: dict[str, Any], field: str
) -> None:
    headers = await _admin_headers(make)
    project = await _create(client, headers)

    response = await client.put(f"/api/admin/projects/{project['id']}", json=body, headers=headers)

    _invalid(response, field)
    assert (await _detail(client, project["id"], headers))["name"] == "AgriMarket"


async def test_disabling_a_project_shuts_out_its_key_pairs(
    client: AsyncClient, make: Factory, database: Database, settings: Settings
) -> None:
    headers = await _admin_headers(make)
    project = await _create(client, headers)
    issued = await _issue(client, project["id"], headers)
    assert (await _pair(database, settings, issued)).project is not None

    response = await client.put(
        f"/api/admin/projects/{project['id']}", json={"is_active": False}, headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["project"]["is_active"] is False
    with pytest.raises(Unauthenticated):
        await _pair(database, settings, issued)


async def test_reenabling_a_project_lets_its_key_pairs_in_again(
    client: AsyncClient, make: Factory, database: Database, settings: Settings
) -> None:
    headers = await _admin_headers(make)
    project = await _create(client, headers)
    issued = await _issue(client, project["id"], headers)
    path = f"/api/admin/projects/{project['id']}"
    await client.patch(path, json={"is_active": False}, headers=headers)

    await client.patch(path, json={"is_active": True}, headers=headers)

    principal = await _pair(database, settings, issued)
    assert principal.project is not None and principal.project.id == project["id"]


async def test_the_default_project_cannot_be_disabled(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)

    response = await client.patch(
        "/api/admin/projects/1", json={"is_active": False}, headers=headers
    )

    assert _invalid(response, "is_active") == ["The default project cannot be deactivated."]
    assert (await _detail(client, 1, headers))["is_active"] is True


async def test_an_update_is_recorded_with_before_and_after(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    headers = await _admin_headers(make)
    project = await _create(client, headers)

    await client.put(
        f"/api/admin/projects/{project['id']}",
        json={"name": "Agri", "timezone": "UTC"},
        headers=headers,
    )

    [activity] = await _activities(database, "project.updated")
    assert activity.changes == {"project_id": project["id"], "name": ["AgriMarket", "Agri"]}


# ====================================================================== project agents


async def test_assigning_an_agent_adds_them_to_the_project(
    client: AsyncClient, make: Factory
) -> None:
    headers = await _admin_headers(make)
    project = await make.project()
    agent = await make.user("agent", name="Alice Okafor")

    response = await client.post(
        f"/api/admin/projects/{project.id}/agents",
        json={"user_id": agent.id, "is_lead": True},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Agent assigned to project"}
    agents = (await _detail(client, project.id, headers))["agents"]
    assert agents == [
        {"id": agent.id, "name": "Alice Okafor", "email": agent.email, "is_lead": True}
    ]


async def test_an_assigned_agent_sees_the_projects_tickets(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)
    before = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(agent))

    await client.post(
        f"/api/admin/projects/{project.id}/agents",
        json={"user_id": agent.id},
        headers=await _admin_headers(make),
    )

    after = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(agent))
    assert (before.status_code, after.status_code) == (404, 200)


async def test_assigning_again_updates_the_lead_flag(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)
    project = await make.project()
    agent = await make.user("agent", projects=[project.id], lead=True)

    response = await client.post(
        f"/api/admin/projects/{project.id}/agents",
        json={"user_id": agent.id, "is_lead": False},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    agents = (await _detail(client, project.id, headers))["agents"]
    assert [(a["id"], a["is_lead"]) for a in agents] == [(agent.id, False)]


async def test_an_admin_can_be_assigned_to_a_project(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)
    project = await make.project()
    admin = await make.user("admin")

    response = await client.post(
        f"/api/admin/projects/{project.id}/agents", json={"user_id": admin.id}, headers=headers
    )

    assert response.status_code == 200, response.text


@pytest.mark.parametrize("who", ["customer", "inactive agent", "unknown"])
async def test_only_an_active_agent_or_admin_can_be_assigned(
    client: AsyncClient, make: Factory, who: str
) -> None:
    headers = await _admin_headers(make)
    project = await make.project()
    if who == "customer":
        user_id = (await make.user("customer")).id
    elif who == "inactive agent":
        user_id = (await make.user("agent", is_active=False)).id
    else:
        user_id = UNKNOWN

    response = await client.post(
        f"/api/admin/projects/{project.id}/agents", json={"user_id": user_id}, headers=headers
    )

    assert _invalid(response, "user_id") == ["The selected user must be an active agent or admin."]
    assert (await _detail(client, project.id, headers))["agents"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "user_id"),
        ({"user_id": "abc"}, "user_id"),
        ({"user_id": 1, "is_lead": "boss"}, "is_lead"),
    ],
)
async def test_bad_assignment_bodies_are_validation_errors(
    client: AsyncClient, make: Factory, body: dict[str, Any], field: str
) -> None:
    project = await make.project()

    response = await client.post(
        f"/api/admin/projects/{project.id}/agents", json=body, headers=await _admin_headers(make)
    )

    _invalid(response, field)


async def test_is_lead_is_true_or_false_not_a_number(client: AsyncClient, make: Factory) -> None:
    headers = await _admin_headers(make)
    project = await make.project()
    agent = await make.user("agent")

    response = await client.post(
        f"/api/admin/projects/{project.id}/agents",
        json={"user_id": agent.id, "is_lead": 1},
        headers=headers,
    )

    assert _invalid(response, "is_lead") == ["The is lead field must be true or false."]
    assert (await _detail(client, project.id, headers))["agents"] == []


async def test_removing_an_agent_takes_them_off_the_project(
    client: AsyncClient, make: Factory
) -> None:
    headers = await _admin_headers(make)
    project = await make.project()
    agent = await make.user("agent", projects=[project.id])

    response = await client.delete(
        f"/api/admin/projects/{project.id}/agents/{agent.id}", headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Agent removed from project"}
    assert (await _detail(client, project.id, headers))["agents"] == []


async def test_removing_someone_who_is_not_a_member_is_404(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])

    response = await client.delete(
        f"/api/admin/projects/{project.id}/agents/{agent.id}", headers=await _admin_headers(make)
    )

    assert response.status_code == 404
    assert response.json() == {"error": "The user is not assigned to this project."}


async def test_agent_changes_are_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    headers = await _admin_headers(make)
    project = await make.project()
    agent = await make.user("agent")
    path = f"/api/admin/projects/{project.id}/agents"
    await client.post(path, json={"user_id": agent.id}, headers=headers)

    await client.delete(f"{path}/{agent.id}", headers=headers)

    assigned = await _activities(database, "project.agent_assigned")
    removed = await _activities(database, "project.agent_removed")
    assert [a.changes["user_id"] for a in assigned + removed] == [agent.id, agent.id]


# ====================================================================== project API keys


async def test_a_new_key_pair_is_shown_once_with_a_reminder(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project()

    issued = await _issue(client, project.id, await _admin_headers(make))

    assert set(issued) == {"api_key", "api_secret", "key_id", "message"}
    assert issued["api_key"].startswith("sk_")
    assert issued["api_secret"].startswith("ss_")
    assert issued["message"] == "Store the api_secret securely."
    async with database.transaction() as session:
        row = await session.get(ApiKey, issued["key_id"])
        assert row is not None
        # Only digests are kept.
        assert issued["api_secret"] not in (row.secret_hash, row.key_hash)
        assert row.project_id == project.id


async def test_a_new_key_pair_authenticates_as_its_project(
    client: AsyncClient, make: Factory, database: Database, settings: Settings
) -> None:
    project = await make.project()
    issued = await _issue(client, project.id, await _admin_headers(make))

    principal = await _pair(database, settings, issued)

    assert principal.kind is PrincipalKind.PROJECT
    assert principal.project is not None and principal.project.id == project.id


async def test_a_key_pair_limited_to_addresses_refuses_others(
    client: AsyncClient, make: Factory, database: Database, settings: Settings
) -> None:
    project = await make.project()
    issued = await _issue(
        client, project.id, await _admin_headers(make), allowed_ips=["10.0.0.0/8", "2001:db8::1"]
    )

    inside = await _pair(database, settings, issued, ip="10.20.30.40")

    assert inside.project is not None
    with pytest.raises(Forbidden):
        await _pair(database, settings, issued, ip="192.0.2.1")


async def test_a_key_pair_may_expire_on_a_date(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    headers = await _admin_headers(make)
    await _issue(client, project.id, headers, expires_at="2026-12-31")

    response = await client.get(f"/api/admin/projects/{project.id}/api-keys", headers=headers)

    [key] = response.json()["api_keys"]
    assert key["expires_at"] == "2026-12-31T00:00:00Z"


async def test_an_expired_key_pair_is_refused(
    client: AsyncClient,
    make: Factory,
    database: Database,
    settings: Settings,
    frozen_clock: FrozenClock,
) -> None:
    project = await make.project()
    issued = await _issue(
        client, project.id, await _admin_headers(make), expires_at="2026-03-02T10:00:00+00:00"
    )

    frozen_clock.advance(hours=1)

    with pytest.raises(Unauthenticated):
        await _pair(database, settings, issued)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "K", "allowed_ips": ["10.0.0.300"]}, "allowed_ips.0"),
        ({"name": "K", "allowed_ips": ["10.0.0.1", "example.com"]}, "allowed_ips.1"),
        ({"name": "K", "allowed_ips": ["10.0.0.0/33"]}, "allowed_ips.0"),
        ({"name": "K", "allowed_ips": "10.0.0.1"}, "allowed_ips"),
        ({"name": "K", "expires_at": "2026-03-01"}, "expires_at"),
        ({"name": "K", "expires_at": "2026-03-02T09:00:00Z"}, "expires_at"),
        ({"name": "K", "expires_at": "next tuesday"}, "expires_at"),
        ({"name": "K", "expires_at": "9999-12-31T23:00:00-05:00"}, "expires_at"),
    ],
)
async def test_invalid_key_requests_are_validation_errors(
    client: AsyncClient,
    make: Factory,
    frozen_clock: FrozenClock,
    body: dict[str, Any],
    field: str,
) -> None:
    project = await make.project()
    headers = await _admin_headers(make)

    response = await client.post(
        f"/api/admin/projects/{project.id}/api-keys", json=body, headers=headers
    )

    _invalid(response, field)
    listed = await client.get(f"/api/admin/projects/{project.id}/api-keys", headers=headers)
    assert listed.json()["api_keys"] == []


async def test_the_key_list_shows_a_projects_keys_without_secrets(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    other = await make.project()
    headers = await _admin_headers(make)
    issued = await _issue(client, project.id, headers, allowed_ips=["10.0.0.1"])
    await _issue(client, other.id, headers)
    await make.api_key("internal")

    response = await client.get(f"/api/admin/projects/{project.id}/api-keys", headers=headers)

    assert response.status_code == 200, response.text
    [key] = response.json()["api_keys"]
    assert key == {
        "id": issued["key_id"],
        "name": "Production Key",
        "prefix": issued["api_key"][:12],
        "allowed_ips": ["10.0.0.1"],
        "expires_at": None,
        "last_used_at": None,
        "revoked": False,
        "revoked_at": None,
        "created_at": "2026-03-02T09:00:00Z",
    }
    assert issued["api_secret"] not in response.text


async def test_the_key_list_shows_when_a_key_was_last_used(
    client: AsyncClient,
    make: Factory,
    database: Database,
    settings: Settings,
    frozen_clock: FrozenClock,
) -> None:
    project = await make.project()
    headers = await _admin_headers(make)
    issued = await _issue(client, project.id, headers)
    frozen_clock.advance(minutes=5)
    await _pair(database, settings, issued)

    response = await client.get(f"/api/admin/projects/{project.id}/api-keys", headers=headers)

    assert response.json()["api_keys"][0]["last_used_at"] == "2026-03-02T09:05:00Z"


async def test_revoking_a_key_pair_shuts_it_out_at_once(
    client: AsyncClient,
    make: Factory,
    database: Database,
    settings: Settings,
    frozen_clock: FrozenClock,
) -> None:
    project = await make.project()
    headers = await _admin_headers(make)
    issued = await _issue(client, project.id, headers)
    await _pair(database, settings, issued)

    response = await client.delete(
        f"/api/admin/projects/{project.id}/api-keys/{issued['key_id']}", headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"message": "API key revoked"}
    with pytest.raises(Unauthenticated):
        await _pair(database, settings, issued)
    listed = await client.get(f"/api/admin/projects/{project.id}/api-keys", headers=headers)
    [key] = listed.json()["api_keys"]
    assert (key["revoked"], key["revoked_at"]) == (True, "2026-03-02T09:00:00Z")


async def test_revoking_twice_keeps_the_first_revocation_time(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    headers = await _admin_headers(make)
    issued = await _issue(client, project.id, headers)
    path = f"/api/admin/projects/{project.id}/api-keys"
    await client.delete(f"{path}/{issued['key_id']}", headers=headers)
    frozen_clock.advance(minutes=30)

    again = await client.delete(f"{path}/{issued['key_id']}", headers=headers)

    assert again.status_code == 200
    listed = await client.get(path, headers=headers)
    assert listed.json()["api_keys"][0]["revoked_at"] == "2026-03-02T09:00:00Z"


@pytest.mark.parametrize("whose", ["another project's", "an internal", "no"])
async def test_revoking_a_key_that_is_not_the_projects_is_404(
    client: AsyncClient, make: Factory, whose: str
) -> None:
    project = await make.project()
    headers = await _admin_headers(make)
    if whose == "another project's":
        other = await make.project()
        key_id = (await _issue(client, other.id, headers))["key_id"]
    elif whose == "an internal":
        key_id = (await make.api_key("internal")).api_key.id
    else:
        key_id = UNKNOWN

    response = await client.delete(
        f"/api/admin/projects/{project.id}/api-keys/{key_id}", headers=headers
    )

    assert response.status_code == 404
    assert response.json() == {"error": "API key not found."}


async def test_key_changes_are_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    headers = make.auth(admin)
    project = await make.project()
    issued = await _issue(client, project.id, headers)

    await client.delete(
        f"/api/admin/projects/{project.id}/api-keys/{issued['key_id']}", headers=headers
    )

    created = await _activities(database, "api_key.created")
    revoked = await _activities(database, "api_key.revoked")
    assert [(a.user_id, a.changes["api_key_id"]) for a in created + revoked] == [
        (admin.id, issued["key_id"]),
        (admin.id, issued["key_id"]),
    ]
    assert issued["api_secret"] not in str([a.changes for a in created + revoked])


async def test_keys_are_issued_for_a_disabled_project_but_do_not_work_until_it_is_enabled(
    client: AsyncClient, make: Factory, database: Database, settings: Settings
) -> None:
    project = await make.project(is_active=False)

    issued = await _issue(client, project.id, await _admin_headers(make))

    with pytest.raises(Unauthenticated):
        await _pair(database, settings, issued)
