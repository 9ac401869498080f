"""SLA policies in the portal: everyone reads them, admins set them, new tickets obey."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.core.enums import Priority
from supportdesk.models import Activity, SlaPolicy
from tests.factories import Factory
from tests.support import FrozenClock

ROLES = ("super_admin", "admin", "agent", "customer")
# "Manage SLA policies" in the seed's Roles & Permissions table.
MAY_MANAGE = {"super_admin": True, "admin": True, "agent": False, "customer": False}

# The global policies the first migration seeds: the reference's defaults.
GLOBAL = [
    ("critical", 15, 120),
    ("high", 60, 480),
    ("medium", 240, 1440),
    ("low", 480, 4800),
]


async def _admin_headers(make: Factory) -> dict[str, str]:
    return make.auth(await make.user("admin"))


async def _policy(
    database: Database,
    project_id: int | None,
    priority: Priority,
    first_response_minutes: int = 30,
    resolution_minutes: int = 240,
) -> SlaPolicy:
    async with database.transaction() as session:
        policy = SlaPolicy(
            project_id=project_id,
            priority=priority,
            first_response_minutes=first_response_minutes,
            resolution_minutes=resolution_minutes,
        )
        session.add(policy)
    return policy


async def _listed(
    client: AsyncClient, headers: dict[str, str], **params: Any
) -> list[tuple[int | None, str, int, int]]:
    response = await client.get("/api/sla", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [
        (p["project_id"], p["priority"], p["first_response_minutes"], p["resolution_minutes"])
        for p in response.json()["sla_policies"]
    ]


async def _global_id(database: Database, priority: str) -> int:
    async with database.transaction() as session:
        policy_id = await session.scalar(
            select(SlaPolicy.id).where(
                SlaPolicy.project_id.is_(None), SlaPolicy.priority == Priority(priority)
            )
        )
    assert policy_id is not None
    return policy_id


def _globals() -> list[tuple[int | None, str, int, int]]:
    return [(None, priority, first, resolution) for priority, first, resolution in GLOBAL]


# ====================================================================== GET /api/sla


async def test_the_global_policies_are_the_references_defaults(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.get("/api/sla", headers=make.auth(customer))

    assert response.status_code == 200, response.text
    first = response.json()["sla_policies"][0]
    assert set(first) == {
        "id",
        "project_id",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "business_calendar_id",
    }
    assert await _listed(client, make.auth(customer)) == _globals()


async def test_all_policies_are_listed_globals_first(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project()
    await _policy(database, project.id, Priority.LOW, 100, 1000)
    await _policy(database, project.id, Priority.CRITICAL, 5, 60)

    listed = await _listed(client, await _admin_headers(make))

    assert listed == [
        *_globals(),
        (project.id, "critical", 5, 60),
        (project.id, "low", 100, 1000),
    ]


async def test_a_project_filter_lists_that_projects_policies_and_the_global_ones(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project(ticket_prefix="PRJA")
    other = await make.project(ticket_prefix="PRJB")
    await _policy(database, project.id, Priority.HIGH, 30, 240)
    await _policy(database, other.id, Priority.HIGH, 45, 300)

    listed = await _listed(client, await _admin_headers(make), project_id=project.id)

    assert listed == [*_globals(), (project.id, "high", 30, 240)]


@pytest.mark.parametrize("project_id", ["0", "abc"])
async def test_an_invalid_project_filter_is_422(
    client: AsyncClient, make: Factory, project_id: str
) -> None:
    response = await client.get(
        "/api/sla", params={"project_id": project_id}, headers=await _admin_headers(make)
    )

    assert response.status_code == 422, response.text
    assert "project_id" in response.json()["details"]


# ====================================================================== POST /api/admin/sla


async def test_an_admin_creates_a_project_policy(client: AsyncClient, make: Factory) -> None:
    project = await make.project()
    headers = await _admin_headers(make)
    body = {
        "project_id": project.id,
        "priority": "high",
        "first_response_minutes": 30,
        "resolution_minutes": 240,
    }

    response = await client.post("/api/admin/sla", json=body, headers=headers)

    assert response.status_code == 201, response.text
    policy = response.json()["sla_policy"]
    assert policy == {"id": policy["id"], **body, "business_calendar_id": None}
    assert (project.id, "high", 30, 240) in await _listed(client, headers, project_id=project.id)


async def test_new_tickets_follow_a_policy_created_through_the_api(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    created = await client.post(
        "/api/admin/sla",
        json={
            "project_id": project.id,
            "priority": "high",
            "first_response_minutes": 30,
            "resolution_minutes": 240,
        },
        headers=await _admin_headers(make),
    )
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        json={
            "project_id": project.id,
            "subject": "Checkout fails",
            "description": "Card declined every time.",
            "priority": "high",
        },
        headers=make.auth(customer),
    )

    assert response.status_code == 201, response.text
    ticket = response.json()["ticket"]
    assert ticket["first_response_due_at"] == "2026-03-02T09:30:00Z"
    assert ticket["resolution_due_at"] == "2026-03-02T13:00:00Z"
    assert ticket["sla_policy"]["id"] == created.json()["sla_policy"]["id"]


async def test_new_tickets_follow_an_updated_global_policy(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    await client.put(
        f"/api/admin/sla/{await _global_id(database, 'medium')}",
        json={"first_response_minutes": 10, "resolution_minutes": 20},
        headers=await _admin_headers(make),
    )
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        json={"project_id": 1, "subject": "Slow", "description": "Pages load slowly."},
        headers=make.auth(customer),
    )

    ticket = response.json()["ticket"]
    assert ticket["first_response_due_at"] == "2026-03-02T09:10:00Z"
    assert ticket["resolution_due_at"] == "2026-03-02T09:20:00Z"


async def test_creating_a_policy_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    project = await make.project()

    response = await client.post(
        "/api/admin/sla",
        json={
            "project_id": project.id,
            "priority": "low",
            "first_response_minutes": 60,
            "resolution_minutes": 600,
        },
        headers=make.auth(admin),
    )

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("sla_policy.created", admin.id)
    assert activity.changes == {
        "sla_policy_id": response.json()["sla_policy"]["id"],
        "project_id": project.id,
        "priority": "low",
        "first_response_minutes": 60,
        "resolution_minutes": 600,
        "business_calendar_id": None,
    }


async def test_a_second_policy_for_the_same_project_and_priority_is_refused(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project()
    await _policy(database, project.id, Priority.HIGH)
    headers = await _admin_headers(make)

    response = await client.post(
        "/api/admin/sla",
        json={
            "project_id": project.id,
            "priority": "high",
            "first_response_minutes": 5,
            "resolution_minutes": 50,
        },
        headers=headers,
    )

    assert response.status_code == 422, response.text
    assert response.json() == {
        "error": "Validation failed.",
        "details": {
            "priority": ["An SLA policy for high priority already exists for this project."]
        },
    }
    assert (project.id, "high", 5, 50) not in await _listed(client, headers)


async def test_a_second_global_policy_for_a_priority_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.post(
        "/api/admin/sla",
        json={"priority": "critical", "first_response_minutes": 5, "resolution_minutes": 50},
        headers=await _admin_headers(make),
    )

    assert response.status_code == 422, response.text
    assert response.json()["details"] == {
        "priority": [
            "An SLA policy for critical priority already exists for all projects (global)."
        ]
    }


async def test_a_global_policy_can_be_created_once_the_old_one_is_deleted(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    headers = await _admin_headers(make)
    await client.delete(f"/api/admin/sla/{await _global_id(database, 'low')}", headers=headers)

    response = await client.post(
        "/api/admin/sla",
        json={
            "project_id": None,
            "priority": "low",
            "first_response_minutes": 600,
            "resolution_minutes": 6000,
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert (None, "low", 600, 6000) in await _listed(client, headers)


async def test_the_same_priority_may_have_a_policy_in_each_project(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    first = await make.project(ticket_prefix="PRJA")
    second = await make.project(ticket_prefix="PRJB")
    await _policy(database, first.id, Priority.HIGH)

    response = await client.post(
        "/api/admin/sla",
        json={
            "project_id": second.id,
            "priority": "high",
            "first_response_minutes": 30,
            "resolution_minutes": 240,
        },
        headers=await _admin_headers(make),
    )

    assert response.status_code == 201, response.text


VALID = {
    "project_id": 1,
    "priority": "high",
    "first_response_minutes": 30,
    "resolution_minutes": 60,
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"priority": "urgent"}, "priority", "The selected priority is invalid."),
        ({"project_id": 999}, "project_id", "The selected project id is invalid."),
        ({"project_id": "one"}, "project_id", "The project id field must be an integer."),
        (
            {"first_response_minutes": 0},
            "first_response_minutes",
            "The first response minutes field must be at least 1.",
        ),
        (
            {"resolution_minutes": -5},
            "resolution_minutes",
            "The resolution minutes field must be at least 1.",
        ),
        (
            {"resolution_minutes": 10**12},
            "resolution_minutes",
            "The resolution minutes field must not be greater than 5256000.",
        ),
        (
            {"first_response_minutes": 120, "resolution_minutes": 60},
            "resolution_minutes",
            "The resolution minutes must be at least the first response minutes.",
        ),
    ],
)
async def test_an_invalid_policy_is_refused_with_the_field_at_fault(
    client: AsyncClient, make: Factory, changes: dict[str, Any], field: str, message: str
) -> None:
    headers = await _admin_headers(make)

    response = await client.post("/api/admin/sla", json={**VALID, **changes}, headers=headers)

    assert response.status_code == 422, response.text
    assert response.json() == {"error": "Validation failed.", "details": {field: [message]}}
    assert await _listed(client, headers) == _globals()


@pytest.mark.parametrize("missing", ["priority", "first_response_minutes", "resolution_minutes"])
async def test_a_policy_missing_a_required_field_is_refused(
    client: AsyncClient, make: Factory, missing: str
) -> None:
    body = {k: v for k, v in VALID.items() if k != missing}

    response = await client.post("/api/admin/sla", json=body, headers=await _admin_headers(make))

    assert response.status_code == 422, response.text
    label = missing.replace("_", " ")
    assert response.json()["details"] == {missing: [f"The {label} field is required."]}


# ====================================================================== PUT /api/admin/sla/{id}


async def test_updating_a_policy_changes_only_the_fields_sent(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project()
    policy = await _policy(database, project.id, Priority.HIGH, 30, 240)

    response = await client.put(
        f"/api/admin/sla/{policy.id}",
        json={"resolution_minutes": 300},
        headers=await _admin_headers(make),
    )

    assert response.status_code == 200, response.text
    assert response.json()["sla_policy"] == {
        "id": policy.id,
        "project_id": project.id,
        "priority": "high",
        "first_response_minutes": 30,
        "resolution_minutes": 300,
        "business_calendar_id": None,
    }


async def test_updating_a_policy_records_what_changed_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    project = await make.project()
    policy = await _policy(database, project.id, Priority.HIGH, 30, 240)

    await client.put(
        f"/api/admin/sla/{policy.id}",
        json={"priority": "critical", "resolution_minutes": 240},
        headers=make.auth(admin),
    )

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("sla_policy.updated", admin.id)
    assert activity.changes == {"sla_policy_id": policy.id, "priority": ["high", "critical"]}


async def test_deleting_a_policy_is_recorded_in_the_activity_log(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    project = await make.project()
    policy = await _policy(database, project.id, Priority.HIGH)

    await client.delete(f"/api/admin/sla/{policy.id}", headers=make.auth(admin))

    async with database.transaction() as session:
        activity = await session.scalar(select(Activity))
    assert activity is not None
    assert (activity.action, activity.user_id) == ("sla_policy.deleted", admin.id)
    assert activity.changes == {"sla_policy_id": policy.id}


async def test_a_policy_can_be_made_global_by_clearing_its_project(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    headers = await _admin_headers(make)
    project = await make.project()
    policy = await _policy(database, project.id, Priority.LOW, 30, 240)
    await client.delete(f"/api/admin/sla/{await _global_id(database, 'low')}", headers=headers)

    response = await client.put(
        f"/api/admin/sla/{policy.id}", json={"project_id": None}, headers=headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["sla_policy"]["project_id"] is None


async def test_moving_a_policy_onto_a_taken_priority_is_refused(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project()
    await _policy(database, project.id, Priority.HIGH)
    low = await _policy(database, project.id, Priority.LOW)

    response = await client.put(
        f"/api/admin/sla/{low.id}", json={"priority": "high"}, headers=await _admin_headers(make)
    )

    assert response.status_code == 422, response.text
    assert response.json()["details"] == {
        "priority": ["An SLA policy for high priority already exists for this project."]
    }


async def test_an_update_is_checked_against_the_stored_minutes(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project()
    policy = await _policy(database, project.id, Priority.HIGH, 30, 240)

    response = await client.put(
        f"/api/admin/sla/{policy.id}",
        json={"first_response_minutes": 500},
        headers=await _admin_headers(make),
    )

    assert response.status_code == 422, response.text
    assert response.json()["details"] == {
        "resolution_minutes": [
            "The resolution minutes must be at least the first response minutes."
        ]
    }


@pytest.mark.parametrize("field", ["priority", "first_response_minutes", "resolution_minutes"])
async def test_a_required_policy_field_cannot_be_cleared(
    client: AsyncClient, make: Factory, database: Database, field: str
) -> None:
    project = await make.project()
    policy = await _policy(database, project.id, Priority.HIGH)

    response = await client.put(
        f"/api/admin/sla/{policy.id}", json={field: None}, headers=await _admin_headers(make)
    )

    assert response.status_code == 422, response.text
    assert response.json()["details"] == {
        field: [f"The {field.replace('_', ' ')} field is required."]
    }


# ====================================================================== DELETE /api/admin/sla/{id}


async def test_deleting_a_project_policy_lets_its_tickets_fall_back_to_the_global_one(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    policy = await _policy(database, project.id, Priority.HIGH, 30, 240)
    headers = await _admin_headers(make)

    response = await client.delete(f"/api/admin/sla/{policy.id}", headers=headers)
    ticket = await client.post(
        "/api/tickets",
        json={"project_id": project.id, "subject": "S", "description": "D", "priority": "high"},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"message": "SLA policy deleted"}
    assert await _listed(client, headers, project_id=project.id) == _globals()
    assert ticket.json()["ticket"]["first_response_due_at"] == "2026-03-02T10:00:00Z"


async def test_a_ticket_keeps_its_due_dates_when_its_policy_is_deleted(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    project = await make.project()
    policy = await _policy(database, project.id, Priority.HIGH, 30, 240)
    ticket = await make.ticket(by=admin, project_id=project.id, priority=Priority.HIGH)

    await client.delete(f"/api/admin/sla/{policy.id}", headers=make.auth(admin))

    response = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(admin))
    assert response.status_code == 200, response.text
    assert response.json()["ticket"]["first_response_due_at"] == "2026-03-02T09:30:00Z"


# ====================================================================== who may do what


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "success"),
    [
        (
            "POST",
            "/api/admin/sla",
            {
                "project_id": "{project}",
                "priority": "high",
                "first_response_minutes": 30,
                "resolution_minutes": 240,
            },
            201,
        ),
        ("PUT", "/api/admin/sla/{policy}", {"resolution_minutes": 999}, 200),
        ("DELETE", "/api/admin/sla/{policy}", None, 200),
    ],
)
async def test_each_role_may_manage_sla_policies_as_the_seed_table_says(
    client: AsyncClient,
    make: Factory,
    database: Database,
    role: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    success: int,
) -> None:
    project = await make.project()
    policy = await _policy(database, project.id, Priority.LOW)
    actor = await make.user(role, projects=[project.id] if role == "agent" else [])
    if body is not None and body.get("project_id") == "{project}":
        body = {**body, "project_id": project.id}
    before = await _listed(client, await _admin_headers(make))

    response = await client.request(
        method, path.format(policy=policy.id), json=body, headers=make.auth(actor)
    )

    if MAY_MANAGE[role]:
        assert response.status_code == success, response.text
    else:
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}
        assert await _listed(client, await _admin_headers(make)) == before


@pytest.mark.parametrize("role", ROLES)
async def test_every_role_may_read_the_sla_policies(
    client: AsyncClient, make: Factory, role: str
) -> None:
    actor = await make.user(role)

    assert await _listed(client, make.auth(actor)) == _globals()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sla"),
        ("POST", "/api/admin/sla"),
        ("PUT", "/api/admin/sla/1"),
        ("DELETE", "/api/admin/sla/1"),
    ],
)
async def test_sla_policies_need_a_token(client: AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path, json=VALID)

    assert response.status_code == 401, response.text
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    ("method", "body"), [("PUT", {"resolution_minutes": 999}), ("DELETE", None)]
)
async def test_an_unknown_sla_policy_is_404(
    client: AsyncClient, make: Factory, method: str, body: dict[str, Any] | None
) -> None:
    response = await client.request(
        method, "/api/admin/sla/999", json=body, headers=await _admin_headers(make)
    )

    assert response.status_code == 404, response.text
    assert response.json() == {"error": "SLA policy not found."}
