"""The "Roles & Permissions Reference" of seed 003, checked cell by cell.

SEED_ROLE_TABLE copies the seed's table. Every capability is tried with a real request by
a user of each role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient, Response

from supportdesk.models import Ticket, User
from tests.factories import Factory

ROLES = ("super_admin", "admin", "agent", "customer")

YES = "✓"
NO = "✗"
PROJECT_ONLY = "project only"
LIMITED = "limited"
OWN = "own"

# | Capability | super_admin | admin | agent | customer |
SEED_ROLE_TABLE: dict[str, tuple[str, str, str, str]] = {
    "Create tickets": (YES, YES, YES, YES),
    "View own tickets": (YES, YES, YES, YES),
    "View all tickets": (YES, YES, PROJECT_ONLY, NO),
    "Reply to tickets": (YES, YES, YES, YES),
    "Add internal notes": (YES, YES, YES, NO),
    "Change status": (YES, YES, YES, NO),
    "Assign tickets": (YES, YES, YES, NO),
    "Change priority": (YES, YES, YES, NO),
    "Delete tickets": (YES, YES, NO, NO),
    "Rate resolved tickets": (YES, YES, NO, OWN),
    "Create projects": (YES, YES, NO, NO),
    "Manage projects": (YES, YES, NO, NO),
    "Generate API keys": (YES, YES, NO, NO),
    "Manage users": (YES, YES, NO, NO),
    "Create agents/admins": (YES, YES, NO, NO),
    "View all reports": (YES, YES, LIMITED, NO),
    "Manage SLA policies": (YES, YES, NO, NO),
    "Manage categories": (YES, YES, NO, NO),
    "Canned responses": (YES, YES, YES, NO),
}


def cell(capability: str, role: str) -> str:
    return SEED_ROLE_TABLE[capability][ROLES.index(role)]


def cells(capabilities: Iterable[str]) -> list[Any]:
    return [
        pytest.param(capability, role, id=f"{role}:{capability}")
        for capability in capabilities
        for role in ROLES
    ]


HOME_PROJECT = 1  # the agent under test works here


# ---------------------------------------------------------------------- the scene


@dataclass
class Scene:
    """A user of the role under test and a ticket they can see.

    A customer's ticket is their own; staff get a ticket another customer opened in the
    project the agent works in.
    """

    actor: User
    ticket: Ticket
    assignee: User  # an agent of the ticket's project, eligible for assignment
    overseer: User  # a super_admin who prepares and inspects


async def _scene(make: Factory, role: str) -> Scene:
    overseer = await make.user("super_admin")
    assignee = await make.user("agent", projects=[HOME_PROJECT])
    projects = [HOME_PROJECT] if role == "agent" else []
    actor = await make.user(role, projects=projects)
    owner = actor if role == "customer" else await make.user("customer")
    ticket = await make.ticket(by=owner, project_id=HOME_PROJECT)
    return Scene(actor=actor, ticket=ticket, assignee=assignee, overseer=overseer)


async def _resolve(client: AsyncClient, make: Factory, scene: Scene) -> None:
    response = await client.patch(
        f"/api/tickets/{scene.ticket.id}/status",
        json={"status": "resolved"},
        headers=make.auth(scene.overseer),
    )
    assert response.status_code == 200, response.text


async def _overseen(client: AsyncClient, make: Factory, scene: Scene) -> Any:
    response = await client.get(
        f"/api/tickets/{scene.ticket.id}", headers=make.auth(scene.overseer)
    )
    return response.status_code, response.json()


# ---------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    method: str
    path: str
    body: Callable[[Scene], dict[str, Any] | None]
    success: int
    shows: Callable[[dict[str, Any], Scene], bool]  # what the caller sees when allowed
    needs_resolved_ticket: bool = False
    removes_ticket: bool = False


ACTIONS: dict[str, Action] = {
    "Create tickets": Action(
        "POST",
        "/api/tickets",
        lambda _: {"project_id": HOME_PROJECT, "subject": "Printer on fire", "description": "!"},
        201,
        lambda body, _: (
            body["ticket"]["subject"] == "Printer on fire" and body["ticket"]["status"] == "open"
        ),
    ),
    "Reply to tickets": Action(
        "POST",
        "/api/tickets/{ticket}/messages",
        lambda _: {"body": "Any news?", "type": "reply"},
        201,
        lambda body, scene: (
            body["message"]["type"] == "reply" and body["message"]["user"]["id"] == scene.actor.id
        ),
    ),
    "Add internal notes": Action(
        "POST",
        "/api/tickets/{ticket}/messages",
        lambda _: {"body": "Customer is on the legacy plan.", "type": "note"},
        201,
        lambda body, _: body["message"]["type"] == "note",
    ),
    "Change status": Action(
        "PATCH",
        "/api/tickets/{ticket}/status",
        lambda _: {"status": "pending_customer"},
        200,
        lambda body, _: body["ticket"]["status"] == "pending_customer",
    ),
    "Assign tickets": Action(
        "PATCH",
        "/api/tickets/{ticket}/assign",
        lambda scene: {"user_id": scene.assignee.id},
        200,
        lambda body, scene: body["ticket"]["assigned_to"] == scene.assignee.id,
    ),
    "Change priority": Action(
        "PUT",
        "/api/tickets/{ticket}",
        lambda _: {"priority": "critical"},
        200,
        lambda body, _: body["ticket"]["priority"] == "critical",
    ),
    "Delete tickets": Action(
        "DELETE",
        "/api/tickets/{ticket}",
        lambda _: None,
        200,
        lambda body, _: body == {"message": "Ticket deleted"},
        removes_ticket=True,
    ),
    "Rate resolved tickets": Action(
        "POST",
        "/api/tickets/{ticket}/rating",
        lambda _: {"score": 5, "comment": "Quick fix"},
        201,
        lambda body, _: body["rating"]["score"] == 5,
        needs_resolved_ticket=True,
    ),
}

VIEWING = ("View own tickets", "View all tickets")


@dataclass(frozen=True)
class Guarded:
    """A hub-management request that one role may make and another may not."""

    method: str
    path: str
    body: dict[str, Any] | None
    success: int


GUARDED: dict[str, Guarded] = {
    "Create projects": Guarded("POST", "/api/admin/projects", {"name": "Acme Shop"}, 201),
    "Manage projects": Guarded("PUT", "/api/admin/projects/1", {"description": "Main"}, 200),
    "Generate API keys": Guarded("POST", "/api/admin/projects/1/api-keys", {"name": "CI"}, 201),
    "Manage users": Guarded("GET", "/api/admin/users", None, 200),
    "Create agents/admins": Guarded(
        "POST",
        "/api/admin/users",
        {"name": "Ada", "email": "ada@example.com", "password": "correct horse", "role": "agent"},
        201,
    ),
    # "limited" (agents' reports) is granted; the data it reaches is narrowed elsewhere.
    "View all reports": Guarded("GET", "/api/reports/overview", None, 200),
    "Manage SLA policies": Guarded(
        "POST",
        "/api/admin/sla",
        {
            "project_id": 1,
            "priority": "high",
            "first_response_minutes": 60,
            "resolution_minutes": 480,
        },
        201,
    ),
    "Manage categories": Guarded("POST", "/api/categories", {"name": "Billing"}, 201),
    "Canned responses": Guarded(
        "POST", "/api/canned-responses", {"title": "Hello", "body": "Hi there"}, 201
    ),
}


async def test_every_row_of_the_seed_table_is_checked() -> None:
    checked = set(ACTIONS) | set(VIEWING) | set(GUARDED)

    assert checked == set(SEED_ROLE_TABLE)


@pytest.mark.parametrize(("capability", "role"), cells(ACTIONS))
async def test_each_role_may_act_on_a_ticket_as_the_seed_table_says(
    client: AsyncClient, make: Factory, capability: str, role: str
) -> None:
    action = ACTIONS[capability]
    scene = await _scene(make, role)
    if action.needs_resolved_ticket:
        await _resolve(client, make, scene)
    before = await _overseen(client, make, scene)

    response = await client.request(
        action.method,
        action.path.format(ticket=scene.ticket.id),
        json=action.body(scene),
        headers=make.auth(scene.actor),
    )

    if cell(capability, role) in (YES, OWN):
        assert response.status_code == action.success, response.text
        assert action.shows(response.json(), scene), response.text
        if action.removes_ticket:
            assert (await _overseen(client, make, scene))[0] == 404
    else:
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}
        assert await _overseen(client, make, scene) == before


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_sees_its_own_tickets(
    client: AsyncClient, make: Factory, role: str
) -> None:
    assert cell("View own tickets", role) == YES
    actor = await make.user(role, projects=[HOME_PROJECT] if role == "agent" else [])
    ticket = await make.ticket(by=actor, project_id=HOME_PROJECT)
    headers = make.auth(actor)

    detail = await client.get(f"/api/tickets/{ticket.id}", headers=headers)
    listed = await client.get("/api/tickets", headers=headers)

    assert detail.status_code == 200, detail.text
    assert detail.json()["ticket"]["id"] == ticket.id
    assert [item["id"] for item in listed.json()["data"]] == [ticket.id]


VISIBLE_OF_OTHERS = {YES: {"home", "elsewhere"}, PROJECT_ONLY: {"home"}, NO: set()}


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_sees_other_peoples_tickets_as_the_seed_table_says(
    client: AsyncClient, make: Factory, role: str
) -> None:
    actor = await make.user(role, projects=[HOME_PROJECT] if role == "agent" else [])
    elsewhere = await make.project()
    someone = await make.user("customer")
    tickets = {
        "home": await make.ticket(by=someone, project_id=HOME_PROJECT),
        "elsewhere": await make.ticket(by=someone, project_id=elsewhere.id),
    }
    expected = VISIBLE_OF_OTHERS[cell("View all tickets", role)]
    headers = make.auth(actor)

    statuses = {
        name: (await client.get(f"/api/tickets/{ticket.id}", headers=headers)).status_code
        for name, ticket in tickets.items()
    }
    listed = await client.get("/api/tickets", headers=headers)

    assert statuses == {name: 200 if name in expected else 404 for name in tickets}
    assert listed.status_code == 200, listed.text
    assert {item["id"] for item in listed.json()["data"]} == {tickets[name].id for name in expected}
    assert listed.json()["total"] == len(expected)


@pytest.mark.parametrize(("capability", "role"), cells(GUARDED))
async def test_each_role_may_run_the_hub_as_the_seed_table_says(
    client: AsyncClient, make: Factory, capability: str, role: str
) -> None:
    request = GUARDED[capability]
    actor = await make.user(role, projects=[HOME_PROJECT] if role == "agent" else [])

    response = await client.request(
        request.method, request.path, json=request.body, headers=make.auth(actor)
    )

    if cell(capability, role) in (YES, LIMITED):
        assert response.status_code == request.success, response.text
    else:
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}


# ---------------------------------------------------------------------- visibility


def _assert_not_found(response: Response) -> None:
    assert response.status_code == 404, response.text
    assert set(response.json()) == {"error"}


async def test_an_agent_gets_404_for_a_ticket_of_a_project_they_do_not_work_in(
    client: AsyncClient, make: Factory
) -> None:
    elsewhere = await make.project()
    agent = await make.user("agent", projects=[HOME_PROJECT])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=elsewhere.id)

    response = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(agent))

    _assert_not_found(response)


async def test_an_agent_gets_404_when_acting_on_a_ticket_of_another_project(
    client: AsyncClient, make: Factory
) -> None:
    elsewhere = await make.project()
    agent = await make.user("agent", projects=[HOME_PROJECT])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=elsewhere.id)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/status", json={"status": "closed"}, headers=make.auth(agent)
    )

    _assert_not_found(response)


async def test_a_customer_gets_404_for_another_customers_ticket(
    client: AsyncClient, make: Factory
) -> None:
    owner = await make.user("customer")
    other = await make.user("customer")
    ticket = await make.ticket(by=owner)

    response = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(other))

    _assert_not_found(response)


async def test_a_customer_gets_404_when_replying_to_another_customers_ticket(
    client: AsyncClient, make: Factory
) -> None:
    owner = await make.user("customer")
    other = await make.user("customer")
    ticket = await make.ticket(by=owner)

    response = await client.post(
        f"/api/tickets/{ticket.id}/messages", json={"body": "Me too"}, headers=make.auth(other)
    )

    _assert_not_found(response)


async def test_a_customer_cannot_rate_another_customers_resolved_ticket(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    owner = await make.user("customer")
    other = await make.user("customer")
    ticket = await make.ticket(by=owner)
    await client.patch(
        f"/api/tickets/{ticket.id}/status", json={"status": "resolved"}, headers=make.auth(admin)
    )

    response = await client.post(
        f"/api/tickets/{ticket.id}/rating", json={"score": 1}, headers=make.auth(other)
    )

    _assert_not_found(response)


async def test_a_customer_never_sees_internal_notes(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[HOME_PROJECT])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=HOME_PROJECT)
    staff = make.auth(agent)
    secret = "Refund was declined by finance, do not mention it."
    await client.post(
        f"/api/tickets/{ticket.id}/messages", json={"body": secret, "type": "note"}, headers=staff
    )
    await client.post(
        f"/api/tickets/{ticket.id}/messages",
        json={"body": "We are looking into it.", "type": "reply"},
        headers=staff,
    )

    customer_view = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(customer))
    staff_view = await client.get(f"/api/tickets/{ticket.id}", headers=staff)

    assert customer_view.status_code == 200, customer_view.text
    messages = customer_view.json()["ticket"]["messages"]
    assert [(m["type"], m["body"]) for m in messages] == [("reply", "We are looking into it.")]
    assert secret not in customer_view.text
    assert [m["type"] for m in staff_view.json()["ticket"]["messages"]] == ["note", "reply"]


async def test_a_customer_does_not_learn_of_internal_notes_from_the_activity_trail(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[HOME_PROJECT])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=HOME_PROJECT)
    staff = make.auth(agent)
    await client.post(
        f"/api/tickets/{ticket.id}/messages",
        json={"body": "Escalate.", "type": "note"},
        headers=staff,
    )

    customer_view = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(customer))
    staff_view = await client.get(f"/api/tickets/{ticket.id}", headers=staff)

    assert "note_added" not in [a["action"] for a in customer_view.json()["ticket"]["activities"]]
    assert "note_added" in [a["action"] for a in staff_view.json()["ticket"]["activities"]]
