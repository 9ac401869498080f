"""Creating, editing, moving, assigning and deleting tickets through the portal."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.core.enums import Priority
from supportdesk.models import Attachment, SlaPolicy, Ticket
from tests.factories import Factory
from tests.support import FrozenClock


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "project_id": 1,
        "subject": "Cannot upload photos",
        "description": "The upload button does nothing on Chrome.",
        **overrides,
    }


async def _count(database: Database, model: type) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _detail(client: AsyncClient, ticket_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"/api/tickets/{ticket_id}", headers=headers)
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


# ====================================================================== POST /api/tickets


async def test_creating_a_ticket_returns_it_with_its_number(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer", name="Tunde Adeyemi")

    response = await client.post(
        "/api/tickets", json=_body(priority="high"), headers=make.auth(customer)
    )

    assert response.status_code == 201
    ticket = response.json()["ticket"]
    assert ticket["ticket_number"] == "SUPP-2026-00001"
    assert ticket["status"] == "open"
    assert ticket["priority"] == "high"
    assert ticket["subject"] == "Cannot upload photos"
    assert ticket["description"] == "The upload button does nothing on Chrome."
    assert ticket["project"] == {"id": 1, "name": "SupportDesk", "slug": "supportdesk"}
    assert ticket["creator"] == {"id": customer.id, "name": "Tunde Adeyemi"}
    assert ticket["created_at"] == "2026-03-02T09:00:00Z"
    assert isinstance(ticket["id"], int)


async def test_ticket_numbers_count_up_within_a_project(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)

    first = await client.post("/api/tickets", json=_body(), headers=headers)
    second = await client.post("/api/tickets", json=_body(), headers=headers)

    assert first.json()["ticket"]["ticket_number"] == "SUPP-2026-00001"
    assert second.json()["ticket"]["ticket_number"] == "SUPP-2026-00002"


async def test_ticket_numbers_use_the_projects_prefix_and_its_own_counter(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    project = await make.project("NaijaHomes", slug="naijahomes", ticket_prefix="NAIJ")
    customer = await make.user("customer")
    headers = make.auth(customer)
    await client.post("/api/tickets", json=_body(), headers=headers)

    response = await client.post("/api/tickets", json=_body(project_id=project.id), headers=headers)

    assert response.status_code == 201
    assert response.json()["ticket"]["ticket_number"] == "NAIJ-2026-00001"


async def test_a_ticket_without_a_priority_gets_medium(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.post("/api/tickets", json=_body(), headers=make.auth(customer))

    assert response.status_code == 201
    assert response.json()["ticket"]["priority"] == "medium"


@pytest.mark.parametrize(
    ("priority", "first_response_due", "resolution_due"),
    [
        ("critical", "2026-03-02T09:15:00Z", "2026-03-02T11:00:00Z"),
        ("high", "2026-03-02T10:00:00Z", "2026-03-02T17:00:00Z"),
        ("medium", "2026-03-02T13:00:00Z", "2026-03-03T09:00:00Z"),
        ("low", "2026-03-02T17:00:00Z", "2026-03-05T17:00:00Z"),
    ],
)
async def test_a_new_ticket_gets_the_global_sla_of_its_priority(
    client: AsyncClient,
    make: Factory,
    frozen_clock: FrozenClock,
    priority: str,
    first_response_due: str,
    resolution_due: str,
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(priority=priority), headers=make.auth(customer)
    )

    assert response.status_code == 201
    ticket = response.json()["ticket"]
    assert ticket["first_response_due_at"] == first_response_due
    assert ticket["resolution_due_at"] == resolution_due
    assert ticket["sla_policy"]["project_id"] is None
    assert ticket["sla_policy"]["priority"] == priority


async def test_a_project_sla_policy_overrides_the_global_one(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    async with database.transaction() as session:
        policy = SlaPolicy(
            project_id=project.id,
            priority=Priority.HIGH,
            first_response_minutes=30,
            resolution_minutes=240,
        )
        session.add(policy)
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        json=_body(project_id=project.id, priority="high"),
        headers=make.auth(customer),
    )

    assert response.status_code == 201
    ticket = response.json()["ticket"]
    assert ticket["first_response_due_at"] == "2026-03-02T09:30:00Z"
    assert ticket["resolution_due_at"] == "2026-03-02T13:00:00Z"
    assert ticket["sla_policy"]["id"] == policy.id
    assert ticket["sla_policy"]["project_id"] == project.id
    assert ticket["sla_policy"]["first_response_minutes"] == 30
    assert ticket["sla_policy"]["resolution_minutes"] == 240


async def test_a_project_sla_policy_applies_only_to_its_own_priority(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    async with database.transaction() as session:
        session.add(
            SlaPolicy(
                project_id=project.id,
                priority=Priority.HIGH,
                first_response_minutes=30,
                resolution_minutes=240,
            )
        )
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        json=_body(project_id=project.id, priority="low"),
        headers=make.auth(customer),
    )

    ticket = response.json()["ticket"]
    assert ticket["first_response_due_at"] == "2026-03-02T17:00:00Z"
    assert ticket["sla_policy"]["project_id"] is None


async def test_a_project_sla_policy_does_not_apply_to_other_projects(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    async with database.transaction() as session:
        session.add(
            SlaPolicy(
                project_id=project.id,
                priority=Priority.HIGH,
                first_response_minutes=30,
                resolution_minutes=240,
            )
        )
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(project_id=1, priority="high"), headers=make.auth(customer)
    )

    assert response.json()["ticket"]["first_response_due_at"] == "2026-03-02T10:00:00Z"


async def test_a_new_ticket_keeps_its_category_tags_and_metadata(
    client: AsyncClient, make: Factory
) -> None:
    category = await make.category("Technical Issue")
    first_tag = await make.tag()
    second_tag = await make.tag()
    customer = await make.user("customer")
    body = _body(
        category_id=category.id,
        tags=[second_tag.id, first_tag.id],
        metadata={"listing_id": "LST-00421", "browser": "Chrome 124"},
    )

    response = await client.post("/api/tickets", json=body, headers=make.auth(customer))

    assert response.status_code == 201
    ticket = response.json()["ticket"]
    assert ticket["category"]["id"] == category.id
    assert sorted(t["id"] for t in ticket["tags"]) == sorted([first_tag.id, second_tag.id])
    assert ticket["metadata"] == {"listing_id": "LST-00421", "browser": "Chrome 124"}


async def test_a_new_ticket_takes_the_customer_details_of_its_creator(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user(
        "customer", name="Tunde Adeyemi", email="tunde@gmail.test", phone="+234 800"
    )

    response = await client.post("/api/tickets", json=_body(), headers=make.auth(customer))

    ticket = response.json()["ticket"]
    assert ticket["customer_name"] == "Tunde Adeyemi"
    assert ticket["customer_email"] == "tunde@gmail.test"
    assert ticket["customer_phone"] == "+234 800"


async def test_customer_details_given_in_the_body_override_the_creators(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    body = _body(
        customer_name="Ngozi Eze", customer_email="ngozi@example.com", customer_phone="+234 801"
    )

    response = await client.post("/api/tickets", json=body, headers=make.auth(agent))

    assert response.status_code == 201
    ticket = response.json()["ticket"]
    assert ticket["customer_name"] == "Ngozi Eze"
    assert ticket["customer_email"] == "ngozi@example.com"
    assert ticket["customer_phone"] == "+234 801"


async def test_a_ticket_without_required_fields_is_refused_field_by_field(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    response = await client.post("/api/tickets", json={}, headers=make.auth(customer))

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {
            "project_id": ["The project id field is required."],
            "subject": ["The subject field is required."],
            "description": ["The description field is required."],
        },
    }
    assert await _count(database, Ticket) == 0


async def test_a_blank_subject_is_refused(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(subject="   "), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["subject"]


async def test_a_subject_over_255_characters_is_refused(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(subject="x" * 256), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json()["details"] == {
        "subject": ["The subject field must not be greater than 255 characters."]
    }


async def test_a_subject_of_255_characters_is_accepted(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(subject="x" * 255), headers=make.auth(customer)
    )

    assert response.status_code == 201
    assert response.json()["ticket"]["subject"] == "x" * 255


async def test_an_unknown_priority_is_refused(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(priority="urgent"), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json()["details"] == {"priority": ["The selected priority is invalid."]}


async def test_an_invalid_customer_email_is_refused(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(customer_email="not-an-email"), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["customer_email"]


async def test_an_unknown_project_is_refused(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(project_id=999999), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"project_id": ["The selected project id is invalid."]},
    }
    assert await _count(database, Ticket) == 0


async def test_an_inactive_project_is_refused(client: AsyncClient, make: Factory) -> None:
    project = await make.project(is_active=False)
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(project_id=project.id), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["project_id"]


async def test_an_unknown_category_is_refused(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(category_id=999999), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json()["details"] == {"category_id": ["The selected category id is invalid."]}
    assert await _count(database, Ticket) == 0


async def test_an_unknown_tag_is_refused(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    tag = await make.tag()
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_body(tags=[tag.id, 999999]), headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["tags"]
    assert await _count(database, Ticket) == 0


async def test_an_agent_creates_tickets_in_their_own_project(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])

    response = await client.post("/api/tickets", json=_body(), headers=make.auth(agent))

    assert response.status_code == 201


async def test_an_agent_cannot_create_a_ticket_in_a_project_they_are_not_assigned_to(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])

    response = await client.post(
        "/api/tickets", json=_body(project_id=project.id), headers=make.auth(agent)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["project_id"]
    assert await _count(database, Ticket) == 0


async def test_an_admin_creates_tickets_in_any_project(client: AsyncClient, make: Factory) -> None:
    project = await make.project()
    admin = await make.user("admin")

    response = await client.post(
        "/api/tickets", json=_body(project_id=project.id), headers=make.auth(admin)
    )

    assert response.status_code == 201
    assert response.json()["ticket"]["project"]["id"] == project.id


async def test_a_multipart_ticket_stores_its_attachments(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    tag = await make.tag()
    headers = make.auth(customer)
    files = [
        ("attachments[]", ("screenshot.png", b"\x89PNG fake image", "image/png")),
        ("attachments[]", ("steps.txt", b"1. open\n2. click upload\n", "text/plain")),
    ]
    form = {**_body(priority="high"), "project_id": "1", "tags[]": [str(tag.id)]}

    created = await client.post("/api/tickets", data=form, files=files, headers=headers)

    assert created.status_code == 201, created.text
    ticket = created.json()["ticket"]
    assert ticket["priority"] == "high"
    assert [t["id"] for t in ticket["tags"]] == [tag.id]
    detail = await _detail(client, ticket["id"], headers)
    listed = {a["filename"]: a for a in detail["attachments"]}
    assert set(listed) == {"screenshot.png", "steps.txt"}
    assert listed["steps.txt"]["size"] == len(b"1. open\n2. click upload\n")
    assert listed["screenshot.png"]["content_type"] == "image/png"


async def test_an_attachment_of_a_new_ticket_downloads_with_its_bytes(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)
    content = bytes(range(256)) * 4
    created = await client.post(
        "/api/tickets",
        data={**_body(), "project_id": "1"},
        files=[("attachments[]", ("dump.bin", content, "application/octet-stream"))],
        headers=headers,
    )
    assert created.status_code == 201
    [attachment] = (await _detail(client, created.json()["ticket"]["id"], headers))["attachments"]

    response = await client.get(attachment["url"], headers=headers)

    assert response.status_code == 200
    assert response.content == content


async def test_a_multipart_ticket_without_required_fields_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        data={"project_id": "1"},
        files=[("attachments[]", ("a.txt", b"a", "text/plain"))],
        headers=make.auth(customer),
    )

    assert response.status_code == 422
    assert set(response.json()["details"]) == {"subject", "description"}


async def test_a_file_over_the_size_limit_is_refused_and_nothing_is_created(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    too_large = b"x" * (1024 * 1024 + 1)

    response = await client.post(
        "/api/tickets",
        data={**_body(), "project_id": "1"},
        files=[("attachments[]", ("video.mp4", too_large, "video/mp4"))],
        headers=make.auth(customer),
    )

    assert response.status_code == 413
    assert set(response.json()) == {"error"}
    assert await _count(database, Ticket) == 0
    assert await _count(database, Attachment) == 0
    listed = await client.get("/api/tickets", headers=make.auth(customer))
    assert listed.json()["total"] == 0


async def test_a_refused_upload_does_not_use_up_a_ticket_number(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    headers = make.auth(customer)
    refused = await client.post(
        "/api/tickets",
        data={**_body(), "project_id": "1"},
        files=[("attachments[]", ("big.bin", b"x" * (1024 * 1024 + 1), "application/x"))],
        headers=headers,
    )
    assert refused.status_code == 413

    response = await client.post("/api/tickets", json=_body(), headers=headers)

    assert response.json()["ticket"]["ticket_number"] == "SUPP-2026-00001"


async def test_a_file_of_exactly_the_size_limit_is_accepted(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        data={**_body(), "project_id": "1"},
        files=[("attachments[]", ("exact.bin", b"x" * (1024 * 1024), "application/x"))],
        headers=make.auth(customer),
    )

    assert response.status_code == 201


# ====================================================================== PUT /api/tickets/{id}


async def test_updating_changes_subject_and_description(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.put(
        f"/api/tickets/{ticket.id}",
        json={"subject": "Photos fail to upload", "description": "Only on Chrome 124."},
        headers=make.auth(agent),
    )

    assert response.status_code == 200
    body = response.json()["ticket"]
    assert body["subject"] == "Photos fail to upload"
    assert body["description"] == "Only on Chrome 124."
    detail = await _detail(client, ticket.id, make.auth(customer))
    assert detail["subject"] == "Photos fail to upload"


async def test_updating_leaves_omitted_fields_untouched(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    category = await make.category()
    tag = await make.tag()
    ticket = await make.ticket(
        by=customer,
        description="Original description",
        priority=Priority.HIGH,
        category_id=category.id,
        tag_ids=[tag.id],
    )

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "New subject"}, headers=make.auth(agent)
    )

    assert response.status_code == 200
    body = response.json()["ticket"]
    assert body["subject"] == "New subject"
    assert body["description"] == "Original description"
    assert body["priority"] == "high"
    assert body["category"]["id"] == category.id
    assert [t["id"] for t in body["tags"]] == [tag.id]


async def test_updating_changes_the_category(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    old = await make.category("Billing")
    new = await make.category("Technical Issue")
    ticket = await make.ticket(by=customer, category_id=old.id)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"category_id": new.id}, headers=make.auth(agent)
    )

    assert response.status_code == 200
    assert response.json()["ticket"]["category"]["id"] == new.id
    assert (await _detail(client, ticket.id, make.auth(agent)))["category"]["id"] == new.id


async def test_updating_with_a_null_category_clears_it(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    category = await make.category()
    ticket = await make.ticket(by=customer, category_id=category.id)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"category_id": None}, headers=make.auth(agent)
    )

    assert response.status_code == 200
    assert response.json()["ticket"]["category"] is None
    assert (await _detail(client, ticket.id, make.auth(agent)))["category"] is None


async def test_updating_tags_replaces_them(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    first, second, third = await make.tag(), await make.tag(), await make.tag()
    ticket = await make.ticket(by=customer, tag_ids=[first.id, second.id])

    response = await client.put(
        f"/api/tickets/{ticket.id}",
        json={"tags": [third.id, second.id]},
        headers=make.auth(agent),
    )

    assert response.status_code == 200
    assert [t["id"] for t in response.json()["ticket"]["tags"]] == [second.id, third.id]
    detail = await _detail(client, ticket.id, make.auth(agent))
    assert [t["id"] for t in detail["tags"]] == [second.id, third.id]


async def test_updating_with_an_empty_tag_list_removes_every_tag(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    tag = await make.tag()
    ticket = await make.ticket(by=customer, tag_ids=[tag.id])

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"tags": []}, headers=make.auth(agent)
    )

    assert response.status_code == 200
    assert response.json()["ticket"]["tags"] == []


async def test_a_priority_change_is_recorded_in_the_activities(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.LOW)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"priority": "critical"}, headers=make.auth(agent)
    )

    assert response.status_code == 200
    assert response.json()["ticket"]["priority"] == "critical"
    activities = (await _detail(client, ticket.id, make.auth(agent)))["activities"]
    changes = [a for a in activities if a["action"] == "priority_changed"]
    assert len(changes) == 1
    assert changes[0]["changes"] == {"priority": ["low", "critical"]}
    assert changes[0]["user"]["id"] == agent.id


async def test_a_priority_change_recomputes_the_sla_due_dates_from_creation(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.MEDIUM)
    frozen_clock.advance(minutes=30)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"priority": "critical"}, headers=make.auth(agent)
    )

    body = response.json()["ticket"]
    assert body["first_response_due_at"] == "2026-03-02T09:15:00Z"
    assert body["resolution_due_at"] == "2026-03-02T11:00:00Z"
    assert body["sla_policy"]["priority"] == "critical"


async def test_a_priority_change_applies_the_projects_own_sla_policy(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    async with database.transaction() as session:
        session.add(
            SlaPolicy(
                project_id=project.id,
                priority=Priority.CRITICAL,
                first_response_minutes=5,
                resolution_minutes=60,
            )
        )
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id, priority=Priority.LOW)
    frozen_clock.advance(minutes=2)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"priority": "critical"}, headers=make.auth(admin)
    )

    body = response.json()["ticket"]
    assert body["first_response_due_at"] == "2026-03-02T09:05:00Z"
    assert body["resolution_due_at"] == "2026-03-02T10:00:00Z"
    assert body["sla_policy"]["project_id"] == project.id


async def test_a_customer_may_not_change_the_priority(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.LOW)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"priority": "critical"}, headers=make.auth(customer)
    )

    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    assert (await _detail(client, ticket.id, make.auth(customer)))["priority"] == "low"


async def test_updating_with_an_unknown_category_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"category_id": 999999}, headers=make.auth(agent)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["category_id"]


async def test_updating_with_an_unknown_tag_is_refused(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"tags": [999999]}, headers=make.auth(agent)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["tags"]


async def test_updating_with_a_subject_over_255_characters_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "x" * 256}, headers=make.auth(agent)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["subject"]


async def test_updating_with_an_unknown_priority_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"priority": "urgent"}, headers=make.auth(agent)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["priority"]


async def test_updating_another_customers_ticket_is_not_found(
    client: AsyncClient, make: Factory
) -> None:
    owner = await make.user("customer")
    stranger = await make.user("customer")
    ticket = await make.ticket(by=owner, subject="Original")

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "Hijacked"}, headers=make.auth(stranger)
    )

    assert response.status_code == 404
    assert (await _detail(client, ticket.id, make.auth(owner)))["subject"] == "Original"


async def test_updating_a_ticket_of_another_project_is_not_found_for_an_agent(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "Changed"}, headers=make.auth(agent)
    )

    assert response.status_code == 404


# ====================================================================== PATCH …/status


async def _set_status(
    client: AsyncClient, ticket_id: int, status: str, headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.patch(
        f"/api/tickets/{ticket_id}/status", json={"status": status}, headers=headers
    )
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


async def test_resolving_a_ticket_sets_resolved_at(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    frozen_clock.advance(hours=5)

    body = await _set_status(client, ticket.id, "resolved", make.auth(agent))

    assert body["status"] == "resolved"
    assert body["resolved_at"] == "2026-03-02T14:00:00Z"
    assert body["closed_at"] is None


async def test_closing_a_ticket_sets_closed_at(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    frozen_clock.advance(hours=1)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))
    frozen_clock.advance(hours=1)

    body = await _set_status(client, ticket.id, "closed", make.auth(agent))

    assert body["status"] == "closed"
    assert body["closed_at"] == "2026-03-02T11:00:00Z"
    assert body["resolved_at"] == "2026-03-02T10:00:00Z"


async def test_reopening_a_closed_ticket_clears_resolved_at_and_closed_at(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "closed", make.auth(agent))

    body = await _set_status(client, ticket.id, "open", make.auth(agent))

    assert body["status"] == "open"
    assert body["resolved_at"] is None
    assert body["closed_at"] is None


async def test_reopening_a_resolved_ticket_restarts_the_resolution_clock(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.HIGH)  # resolution in 8 h
    frozen_clock.advance(hours=1)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))
    frozen_clock.advance(hours=2)

    body = await _set_status(client, ticket.id, "in_progress", make.auth(agent))

    assert body["resolved_at"] is None
    assert body["resolution_due_at"] == "2026-03-02T20:00:00Z"


async def test_pending_customer_pauses_the_resolution_clock(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.HIGH)  # due 17:00
    frozen_clock.advance(hours=1)
    paused = await _set_status(client, ticket.id, "pending_customer", make.auth(agent))
    assert paused["status"] == "pending_customer"
    frozen_clock.advance(hours=2)

    resumed = await _set_status(client, ticket.id, "in_progress", make.auth(agent))

    assert resumed["resolution_due_at"] == "2026-03-02T19:00:00Z"


async def test_a_pause_does_not_move_the_first_response_due_date(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.LOW)  # first response 17:00
    await _set_status(client, ticket.id, "pending_customer", make.auth(agent))
    frozen_clock.advance(hours=3)

    resumed = await _set_status(client, ticket.id, "open", make.auth(agent))

    assert resumed["first_response_due_at"] == "2026-03-02T17:00:00Z"


async def test_on_hold_is_not_a_portal_status(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/status", json={"status": "on_hold"}, headers=make.auth(agent)
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"status": ["The selected status is invalid."]},
    }


async def test_a_status_change_without_a_status_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/status", json={}, headers=make.auth(agent)
    )

    assert response.status_code == 422
    assert response.json()["details"] == {"status": ["The status field is required."]}


async def test_a_customer_may_not_change_the_status(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/status",
        json={"status": "resolved"},
        headers=make.auth(customer),
    )

    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    assert (await _detail(client, ticket.id, make.auth(customer)))["status"] == "open"


async def test_changing_the_status_of_a_ticket_of_another_project_is_not_found(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/status", json={"status": "resolved"}, headers=make.auth(agent)
    )

    assert response.status_code == 404


# ====================================================================== PATCH …/assign


async def _assign(
    client: AsyncClient, ticket_id: int, user_id: int | None, headers: dict[str, str]
) -> Any:
    return await client.patch(
        f"/api/tickets/{ticket_id}/assign", json={"user_id": user_id}, headers=headers
    )


async def test_assigning_an_agent_of_the_project_sets_the_assignee(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent", projects=[1], name="Alice Okafor")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, agent.id, make.auth(admin))

    assert response.status_code == 200
    body = response.json()["ticket"]
    assert body["assigned_to"] == agent.id
    assert body["assignee"] == {"id": agent.id, "name": "Alice Okafor"}
    detail = await _detail(client, ticket.id, make.auth(admin))
    assert detail["assigned_to"] == agent.id


async def test_assigning_an_open_ticket_moves_it_to_in_progress(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, agent.id, make.auth(agent))

    assert response.json()["ticket"]["status"] == "in_progress"


async def test_assigning_a_ticket_waiting_on_the_customer_keeps_its_status(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "pending_customer", make.auth(agent))

    response = await _assign(client, ticket.id, agent.id, make.auth(agent))

    assert response.status_code == 200
    assert response.json()["ticket"]["status"] == "pending_customer"


async def test_an_admin_can_be_assigned(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, admin.id, make.auth(admin))

    assert response.status_code == 200
    assert response.json()["ticket"]["assigned_to"] == admin.id


async def test_assigning_null_unassigns_the_ticket(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    assert (await _assign(client, ticket.id, agent.id, make.auth(agent))).status_code == 200

    response = await _assign(client, ticket.id, None, make.auth(agent))

    assert response.status_code == 200
    body = response.json()["ticket"]
    assert body["assigned_to"] is None
    assert body["assignee"] is None
    assert body["status"] == "in_progress"
    assert (await _detail(client, ticket.id, make.auth(agent)))["assignee"] is None


async def test_an_admin_assigns_an_agent_of_another_project_who_joins_it(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    admin = await make.user("admin")
    outsider = await make.user("agent", projects=[project.id])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, outsider.id, make.auth(admin))

    assert response.status_code == 200, response.text
    detail = await _detail(client, ticket.id, make.auth(admin))
    assert detail["assignee"]["id"] == outsider.id
    as_outsider = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(outsider))
    assert as_outsider.status_code == 200


async def test_an_agent_may_not_assign_an_agent_of_another_project(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])
    outsider = await make.user("agent", projects=[project.id])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, outsider.id, make.auth(agent))

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."
    assert list(response.json()["details"]) == ["user_id"]
    detail = await _detail(client, ticket.id, make.auth(agent))
    assert (detail["assignee"], detail["status"]) == (None, "open")


async def test_assigning_a_customer_is_refused(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, customer.id, make.auth(admin))

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["user_id"]


async def test_assigning_an_inactive_agent_is_refused(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    inactive = await make.user("agent", projects=[1], is_active=False)
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, inactive.id, make.auth(admin))

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["user_id"]


async def test_assigning_an_unknown_user_is_refused(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, 999999, make.auth(admin))

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["user_id"]


async def test_assigning_without_a_user_id_is_refused(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/assign", json={}, headers=make.auth(admin)
    )

    assert response.status_code == 422
    assert response.json()["details"] == {"user_id": ["The user id field is required."]}


async def test_a_customer_may_not_assign(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await _assign(client, ticket.id, agent.id, make.auth(customer))

    assert response.status_code == 403


async def test_assigning_a_ticket_of_another_project_is_not_found(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)

    response = await _assign(client, ticket.id, agent.id, make.auth(agent))

    assert response.status_code == 404


# ====================================================================== DELETE /api/tickets/{id}


async def test_an_admin_deletes_a_ticket(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    assert response.status_code == 200
    assert response.json() == {"message": "Ticket deleted"}


async def test_a_deleted_ticket_is_not_found(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    as_admin = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(admin))
    as_customer = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(customer))

    assert as_admin.status_code == 404
    assert as_customer.status_code == 404


async def test_a_deleted_ticket_leaves_the_list(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    response = await client.get("/api/tickets", headers=make.auth(admin))

    assert response.json()["data"] == []
    assert response.json()["total"] == 0


async def test_deleting_is_a_soft_delete(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    async with database.transaction() as session:
        row = await session.get(Ticket, ticket.id)
    assert row is not None
    assert row.deleted_at is not None
    assert row.deleted_at.isoformat() == "2026-03-02T09:00:00+00:00"


async def test_deleting_a_deleted_ticket_is_not_found(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    response = await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["agent", "customer"])
async def test_only_admins_may_delete(client: AsyncClient, make: Factory, role: str) -> None:
    user = await make.user(role, projects=[1] if role == "agent" else [])
    owner = user if role == "customer" else await make.user("customer")
    ticket = await make.ticket(by=owner)

    response = await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(user))

    assert response.status_code == 403
    assert set(response.json()) == {"error"}
    assert (
        await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(user))
    ).status_code == 200


async def test_a_super_admin_may_delete(client: AsyncClient, make: Factory) -> None:
    super_admin = await make.user("super_admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(super_admin))

    assert response.status_code == 200
