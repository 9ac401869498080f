"""Canned responses in the portal: staff's own replies, and the ones shared with all."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.models import Activity, CannedResponse, User
from supportdesk.services.principal_cache import principals
from tests.factories import Factory
from tests.support import StatementCounter

ROLES = ("super_admin", "admin", "agent", "customer")
# "Canned responses" in the seed's Roles & Permissions table.
MAY_USE = {"super_admin": True, "admin": True, "agent": True, "customer": False}


async def _canned(
    database: Database, owner: User | None, title: str = "Refund policy", **fields: Any
) -> CannedResponse:
    values: dict[str, Any] = {"body": f"{title}: the answer.", **fields}
    async with database.transaction() as session:
        response = CannedResponse(
            title=title, owner_id=owner.id if owner is not None else None, **values
        )
        session.add(response)
    return response


async def _titles(client: AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = await client.get("/api/canned-responses", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["canned_responses"]]


async def _count(database: Database) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(CannedResponse)) or 0)


# ====================================================================== GET /api/canned-responses


async def test_an_agent_sees_their_own_responses_and_everyones_shared_ones(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")
    colleague = await make.user("agent")
    await _canned(database, agent, "Mine, private")
    await _canned(database, agent, "Mine, shared", is_shared=True)
    await _canned(database, colleague, "Colleague's, shared", is_shared=True)
    await _canned(database, colleague, "Colleague's, private")

    titles = await _titles(client, make.auth(agent))

    assert titles == ["Colleague's, shared", "Mine, private", "Mine, shared"]


async def test_a_listed_response_shows_its_fields(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")
    category = await make.category("Billing")
    canned = await _canned(
        database,
        agent,
        "Refund policy",
        body="Refunds take 5 days.",
        shortcut="/refund",
        project_id=1,
        category_id=category.id,
    )

    response = await client.get("/api/canned-responses", headers=make.auth(agent))

    [item] = response.json()["canned_responses"]
    assert item == {
        "id": canned.id,
        "title": "Refund policy",
        "body": "Refunds take 5 days.",
        "shortcut": "/refund",
        "category_id": category.id,
        "project_id": 1,
        "owner_id": agent.id,
        "is_shared": False,
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }


async def test_an_admin_sees_only_their_own_and_the_shared_responses_too(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    await _canned(database, agent, "Agent's private")
    await _canned(database, agent, "Agent's shared", is_shared=True)

    assert await _titles(client, make.auth(admin)) == ["Agent's shared"]


async def test_inactive_responses_are_not_listed(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")
    await _canned(database, agent, "Retired", is_active=False)
    await _canned(database, agent, "Current")

    assert await _titles(client, make.auth(agent)) == ["Current"]


async def test_responses_are_ordered_by_sort_order_then_title(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")
    await _canned(database, agent, "Beta", sort_order=1)
    await _canned(database, agent, "Alpha", sort_order=1)
    await _canned(database, agent, "Zulu", sort_order=0)

    assert await _titles(client, make.auth(agent)) == ["Zulu", "Alpha", "Beta"]


async def test_a_project_filter_keeps_that_projects_responses_and_those_of_no_project(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")
    project = await make.project(ticket_prefix="PRJA")
    other = await make.project(ticket_prefix="PRJB")
    await _canned(database, agent, "For the project", project_id=project.id)
    await _canned(database, agent, "For everyone")
    await _canned(database, agent, "For another project", project_id=other.id)

    titles = await _titles(client, make.auth(agent), project_id=project.id)

    assert titles == ["For everyone", "For the project"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("refund", ["Refund policy"]),
        ("5 working days", ["Refund policy"]),
        ("/ship", ["Shipping times"]),
        ("nothing like it", []),
    ],
)
async def test_search_matches_title_body_or_shortcut(
    client: AsyncClient, make: Factory, database: Database, search: str, expected: list[str]
) -> None:
    agent = await make.user("agent")
    await _canned(database, agent, "Refund policy", body="Refunds take 5 working days.")
    await _canned(database, agent, "Shipping times", body="We ship daily.", shortcut="/ship")

    assert await _titles(client, make.auth(agent), search=search) == expected


@pytest.mark.parametrize("search", ["%", "_", "50%", "a_c"])
async def test_search_wildcards_match_only_themselves(
    client: AsyncClient, make: Factory, database: Database, search: str
) -> None:
    agent = await make.user("agent")
    await _canned(database, agent, "Discount", body="We give 50% off on abc plans.")
    await _canned(database, agent, "Other", body="Nothing special here: 500 and abc.")

    titles = await _titles(client, make.auth(agent), search=search)

    assert titles == (["Discount"] if search in ("%", "50%") else [])


async def test_the_list_costs_the_same_statements_whatever_its_length(
    client: AsyncClient, make: Factory, database: Database, statements: StatementCounter
) -> None:
    agent = await make.user("agent")
    headers = make.auth(agent)
    await _canned(database, agent, "First")
    principals.clear()  # every count includes resolving the token, as a first request's
    statements.start()
    await _titles(client, headers)
    cost_of_one = statements.stop()
    for n in range(30):
        await _canned(database, agent, f"Reply {n}", is_shared=bool(n % 2))

    principals.clear()  # every count includes resolving the token, as a first request's
    statements.start()
    titles = await _titles(client, headers)
    cost_of_many = statements.stop()

    assert len(titles) == 31
    assert cost_of_many == cost_of_one


# ====================================================================== POST /api/canned-responses


async def test_an_agent_creates_a_canned_response_they_own(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent")
    body = {
        "title": "Refund policy",
        "body": "Refunds take 5 working days.",
        "shortcut": "/refund",
        "is_shared": True,
        "project_id": 1,
    }

    response = await client.post("/api/canned-responses", json=body, headers=make.auth(agent))

    assert response.status_code == 201, response.text
    created = response.json()["canned_response"]
    assert {key: created[key] for key in body} == body
    assert created["owner_id"] == agent.id
    assert created["category_id"] is None
    assert await _titles(client, make.auth(agent)) == ["Refund policy"]


async def test_a_new_response_is_private_unless_shared(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent")
    colleague = await make.user("agent")

    response = await client.post(
        "/api/canned-responses",
        json={"title": "Private", "body": "Only mine."},
        headers=make.auth(agent),
    )

    assert response.json()["canned_response"]["is_shared"] is False
    assert await _titles(client, make.auth(colleague)) == []


async def test_a_shared_response_is_listed_for_other_staff(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent")
    colleague = await make.user("agent")

    await client.post(
        "/api/canned-responses",
        json={"title": "Greeting", "body": "Hello!", "is_shared": True},
        headers=make.auth(agent),
    )

    assert await _titles(client, make.auth(colleague)) == ["Greeting"]


async def test_creating_a_response_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")

    response = await client.post(
        "/api/canned-responses",
        json={"title": "Greeting", "body": "Hello!"},
        headers=make.auth(agent),
    )

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("canned_response.created", agent.id)
    assert activity.changes["canned_response_id"] == response.json()["canned_response"]["id"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": None}, "title", "The title field must be a string."),
        ({"title": " "}, "title", "The title field is required."),
        ({"title": "x" * 256}, "title", "The title field must not be greater than 255 characters."),
        ({"body": ""}, "body", "The body field is required."),
        (
            {"shortcut": "x" * 65},
            "shortcut",
            "The shortcut field must not be greater than 64 characters.",
        ),
        ({"is_shared": "perhaps"}, "is_shared", "The is shared field must be true or false."),
        ({"is_shared": 1}, "is_shared", "The is shared field must be true or false."),
        ({"project_id": 999}, "project_id", "The selected project id is invalid."),
        ({"project_id": 0}, "project_id", "The project id field must be at least 1."),
        ({"category_id": 999}, "category_id", "The selected category id is invalid."),
    ],
)
async def test_an_invalid_canned_response_is_refused_with_the_field_at_fault(
    client: AsyncClient,
    make: Factory,
    database: Database,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    agent = await make.user("agent")
    body = {"title": "Greeting", "body": "Hello!", **changes}

    response = await client.post("/api/canned-responses", json=body, headers=make.auth(agent))

    assert response.status_code == 422, response.text
    assert response.json() == {"error": "Validation failed.", "details": {field: [message]}}
    assert await _count(database) == 0


@pytest.mark.parametrize("missing", ["title", "body"])
async def test_a_canned_response_needs_a_title_and_a_body(
    client: AsyncClient, make: Factory, missing: str
) -> None:
    agent = await make.user("agent")
    body = {key: value for key, value in {"title": "T", "body": "B"}.items() if key != missing}

    response = await client.post("/api/canned-responses", json=body, headers=make.auth(agent))

    assert response.status_code == 422, response.text
    assert response.json()["details"] == {missing: [f"The {missing} field is required."]}


# ====================================================================== DELETE /api/canned-responses/{id}


async def test_an_agent_deletes_their_own_response(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")
    canned = await _canned(database, agent)

    response = await client.delete(f"/api/canned-responses/{canned.id}", headers=make.auth(agent))

    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Canned response deleted"}
    assert await _count(database) == 0


async def test_an_agent_cannot_delete_a_colleagues_shared_response(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")
    colleague = await make.user("agent")
    canned = await _canned(database, colleague, is_shared=True)

    response = await client.delete(f"/api/canned-responses/{canned.id}", headers=make.auth(agent))

    assert response.status_code == 403, response.text
    assert response.json() == {"error": "You can only delete your own canned responses."}
    assert await _count(database) == 1


async def test_a_colleagues_private_response_is_404_to_an_agent(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent")
    colleague = await make.user("agent")
    canned = await _canned(database, colleague)

    response = await client.delete(f"/api/canned-responses/{canned.id}", headers=make.auth(agent))

    assert response.status_code == 404, response.text
    assert response.json() == {"error": "Canned response not found."}
    assert await _count(database) == 1


@pytest.mark.parametrize("shared", [True, False])
async def test_an_admin_deletes_anyones_response(
    client: AsyncClient, make: Factory, database: Database, shared: bool
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    canned = await _canned(database, agent, is_shared=shared)

    response = await client.delete(f"/api/canned-responses/{canned.id}", headers=make.auth(admin))

    assert response.status_code == 200, response.text
    assert await _count(database) == 0


async def test_deleting_a_response_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    canned = await _canned(database, agent, "Old greeting")

    await client.delete(f"/api/canned-responses/{canned.id}", headers=make.auth(admin))

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("canned_response.deleted", admin.id)
    assert activity.description == "Canned response Old greeting deleted"
    assert activity.changes == {"canned_response_id": canned.id, "owner_id": agent.id}


async def test_an_unknown_canned_response_is_404(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")

    response = await client.delete("/api/canned-responses/999", headers=make.auth(admin))

    assert response.status_code == 404, response.text
    assert response.json() == {"error": "Canned response not found."}


# ====================================================================== who may do what


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "success"),
    [
        ("GET", "/api/canned-responses", None, 200),
        ("POST", "/api/canned-responses", {"title": "New", "body": "Hello"}, 201),
        ("DELETE", "/api/canned-responses/{own}", None, 200),
    ],
)
async def test_each_role_may_use_canned_responses_as_the_seed_table_says(
    client: AsyncClient,
    make: Factory,
    database: Database,
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    success: int,
) -> None:
    actor = await make.user(role, projects=[1] if role == "agent" else [])
    own = await _canned(database, actor, "Own", is_shared=True)

    response = await client.request(
        method, path.format(own=own.id), json=body, headers=make.auth(actor)
    )

    if MAY_USE[role]:
        assert response.status_code == success, response.text
    else:
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}
        assert await _count(database) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/canned-responses"),
        ("POST", "/api/canned-responses"),
        ("DELETE", "/api/canned-responses/1"),
    ],
)
async def test_canned_responses_need_a_token(client: AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json={"title": "T", "body": "B"})

    assert response.status_code == 401, response.text
    assert set(response.json()) == {"error"}
