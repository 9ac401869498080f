"""Tickets through the REST API: list, read, create, update, delete."""

from __future__ import annotations

from httpx import AsyncClient

from supportdesk.core.enums import Role
from tests.api.rest.conftest import Bearer, assert_error, create_ticket
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter


async def test_the_reference_example_creates_a_ticket_for_the_customer(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key("tickets:create")

    response = await client.post(
        "/api/v1/tickets",
        json={
            "subject": "Help needed",
            "description": "Detailed description of the issue",
            "customer_email": "user@example.com",
            "priority": "medium",
            "tags": ["support"],
        },
        headers=headers,
    )

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["id"].startswith("tkt_")
    assert data["subject"] == "Help needed"
    assert data["status"] == "open"
    assert data["priority"] == "medium"
    assert data["customer"]["id"].startswith("cust_")
    assert data["customer"]["email"] == "user@example.com"
    assert data["assignee"] is None
    assert data["tags"] == ["support"]
    assert data["description"] == "Detailed description of the issue"
    assert data["custom_fields"] == {}
    assert data["created_at"].endswith("Z")


async def test_a_request_without_credentials_is_401(client: AsyncClient) -> None:
    assert_error(await client.get("/api/v1/tickets"), 401, "UNAUTHORIZED")


async def test_an_invalid_key_is_401(client: AsyncClient) -> None:
    response = await client.get(
        "/api/v1/tickets", headers={"Authorization": "Bearer sdk_not-a-real-key"}
    )

    assert_error(response, 401, "UNAUTHORIZED")


async def test_a_project_key_pair_is_not_accepted(client: AsyncClient, make: Factory) -> None:
    issued = await make.api_key("project", project_id=1)
    assert issued.raw_secret is not None

    response = await client.get(
        "/api/v1/tickets",
        headers={"X-Api-Key": issued.raw_key, "X-Api-Secret": issued.raw_secret},
    )

    assert_error(response, 401, "UNAUTHORIZED")


async def test_a_key_without_the_scope_gets_403(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key("customers:list")

    assert_error(await client.get("/api/v1/tickets", headers=headers), 403, "FORBIDDEN")
    response = await client.post("/api/v1/tickets", json={"subject": "x"}, headers=headers)
    assert_error(response, 403, "FORBIDDEN")


async def test_invalid_data_is_400_with_the_failing_fields(
    client: AsyncClient, bearer: Bearer
) -> None:
    response = await client.post(
        "/api/v1/tickets",
        json={"description": "no subject", "priority": "urgent", "customer_email": "nope"},
        headers=await bearer.key(),
    )

    error = assert_error(response, 400, "BAD_REQUEST")
    assert set(error["details"]) == {"subject", "priority", "customer_email"}


async def test_a_body_that_is_not_json_is_400(client: AsyncClient, bearer: Bearer) -> None:
    headers = {**await bearer.key(), "Content-Type": "application/json"}

    response = await client.post("/api/v1/tickets", content=b"{not json", headers=headers)

    assert_error(response, 400, "BAD_REQUEST")


async def test_a_known_customer_email_reuses_the_customer(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer", email="tunde@example.com")
    headers = await bearer.key()

    data = await create_ticket(client, headers, customer_email="Tunde@Example.com")

    assert data["customer"]["id"] == f"cust_{customer.id}"
    assert data["customer"]["name"] == customer.name


async def test_existing_tags_are_reused_in_any_letter_case(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    await make.tag("Billing")
    headers = await bearer.key()

    data = await create_ticket(client, headers, tags=["billing", "new-one", "NEW-ONE"])
    tags = (await client.get("/api/v1/tags", headers=headers)).json()["data"]

    assert sorted(data["tags"]) == ["Billing", "new-one"]
    assert sorted(tag["name"] for tag in tags) == ["Billing", "new-one"]


async def test_a_customer_opens_a_ticket_as_themselves(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")

    # Another address would be refused (tests/api/portal/test_ticket_contact.py).
    data = await create_ticket(client, bearer.user(customer), customer_email=customer.email.upper())

    assert data["customer"]["id"] == f"cust_{customer.id}"
    assert data["customer"]["email"] == customer.email


async def test_a_customer_may_not_invent_tags(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/v1/tickets",
        json={"subject": "Help", "tags": ["brand-new"]},
        headers=bearer.user(customer),
    )

    assert "tags" in assert_error(response, 400, "BAD_REQUEST")["details"]


async def test_get_returns_the_ticket_with_its_description(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    created = await create_ticket(client, headers, tags=["vip"])

    response = await client.get(f"/api/v1/tickets/{created['id']}", headers=headers)

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == created["id"]
    assert data["description"] == "Detailed description"
    assert data["tags"] == ["vip"]


async def test_a_key_without_tickets_read_may_not_get_a_ticket(
    client: AsyncClient, bearer: Bearer
) -> None:
    created = await create_ticket(client, await bearer.key())

    response = await client.get(
        f"/api/v1/tickets/{created['id']}", headers=await bearer.key("tickets:list")
    )

    assert_error(response, 403, "FORBIDDEN")


async def test_malformed_and_unknown_ids_are_404(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await create_ticket(client, headers)
    row_id = created["id"].removeprefix("tkt_")

    for ticket_id in ("tkt_999999", "123", f"cust_{row_id}", "tkt_", "tkt_abc", "tkt_99999999999"):
        response = await client.get(f"/api/v1/tickets/{ticket_id}", headers=headers)
        assert_error(response, 404, "NOT_FOUND")


async def test_a_customer_does_not_see_another_customers_ticket(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    owner = await make.user("customer")
    other = await make.user("customer")
    ticket = await make.ticket(by=owner)

    response = await client.get(f"/api/v1/tickets/tkt_{ticket.id}", headers=bearer.user(other))
    listed = await client.get("/api/v1/tickets", headers=bearer.user(other))

    assert_error(response, 404, "NOT_FOUND")
    assert listed.json()["data"] == []


async def test_an_agent_sees_the_tickets_of_their_projects_only(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    other_project = await make.project()
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    mine = await make.ticket(by=customer, project_id=1)
    await make.ticket(by=customer, project_id=other_project.id)

    listed = await client.get("/api/v1/tickets", headers=bearer.user(agent))

    assert [row["id"] for row in listed.json()["data"]] == [f"tkt_{mine.id}"]
    assert listed.json()["meta"]["total"] == 1


async def test_patch_changes_status_priority_assignee_tags_and_subject(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    headers = await bearer.key()
    created = await create_ticket(client, headers, tags=["old"])

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}",
        json={
            "status": "pending",
            "priority": "high",
            "assignee_id": f"user_{agent.id}",
            "tags": ["billing", "vip"],
            "subject": "Renamed",
        },
        headers=headers,
    )

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "pending"
    assert data["priority"] == "high"
    assert data["assignee"]["id"] == f"user_{agent.id}"
    assert data["tags"] == ["billing", "vip"]
    assert data["subject"] == "Renamed"


async def test_patch_changes_the_description_and_custom_fields(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    order = await make.custom_field("Order")
    headers = await bearer.key()
    created = await create_ticket(client, headers)

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}",
        json={"description": "Steps to reproduce", "custom_fields": {str(order.id): "A-1"}},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    shown = (await client.get(f"/api/v1/tickets/{created['id']}", headers=headers)).json()
    assert shown["data"]["description"] == "Steps to reproduce"
    assert shown["data"]["custom_fields"] == {str(order.id): "A-1"}


async def test_patch_names_a_field_it_does_not_take_and_changes_nothing(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    created = await create_ticket(client, headers)

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}",
        json={"subject": "Renamed", "titel": "Typo"},
        headers=headers,
    )

    details = assert_error(response, 400, "BAD_REQUEST")["details"]
    assert details == {"titel": ["The titel field is not a field of this request."]}
    shown = await client.get(f"/api/v1/tickets/{created['id']}", headers=headers)
    assert shown.json()["data"]["subject"] == created["subject"]


async def test_patch_errors_name_the_assignee_id_field(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    headers = await bearer.key()
    created = await create_ticket(client, headers)

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}",
        json={"assignee_id": f"user_{customer.id}"},
        headers=headers,
    )

    assert set(assert_error(response, 400, "BAD_REQUEST")["details"]) == {"assignee_id"}


async def test_patch_with_only_an_assignee_moves_an_open_ticket_in_progress(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    headers = await bearer.key()
    created = await create_ticket(client, headers)

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}",
        json={"assignee_id": f"user_{agent.id}"},
        headers=headers,
    )
    unassigned = await client.patch(
        f"/api/v1/tickets/{created['id']}", json={"assignee_id": None}, headers=headers
    )

    assert response.json()["data"]["status"] == "in_progress"
    assert unassigned.json()["data"]["assignee"] is None


async def test_patch_refuses_null_for_a_required_field(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await create_ticket(client, headers)

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}", json={"status": None, "subject": None}, headers=headers
    )

    assert set(assert_error(response, 400, "BAD_REQUEST")["details"]) == {"status", "subject"}


async def test_patch_refuses_an_assignee_who_is_not_staff(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    headers = await bearer.key()
    created = await create_ticket(client, headers)

    for assignee in (f"user_{customer.id}", "not-an-id"):
        response = await client.patch(
            f"/api/v1/tickets/{created['id']}", json={"assignee_id": assignee}, headers=headers
        )
        assert_error(response, 400, "BAD_REQUEST")


async def test_a_customer_may_not_change_the_status(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.patch(
        f"/api/v1/tickets/tkt_{ticket.id}", json={"status": "closed"}, headers=bearer.user(customer)
    )

    assert_error(response, 403, "FORBIDDEN")


async def test_a_key_without_tickets_update_may_not_patch(
    client: AsyncClient, bearer: Bearer
) -> None:
    created = await create_ticket(client, await bearer.key())

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}",
        json={"subject": "x"},
        headers=await bearer.key("tickets:read"),
    )

    assert_error(response, 403, "FORBIDDEN")


async def test_patch_of_an_unknown_ticket_is_404(client: AsyncClient, bearer: Bearer) -> None:
    response = await client.patch(
        "/api/v1/tickets/tkt_424242", json={"subject": "x"}, headers=await bearer.key()
    )

    assert_error(response, 404, "NOT_FOUND")


async def test_delete_hides_the_ticket(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    created = await create_ticket(client, headers)

    response = await client.delete(f"/api/v1/tickets/{created['id']}", headers=headers)
    again = await client.get(f"/api/v1/tickets/{created['id']}", headers=headers)

    assert response.status_code == 200
    assert response.json()["data"] == {"id": created["id"], "deleted": True}
    assert_error(again, 404, "NOT_FOUND")


async def test_deleting_needs_the_delete_scope_or_an_admin(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    created = await create_ticket(client, await bearer.key())
    url = f"/api/v1/tickets/{created['id']}"

    by_key = await client.delete(url, headers=await bearer.key("tickets:read", "tickets:update"))
    by_agent = await client.delete(url, headers=bearer.user(agent))
    unknown = await client.delete("/api/v1/tickets/tkt_424242", headers=await bearer.key())

    assert_error(by_key, 403, "FORBIDDEN")
    assert_error(by_agent, 403, "FORBIDDEN")
    assert_error(unknown, 404, "NOT_FOUND")


async def test_patch_shows_the_new_updated_at(
    client: AsyncClient, bearer: Bearer, frozen_clock: FrozenClock
) -> None:
    headers = await bearer.key()
    created = await create_ticket(client, headers)
    frozen_clock.advance(hours=1)

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}", json={"priority": "low"}, headers=headers
    )

    assert created["updated_at"] == "2026-03-02T09:00:00Z"
    assert response.json()["data"]["updated_at"] == "2026-03-02T10:00:00Z"


async def test_a_list_costs_the_same_statements_whatever_its_size(
    client: AsyncClient, bearer: Bearer, make: Factory, statements: StatementCounter
) -> None:
    agent = await make.user("agent", projects=[1])
    headers = await bearer.key()

    async def cost() -> int:
        statements.start()
        response = await client.get("/api/v1/tickets", params={"limit": 100}, headers=headers)
        assert response.status_code == 200
        return statements.stop()

    for _ in range(2):
        await create_ticket(client, headers, tags=["a"], customer_email="c@example.com")
    small = await cost()
    for n in range(8):
        ticket = await create_ticket(client, headers, tags=[f"t{n}"])
        await client.patch(
            f"/api/v1/tickets/{ticket['id']}",
            json={"assignee_id": f"user_{agent.id}"},
            headers=headers,
        )
    large = await cost()

    assert small == large


async def test_a_key_assigns_an_agent_of_another_project_who_joins_it(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    other = await make.project("Elsewhere", slug="elsewhere", ticket_prefix="ELS")
    agent = await make.user("agent", projects=[other.id], name="Agent Smith")
    headers = await bearer.key("tickets:create", "tickets:update")
    created = await create_ticket(client, headers)

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}",
        json={"assignee_id": f"user_{agent.id}"},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["assignee"]["id"] == f"user_{agent.id}"
    # Now one of the project's agents: the agent sees the ticket.
    shown = await client.get(f"/api/v1/tickets/{created['id']}", headers=bearer.user(agent))
    assert shown.status_code == 200


async def test_an_agent_may_not_assign_an_agent_outside_the_tickets_project(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    other = await make.project("Elsewhere", slug="elsewhere", ticket_prefix="ELS")
    outsider = await make.user("agent", projects=[other.id])
    agent = await make.user("agent", projects=[1])
    created = await create_ticket(client, await bearer.key())

    response = await client.patch(
        f"/api/v1/tickets/{created['id']}",
        json={"assignee_id": f"user_{outsider.id}"},
        headers=bearer.user(agent),
    )

    assert set(assert_error(response, 400, "BAD_REQUEST")["details"]) == {"assignee_id"}
    shown = await client.get(f"/api/v1/tickets/{created['id']}", headers=bearer.user(outsider))
    assert shown.status_code == 404
