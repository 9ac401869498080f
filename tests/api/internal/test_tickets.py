"""Tickets through the internal API: the ticket resource, its rules and its list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.core.enums import CustomFieldType, Priority
from supportdesk.models import Activity, OutboxEvent, ProjectAgent, Ticket
from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter

RESOURCE_KEYS = {
    "id",
    "reference_id",
    "title",
    "content",
    "status",
    "priority",
    "department",
    "category",
    "product",
    "customer",
    "labels",
    "assigned_to",
    "agents",
    "custom_fields",
    "is_resolved",
    "is_locked",
    "last_reply_at",
    "closed_at",
    "created_at",
    "updated_at",
}


async def _new(api: Admin, make: Factory, **fields: Any) -> dict[str, Any]:
    if "customer_id" not in fields:
        fields["customer_id"] = (await make.user("customer")).id
    body = {"title": "Cannot access my account", "content": "I'm unable to log in...", **fields}
    created: dict[str, Any] = await api.created("/tickets", body)
    return created


# ------------------------------------------------------------------ create and read


async def test_a_created_ticket_is_the_ticket_resource_of_the_reference(
    api: Admin, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer", name="John Doe", email="john@example.test")
    department = await make.department("Technical Support")
    category = await make.category("Account Issues")
    product = await make.product("SaaS Platform")
    browser = await make.custom_field("Browser", CustomFieldType.TEXT)

    ticket = await _new(
        api,
        make,
        customer_id=customer.id,
        department_id=department.id,
        category_id=category.id,
        product_id=product.id,
        priority="high",
        custom_fields={str(browser.id): "Chrome 120"},
    )

    assert set(ticket) == RESOURCE_KEYS
    assert ticket["reference_id"] == f"#{1000 + ticket['id']}"
    assert ticket["title"] == "Cannot access my account"
    assert ticket["content"] == "I'm unable to log in..."
    assert ticket["status"] == "open"
    assert ticket["priority"] == "high"
    assert ticket["department"] == {"id": department.id, "name": "Technical Support"}
    assert ticket["category"] == {"id": category.id, "name": "Account Issues"}
    assert ticket["product"] == {"id": product.id, "name": "SaaS Platform"}
    assert ticket["customer"] == {
        "id": customer.id,
        "name": "John Doe",
        "email": "john@example.test",
    }
    assert ticket["labels"] == []
    assert ticket["assigned_to"] is None
    assert ticket["agents"] == []
    assert ticket["custom_fields"] == [
        {"id": browser.id, "label": "Browser", "type": "text", "value": "Chrome 120"}
    ]
    assert ticket["is_resolved"] is False
    assert ticket["is_locked"] is False
    assert ticket["last_reply_at"] is None
    assert ticket["closed_at"] is None
    assert ticket["created_at"] == "2026-03-02T09:00:00Z"
    assert await api.data(f"/tickets/{ticket['id']}") == ticket


async def test_a_created_ticket_is_numbered_in_the_default_project_with_sla_activity_and_event(
    api: Admin, make: Factory, database: Database
) -> None:
    ticket = await _new(api, make, priority="critical")

    async with database.transaction() as session:
        stored = await session.get(Ticket, ticket["id"])
        assert stored is not None
        assert stored.project_id == 1
        assert stored.ticket_number.endswith("-00001")
        assert stored.first_response_due_at is not None
        assert stored.source == "api"
        actions = await session.scalars(
            select(Activity.action).where(Activity.ticket_id == ticket["id"])
        )
        assert list(actions) == ["created"]
        events = await session.scalars(select(OutboxEvent.event_type))
        assert "ticket.created" in list(events)


async def test_a_ticket_may_be_opened_in_another_project(
    api: Admin, make: Factory, database: Database
) -> None:
    project = await make.project("Naija Homes", ticket_prefix="NAIJ")
    ticket = await _new(api, make, project_id=project.id)
    async with database.transaction() as session:
        stored = await session.get(Ticket, ticket["id"])
        assert stored is not None and stored.ticket_number.startswith("NAIJ-")


async def test_without_a_priority_the_default_priority_setting_applies(
    api: Admin, make: Factory
) -> None:
    assert (await api.put("/settings", {"sd_default_priority": "low"})).status_code == 200
    assert (await _new(api, make))["priority"] == "low"


async def test_without_a_department_the_default_department_setting_applies(
    api: Admin, make: Factory
) -> None:
    department = await make.department("Billing")
    response = await api.put("/settings", {"sd_default_department_id": department.id})
    assert response.status_code == 200, response.text
    assert (await _new(api, make))["department"] == {"id": department.id, "name": "Billing"}


async def test_an_unknown_ticket_is_404(api: Admin) -> None:
    response = await api.get("/tickets/999")
    assert response.status_code == 404
    assert response.json() == {"status": False, "message": "Ticket not found."}


async def test_a_deleted_ticket_is_gone(api: Admin, make: Factory) -> None:
    ticket = await _new(api, make)
    response = await api.delete(f"/tickets/{ticket['id']}")
    assert response.status_code == 200
    assert response.json()["status"] is True
    assert (await api.get(f"/tickets/{ticket['id']}")).status_code == 404
    assert (await api.delete(f"/tickets/{ticket['id']}")).status_code == 404


# ------------------------------------------------------------------ create validation


async def test_customer_title_and_content_are_required(api: Admin) -> None:
    errors = errors_of(await api.post("/tickets", {}))
    assert errors == {
        "customer_id": ["The customer id field is required."],
        "title": ["The title field is required."],
        "content": ["The content field is required."],
    }


async def test_the_title_is_at_most_500_characters(api: Admin, make: Factory) -> None:
    customer = await make.user("customer")
    body = {"customer_id": customer.id, "title": "x" * 501, "content": "Body"}
    assert errors_of(await api.post("/tickets", body)) == {
        "title": ["The title field must not be greater than 500 characters."]
    }
    body["title"] = "x" * 500
    assert (await api.post("/tickets", body)).status_code == 201


async def test_the_customer_must_exist_as_a_customer(api: Admin, make: Factory) -> None:
    agent = await make.user("agent")
    for customer_id in (999, agent.id):
        body = {"customer_id": customer_id, "title": "T", "content": "C"}
        assert errors_of(await api.post("/tickets", body)) == {
            "customer_id": ["The selected customer id is invalid."]
        }


async def test_department_category_and_product_must_exist(api: Admin, make: Factory) -> None:
    customer = await make.user("customer")
    for name in ("department_id", "category_id", "product_id"):
        body = {"customer_id": customer.id, "title": "T", "content": "C", name: 999}
        errors = errors_of(await api.post("/tickets", body))
        assert list(errors) == [name]


async def test_the_priority_must_be_one_of_the_four(api: Admin, make: Factory) -> None:
    customer = await make.user("customer")
    body = {"customer_id": customer.id, "title": "T", "content": "C", "priority": "urgent"}
    assert errors_of(await api.post("/tickets", body)) == {
        "priority": ["The selected priority is invalid."]
    }


async def test_a_refused_ticket_writes_nothing(
    api: Admin, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    body = {"customer_id": customer.id, "title": "T", "content": "C", "product_id": 999}
    errors_of(await api.post("/tickets", body))
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 0


async def test_custom_field_values_are_checked_against_their_definitions(
    api: Admin, make: Factory
) -> None:
    email = await make.custom_field("Contact", CustomFieldType.EMAIL)
    required = await make.custom_field("Order", CustomFieldType.NUMBER, is_required=True)
    draft = await make.custom_field("Old", CustomFieldType.TEXT, status="draft")
    customer = await make.user("customer")
    body = {
        "customer_id": customer.id,
        "title": "T",
        "content": "C",
        "custom_fields": {str(email.id): "not-an-address", str(draft.id): "x", "999": "y"},
    }
    assert errors_of(await api.post("/tickets", body)) == {
        f"custom_fields.{email.id}": ["The Contact field must be a valid email address."],
        f"custom_fields.{draft.id}": ["The selected custom field is invalid."],
        "custom_fields.999": ["The selected custom field is invalid."],
        f"custom_fields.{required.id}": ["The Order field is required."],
    }
    body["custom_fields"] = {str(email.id): "a@example.test", str(required.id): "42"}
    ticket = (await api.post("/tickets", body)).json()["data"]
    assert [(f["label"], f["value"]) for f in ticket["custom_fields"]] == [
        ("Contact", "a@example.test"),
        ("Order", 42),
    ]


# ------------------------------------------------------------------ update


async def test_an_update_changes_only_the_fields_given(api: Admin, make: Factory) -> None:
    ticket = await _new(api, make, priority="low")
    department = await make.department("Sales")
    product = await make.product("Theme")
    category = await make.category("Billing")

    response = await api.put(
        f"/tickets/{ticket['id']}",
        {
            "priority": "critical",
            "department_id": department.id,
            "product_id": product.id,
            "category_id": category.id,
            "is_locked": True,
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["priority"] == "critical"
    assert updated["department"]["name"] == "Sales"
    assert updated["product"]["name"] == "Theme"
    assert updated["category"]["name"] == "Billing"
    assert updated["is_locked"] is True
    assert updated["title"] == ticket["title"]
    assert await api.data(f"/tickets/{ticket['id']}") == updated

    cleared = (
        await api.put(f"/tickets/{ticket['id']}", {"category_id": None, "product_id": None})
    ).json()["data"]
    assert cleared["category"] is None and cleared["product"] is None
    assert cleared["department"]["name"] == "Sales"


async def test_labels_replace_the_tickets_labels(api: Admin, make: Factory) -> None:
    bug = await make.tag("Bug", color="#e74c3c")
    urgent = await make.tag("Urgent", color="#000000")
    ticket = await _new(api, make)
    updated = (await api.put(f"/tickets/{ticket['id']}", {"labels": [urgent.id, bug.id]})).json()[
        "data"
    ]
    assert updated["labels"] == [
        {"id": bug.id, "name": "Bug", "color": "#e74c3c"},
        {"id": urgent.id, "name": "Urgent", "color": "#000000"},
    ]
    assert errors_of(await api.put(f"/tickets/{ticket['id']}", {"labels": [999]})) == {
        "labels": ["The selected tags are invalid."]
    }
    assert (await api.put(f"/tickets/{ticket['id']}", {"labels": []})).json()["data"][
        "labels"
    ] == []


async def test_assigning_an_open_ticket_moves_it_in_progress_and_null_unassigns(
    api: Admin, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1], name="Agent Smith")
    ticket = await _new(api, make)
    assigned = (await api.put(f"/tickets/{ticket['id']}", {"assigned_to": agent.id})).json()["data"]
    assert assigned["assigned_to"] == {"id": agent.id, "name": "Agent Smith"}
    assert assigned["agents"] == [{"id": agent.id, "name": "Agent Smith"}]
    assert assigned["status"] == "in_progress"

    unassigned = (await api.put(f"/tickets/{ticket['id']}", {"assigned_to": None})).json()["data"]
    assert unassigned["assigned_to"] is None
    assert unassigned["agents"] == []


async def test_the_assignee_must_be_an_existing_staff_user(api: Admin, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await _new(api, make)
    for user_id in (999, customer.id):
        errors = errors_of(await api.put(f"/tickets/{ticket['id']}", {"assigned_to": user_id}))
        assert list(errors) == ["assigned_to"]


async def test_closing_sets_closed_at_and_reopening_clears_it(
    api: Admin, make: Factory, frozen_clock: FrozenClock
) -> None:
    ticket = await _new(api, make)
    closed = (await api.put(f"/tickets/{ticket['id']}", {"status": "closed"})).json()["data"]
    assert closed["status"] == "closed"
    assert closed["closed_at"] == "2026-03-02T09:00:00Z"
    reopened = (await api.put(f"/tickets/{ticket['id']}", {"status": "open"})).json()["data"]
    assert reopened["status"] == "open"
    assert reopened["closed_at"] is None


async def test_is_resolved_resolves_and_unresolves_the_ticket(api: Admin, make: Factory) -> None:
    ticket = await _new(api, make)
    resolved = (await api.put(f"/tickets/{ticket['id']}", {"is_resolved": True})).json()["data"]
    assert resolved["is_resolved"] is True
    assert resolved["closed_at"] is None
    unresolved = (await api.put(f"/tickets/{ticket['id']}", {"is_resolved": False})).json()["data"]
    assert unresolved["is_resolved"] is False
    assert unresolved["status"] == "open"


async def test_update_validation_names_each_failing_field(api: Admin, make: Factory) -> None:
    ticket = await _new(api, make)
    errors = errors_of(
        await api.put(
            f"/tickets/{ticket['id']}",
            {
                "status": "resolved",
                "priority": "urgent",
                "is_locked": "maybe",
                "labels": "bug",
                "department_id": None,
            },
        )
    )
    assert set(errors) == {"status", "priority", "is_locked", "labels", "department_id"}
    for name in ("department_id", "product_id", "category_id"):
        errors = errors_of(await api.put(f"/tickets/{ticket['id']}", {name: 999}))
        assert list(errors) == [name]


async def test_is_resolved_and_is_locked_are_true_or_false_not_numbers(
    api: Admin, make: Factory
) -> None:
    ticket = await _new(api, make)

    response = await api.put(f"/tickets/{ticket['id']}", {"is_resolved": 1, "is_locked": 0})

    assert errors_of(response) == {
        "is_resolved": ["The is resolved field must be true or false."],
        "is_locked": ["The is locked field must be true or false."],
    }


async def test_updating_an_unknown_ticket_is_404(api: Admin) -> None:
    assert (await api.put("/tickets/999", {"priority": "low"})).status_code == 404


# ------------------------------------------------------------------ list


async def test_the_list_is_newest_first_with_meta(
    api: Admin, make: Factory, frozen_clock: FrozenClock
) -> None:
    ids = []
    for _ in range(3):
        ids.append((await _new(api, make))["id"])
        frozen_clock.advance(minutes=1)
    response = await api.get("/tickets", per_page=2, page=1)
    body = response.json()
    assert body["status"] is True
    assert [row["id"] for row in body["data"]] == [ids[2], ids[1]]
    assert body["meta"] == {"current_page": 1, "last_page": 2, "per_page": 2, "total": 3}
    second = (await api.get("/tickets", per_page=2, page=2)).json()
    assert [row["id"] for row in second["data"]] == [ids[0]]


async def test_the_list_pages_by_the_tickets_per_page_setting(api: Admin, make: Factory) -> None:
    assert (await api.get("/tickets")).json()["meta"]["per_page"] == 15
    assert (await api.put("/settings", {"sd_tickets_per_page": 5})).status_code == 200
    assert (await api.get("/tickets")).json()["meta"]["per_page"] == 5
    assert (await api.get("/tickets", per_page=7)).json()["meta"]["per_page"] == 7


async def test_per_page_is_between_1_and_200(api: Admin) -> None:
    assert errors_of(await api.get("/tickets", per_page=201)) == {
        "per_page": ["The per page field must not be greater than 200."]
    }
    assert list(errors_of(await api.get("/tickets", per_page=0))) == ["per_page"]
    assert (await api.get("/tickets", per_page=200)).status_code == 200


async def test_the_list_filters(api: Admin, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    alice = await make.user("customer")
    department = await make.department()
    first = await _new(api, make, customer_id=alice.id, priority="high")
    second = await _new(api, make, department_id=department.id)
    third = await _new(api, make)
    await api.put(f"/tickets/{third['id']}", {"assigned_to": agent.id})
    await api.put(f"/tickets/{second['id']}", {"status": "on_hold"})

    async def ids(**params: Any) -> list[int]:
        return [row["id"] for row in await api.data("/tickets", **params)]

    assert await ids(customer_id=alice.id) == [first["id"]]
    assert await ids(priority="high") == [first["id"]]
    assert await ids(department_id=department.id) == [second["id"]]
    assert await ids(assigned_to=agent.id) == [third["id"]]
    assert await ids(status="in_progress") == [third["id"]]
    assert await ids(status="on_hold") == [second["id"]]
    assert await ids(status="open") == [first["id"]]
    assert errors_of(await api.get("/tickets", status="pending")) == {
        "status": ["The selected status is invalid."]
    }


async def test_a_list_of_100_tickets_costs_as_many_statements_as_a_list_of_1(
    api: Admin, make: Factory, statements: StatementCounter
) -> None:
    customer = await make.user("customer")
    agent = await make.user("agent", projects=[1])
    department = await make.department()
    product = await make.product()
    category = await make.category()
    tag = await make.tag()
    field = await make.custom_field("Browser")

    async def cost() -> int:
        statements.start()
        response = await api.get("/tickets", per_page=200)
        count = statements.stop()
        assert response.status_code == 200
        return count

    async def add(n: int) -> None:
        for _ in range(n):
            ticket = await make.ticket(
                by=customer,
                category_id=category.id,
                tag_ids=[tag.id],
                department_id=department.id,
                product_id=product.id,
                custom_fields={str(field.id): "Chrome"},
            )
            await api.put(f"/tickets/{ticket.id}", {"assigned_to": agent.id})

    await add(1)
    one = await cost()
    await add(99)
    hundred = await cost()
    assert len((await api.get("/tickets", per_page=200)).json()["data"]) == 100
    assert hundred == one


async def test_priority_changes_through_update_recompute_the_sla(
    api: Admin, make: Factory, database: Database
) -> None:
    ticket = await _new(api, make, priority="low")
    async with database.transaction() as session:
        before = await session.get(Ticket, ticket["id"])
        assert before is not None
        due = before.first_response_due_at
    await api.put(f"/tickets/{ticket['id']}", {"priority": Priority.CRITICAL})
    async with database.transaction() as session:
        after = await session.get(Ticket, ticket["id"])
        assert after is not None and after.first_response_due_at != due


async def test_an_agent_of_another_project_is_assigned_and_joins_the_project(
    api: Admin, make: Factory, database: Database
) -> None:
    other = await make.project("Elsewhere", slug="elsewhere", ticket_prefix="ELS")
    agent = await make.user("agent", projects=[other.id], name="Agent Smith")
    ticket = await _new(api, make)

    response = await api.put(f"/tickets/{ticket['id']}", {"assigned_to": agent.id})

    assert response.status_code == 200, response.text
    assert response.json()["data"]["assigned_to"] == {"id": agent.id, "name": "Agent Smith"}
    async with database.transaction() as session:
        joined = await session.scalar(
            select(ProjectAgent).where(
                ProjectAgent.project_id == 1, ProjectAgent.user_id == agent.id
            )
        )
        assert joined is not None
    logged = await api.data("/activity-logs")
    assert any(
        row["description"].startswith("Agent Smith joined project")
        and row["ticket_id"] == ticket["id"]
        for row in logged
    )
