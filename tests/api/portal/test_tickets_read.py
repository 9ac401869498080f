"""GET /api/tickets/{id}: the full ticket, as far as the caller may see it."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from supportdesk.core.enums import Priority
from tests.factories import Factory
from tests.support import FrozenClock

DETAIL_KEYS = {
    "id",
    "ticket_number",
    "subject",
    "description",
    "status",
    "priority",
    "source",
    "customer_name",
    "customer_email",
    "customer_phone",
    "assigned_to",
    "project",
    "category",
    "creator",
    "assignee",
    "tags",
    "metadata",
    "is_locked",
    "sla_policy",
    "first_response_due_at",
    "resolution_due_at",
    "first_responded_at",
    "first_response_breached",
    "resolution_breached",
    "sla_clocks",
    "resolved_at",
    "closed_at",
    "last_activity_at",
    "created_at",
    "updated_at",
    "messages",
    "attachments",
    "activities",
    "watchers",
    "rating",
}


async def _detail(client: AsyncClient, ticket_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"/api/tickets/{ticket_id}", headers=headers)
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


async def test_the_detail_carries_every_field_of_the_reference(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer", name="Tunde Adeyemi", email="tunde@gmail.test")
    category = await make.category("Technical Issue")
    tag = await make.tag("uploads")
    ticket = await make.ticket(
        by=customer,
        subject="Cannot upload photos",
        description="Full description...",
        priority=Priority.HIGH,
        category_id=category.id,
        tag_ids=[tag.id],
        metadata={"browser": "Chrome 124"},
    )

    detail = await _detail(client, ticket.id, make.auth(customer))

    assert set(detail) == DETAIL_KEYS
    assert detail["id"] == ticket.id
    assert detail["ticket_number"] == "SUPP-2026-00001"
    assert detail["subject"] == "Cannot upload photos"
    assert detail["description"] == "Full description..."
    assert detail["status"] == "open"
    assert detail["priority"] == "high"
    assert detail["source"] == "portal"
    assert detail["customer_name"] == "Tunde Adeyemi"
    assert detail["customer_email"] == "tunde@gmail.test"
    assert detail["project"] == {"id": 1, "name": "SupportDesk", "slug": "supportdesk"}
    assert detail["category"]["id"] == category.id
    assert detail["creator"] == {"id": customer.id, "name": "Tunde Adeyemi"}
    assert detail["assignee"] is None
    assert detail["assigned_to"] is None
    assert [t["id"] for t in detail["tags"]] == [tag.id]
    assert detail["metadata"] == {"browser": "Chrome 124"}
    assert detail["is_locked"] is False
    assert detail["first_response_due_at"] == "2026-03-02T10:00:00Z"
    assert detail["resolution_due_at"] == "2026-03-02T17:00:00Z"
    assert detail["first_responded_at"] is None
    assert detail["first_response_breached"] is False
    assert detail["resolution_breached"] is False
    assert detail["resolved_at"] is None
    assert detail["closed_at"] is None
    assert detail["created_at"] == "2026-03-02T09:00:00Z"
    assert detail["messages"] == []
    assert detail["attachments"] == []
    assert detail["watchers"] == []
    assert detail["rating"] is None


async def test_the_detail_names_the_sla_policy_applied(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.CRITICAL)

    detail = await _detail(client, ticket.id, make.auth(customer))

    policy = detail["sla_policy"]
    assert policy["project_id"] is None
    assert policy["priority"] == "critical"
    assert policy["first_response_minutes"] == 15
    assert policy["resolution_minutes"] == 120


async def test_the_detail_lists_the_activities_of_the_ticket(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin", name="Support Admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await client.patch(
        f"/api/tickets/{ticket.id}/status", json={"status": "resolved"}, headers=make.auth(admin)
    )

    detail = await _detail(client, ticket.id, make.auth(admin))

    actions = [(a["action"], a["user"]["id"] if a["user"] else None) for a in detail["activities"]]
    assert actions == [("created", customer.id), ("status_changed", admin.id)]
    assert detail["activities"][1]["changes"] == {"status": ["open", "resolved"]}
    assert detail["activities"][1]["user"] == {"id": admin.id, "name": "Support Admin"}


async def test_the_detail_lists_replies_oldest_first_with_their_authors(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1], name="Alice Okafor")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    url = f"/api/tickets/{ticket.id}/messages"
    frozen_clock.advance(minutes=5)
    await client.post(url, json={"body": "Have you cleared your cache?"}, headers=make.auth(agent))
    frozen_clock.advance(minutes=5)
    await client.post(url, json={"body": "Yes, still broken"}, headers=make.auth(customer))

    detail = await _detail(client, ticket.id, make.auth(customer))

    messages = detail["messages"]
    assert [m["body"] for m in messages] == ["Have you cleared your cache?", "Yes, still broken"]
    assert messages[0]["user"] == {"id": agent.id, "name": "Alice Okafor"}
    assert messages[0]["type"] == "reply"
    assert messages[0]["is_first_response"] is True
    assert messages[0]["created_at"] == "2026-03-02T09:05:00Z"
    assert messages[1]["is_first_response"] is False


async def test_staff_see_internal_notes_in_the_detail(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await client.post(
        f"/api/tickets/{ticket.id}/messages",
        json={"body": "Customer is on the legacy plan", "type": "note"},
        headers=make.auth(agent),
    )

    detail = await _detail(client, ticket.id, make.auth(agent))

    assert [(m["type"], m["body"]) for m in detail["messages"]] == [
        ("note", "Customer is on the legacy plan")
    ]


async def test_the_customer_never_sees_internal_notes(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    url = f"/api/tickets/{ticket.id}/messages"
    await client.post(url, json={"body": "We are looking into it"}, headers=make.auth(agent))
    await client.post(
        url, json={"body": "Refund if this drags on", "type": "note"}, headers=make.auth(agent)
    )

    detail = await _detail(client, ticket.id, make.auth(customer))

    assert [m["body"] for m in detail["messages"]] == ["We are looking into it"]


async def test_the_customer_never_sees_internal_notes_in_the_activities(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    url = f"/api/tickets/{ticket.id}/messages"
    await client.post(url, json={"body": "We are looking into it"}, headers=make.auth(agent))
    await client.post(url, json={"body": "Staff only", "type": "note"}, headers=make.auth(agent))

    as_customer = await _detail(client, ticket.id, make.auth(customer))
    as_agent = await _detail(client, ticket.id, make.auth(agent))

    assert len(as_agent["activities"]) == 3
    assert len(as_customer["activities"]) == 2
    assert not any("note" in a["description"].lower() for a in as_customer["activities"])


async def test_the_customer_never_sees_attachments_of_internal_notes(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    url = f"/api/tickets/{ticket.id}/messages"
    await client.post(
        url,
        data={"body": "Screenshot for the customer"},
        files=[("attachments[]", ("public.png", b"public bytes", "image/png"))],
        headers=make.auth(agent),
    )
    await client.post(
        url,
        data={"body": "Server log", "type": "note"},
        files=[("attachments[]", ("server.log", b"secret bytes", "text/plain"))],
        headers=make.auth(agent),
    )

    as_customer = await _detail(client, ticket.id, make.auth(customer))
    as_agent = await _detail(client, ticket.id, make.auth(agent))

    assert [a["filename"] for a in as_customer["attachments"]] == ["public.png"]
    assert [a["filename"] for a in as_agent["attachments"]] == ["public.png", "server.log"]


async def test_the_detail_lists_watchers(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1], name="Alice Okafor")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    watched = await client.post(f"/api/tickets/{ticket.id}/watch", headers=make.auth(agent))
    assert watched.json() == {"watching": True}

    detail = await _detail(client, ticket.id, make.auth(agent))

    assert detail["watchers"] == [{"id": agent.id, "name": "Alice Okafor"}]


async def test_the_detail_shows_the_rating(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await client.patch(
        f"/api/tickets/{ticket.id}/status", json={"status": "resolved"}, headers=make.auth(admin)
    )
    rated = await client.post(
        f"/api/tickets/{ticket.id}/rating",
        json={"score": 5, "comment": "Great support!"},
        headers=make.auth(customer),
    )
    assert rated.status_code == 201

    detail = await _detail(client, ticket.id, make.auth(customer))

    assert detail["rating"]["score"] == 5
    assert detail["rating"]["comment"] == "Great support!"


async def test_an_agent_reads_tickets_of_their_project(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    detail = await _detail(client, ticket.id, make.auth(agent))

    assert detail["id"] == ticket.id


async def test_an_admin_reads_any_ticket(client: AsyncClient, make: Factory) -> None:
    project = await make.project()
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)

    detail = await _detail(client, ticket.id, make.auth(admin))

    assert detail["project"]["id"] == project.id


async def test_another_customers_ticket_is_not_found(client: AsyncClient, make: Factory) -> None:
    owner = await make.user("customer")
    stranger = await make.user("customer")
    ticket = await make.ticket(by=owner)

    response = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(stranger))

    assert response.status_code == 404
    assert set(response.json()) == {"error"}


async def test_a_ticket_of_another_project_is_not_found_for_an_agent(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)

    response = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(agent))

    assert response.status_code == 404


async def test_a_non_numeric_ticket_id_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.get("/api/tickets/abc", headers=make.auth(customer))

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."


async def _attach_reply(
    client: AsyncClient, ticket_id: int, headers: dict[str, str], *, note: bool = False
) -> dict[str, Any]:
    data = {"body": "See the attached file"}
    if note:
        data["type"] = "note"
    response = await client.post(
        f"/api/tickets/{ticket_id}/messages",
        data=data,
        files=[("attachments[]", ("trace.txt", b"stack trace bytes", "text/plain"))],
        headers=headers,
    )
    assert response.status_code == 201, response.text
    attachment: dict[str, Any] = response.json()["message"]["attachments"][0]
    return attachment


async def test_the_ticket_owner_downloads_an_attachment(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    attachment = await _attach_reply(client, ticket.id, make.auth(customer))

    response = await client.get(attachment["url"], headers=make.auth(customer))

    assert attachment["url"] == f"/api/attachments/{attachment['id']}"
    assert response.status_code == 200
    assert response.content == b"stack trace bytes"
    assert response.headers["content-type"].startswith("text/plain")
    assert "trace.txt" in response.headers["content-disposition"]


async def test_an_agent_of_the_project_downloads_a_customers_attachment(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    attachment = await _attach_reply(client, ticket.id, make.auth(customer))

    response = await client.get(f"/api/attachments/{attachment['id']}", headers=make.auth(agent))

    assert response.status_code == 200
    assert response.content == b"stack trace bytes"


async def test_another_customer_cannot_download_an_attachment(
    client: AsyncClient, make: Factory
) -> None:
    owner = await make.user("customer")
    stranger = await make.user("customer")
    ticket = await make.ticket(by=owner)
    attachment = await _attach_reply(client, ticket.id, make.auth(owner))

    response = await client.get(f"/api/attachments/{attachment['id']}", headers=make.auth(stranger))

    assert response.status_code == 404
    assert set(response.json()) == {"error"}


async def test_an_agent_of_another_project_cannot_download_an_attachment(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    outsider = await make.user("agent", projects=[project.id])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    attachment = await _attach_reply(client, ticket.id, make.auth(customer))

    response = await client.get(f"/api/attachments/{attachment['id']}", headers=make.auth(outsider))

    assert response.status_code == 404


async def test_an_attachment_of_an_internal_note_is_not_found_for_the_customer(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    attachment = await _attach_reply(client, ticket.id, make.auth(agent), note=True)

    as_customer = await client.get(
        f"/api/attachments/{attachment['id']}", headers=make.auth(customer)
    )
    as_agent = await client.get(f"/api/attachments/{attachment['id']}", headers=make.auth(agent))

    assert as_customer.status_code == 404
    assert as_agent.status_code == 200
    assert as_agent.content == b"stack trace bytes"


async def test_an_attachment_of_a_deleted_ticket_is_not_found(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    attachment = await _attach_reply(client, ticket.id, make.auth(customer))
    deleted = await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))
    assert deleted.status_code == 200

    response = await client.get(f"/api/attachments/{attachment['id']}", headers=make.auth(admin))

    assert response.status_code == 404
