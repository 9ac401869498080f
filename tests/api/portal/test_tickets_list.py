"""GET /api/tickets: the list of tickets a portal user may see, its filters and its pages."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from supportdesk.core.enums import Priority
from tests.factories import Factory
from tests.support import FrozenClock

LIST_ROW_KEYS = {
    "id",
    "ticket_number",
    "subject",
    "status",
    "priority",
    "reply_count",
    "project",
    "category",
    "assignee",
    "creator",
    "tags",
    "last_activity_at",
    "created_at",
}


async def _list(
    client: AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get("/api/tickets", params=params, headers=headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


def _ids(rows: list[dict[str, Any]]) -> list[int]:
    return [row["id"] for row in rows]


# ------------------------------------------------------------------ shape and pages


async def test_a_row_has_exactly_the_fields_of_the_reference(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent", projects=[1], name="Alice Okafor")
    customer = await make.user("customer", name="Tunde Adeyemi")
    category = await make.category("Technical Issue")
    tag = await make.tag("billing", color="#EF4444")
    ticket = await make.ticket(
        by=customer,
        subject="Cannot upload photos",
        priority=Priority.HIGH,
        category_id=category.id,
        tag_ids=[tag.id],
    )
    assigned = await client.patch(
        f"/api/tickets/{ticket.id}/assign", json={"user_id": agent.id}, headers=make.auth(admin)
    )
    assert assigned.status_code == 200

    [row] = await _list(client, make.auth(admin))

    assert set(row) == LIST_ROW_KEYS
    assert row["id"] == ticket.id
    assert row["ticket_number"] == "SUPP-2026-00001"
    assert row["subject"] == "Cannot upload photos"
    assert row["status"] == "in_progress"
    assert row["priority"] == "high"
    assert row["reply_count"] == 0
    assert row["project"] == {"id": 1, "name": "SupportDesk", "slug": "supportdesk"}
    assert row["category"]["id"] == category.id
    assert row["category"]["name"] == "Technical Issue"
    assert row["assignee"] == {"id": agent.id, "name": "Alice Okafor"}
    assert row["creator"] == {"id": customer.id, "name": "Tunde Adeyemi"}
    assert row["tags"] == [{"id": tag.id, "name": "billing", "color": "#EF4444"}]
    assert row["created_at"] == "2026-03-02T09:00:00Z"
    assert row["last_activity_at"] == "2026-03-02T09:00:00Z"


async def test_a_ticket_without_category_or_assignee_shows_them_as_null(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    await make.ticket(by=customer)

    [row] = await _list(client, make.auth(customer))

    assert row["category"] is None
    assert row["assignee"] is None
    assert row["tags"] == []


async def test_reply_count_counts_replies_but_not_internal_notes(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    url = f"/api/tickets/{ticket.id}/messages"
    await client.post(url, json={"body": "More details"}, headers=make.auth(customer))
    await client.post(url, json={"body": "Have you cleared your cache?"}, headers=make.auth(agent))
    await client.post(
        url, json={"body": "Looks like a CDN issue", "type": "note"}, headers=make.auth(agent)
    )

    [row] = await _list(client, make.auth(agent))

    assert row["reply_count"] == 2


async def test_last_activity_at_follows_the_latest_reply(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    frozen_clock.advance(minutes=30)
    await client.post(
        f"/api/tickets/{ticket.id}/messages",
        json={"body": "Any news?"},
        headers=make.auth(customer),
    )

    [row] = await _list(client, make.auth(customer))

    assert row["created_at"] == "2026-03-02T09:00:00Z"
    assert row["last_activity_at"] == "2026-03-02T09:30:00Z"


async def test_the_list_is_ordered_newest_first(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    oldest = await make.ticket(by=customer, subject="First")
    frozen_clock.advance(minutes=5)
    middle = await make.ticket(by=customer, subject="Second")
    frozen_clock.advance(minutes=5)
    newest = await make.ticket(by=customer, subject="Third")

    rows = await _list(client, make.auth(customer))

    assert _ids(rows) == [newest.id, middle.id, oldest.id]


async def test_the_page_meta_defaults_to_twenty_per_page(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    await make.ticket(by=customer)

    response = await client.get("/api/tickets", headers=make.auth(customer))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "current_page", "last_page", "total", "per_page"}
    assert (body["current_page"], body["last_page"], body["total"], body["per_page"]) == (
        1,
        1,
        1,
        20,
    )


async def test_an_empty_list_has_one_empty_page(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.get("/api/tickets", headers=make.auth(customer))

    assert response.status_code == 200
    assert response.json() == {
        "data": [],
        "current_page": 1,
        "last_page": 1,
        "total": 0,
        "per_page": 20,
    }


async def test_page_and_per_page_select_a_slice_of_the_list(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    created = []
    for n in range(5):
        created.append(await make.ticket(by=customer, subject=f"Ticket {n}"))
        frozen_clock.advance(minutes=1)
    newest_first = [t.id for t in reversed(created)]

    response = await client.get(
        "/api/tickets", params={"page": 2, "per_page": 2}, headers=make.auth(customer)
    )

    assert response.status_code == 200
    body = response.json()
    assert _ids(body["data"]) == newest_first[2:4]
    assert (body["current_page"], body["last_page"], body["total"], body["per_page"]) == (
        2,
        3,
        5,
        2,
    )


async def test_a_page_past_the_last_is_empty_but_keeps_the_total(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    await make.ticket(by=customer)

    response = await client.get("/api/tickets", params={"page": 3}, headers=make.auth(customer))

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == []
    assert (body["current_page"], body["last_page"], body["total"]) == (3, 1, 1)


async def test_per_page_of_one_hundred_is_accepted(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.get(
        "/api/tickets", params={"per_page": 100}, headers=make.auth(customer)
    )

    assert response.status_code == 200
    assert response.json()["per_page"] == 100


async def test_per_page_over_one_hundred_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.get(
        "/api/tickets", params={"per_page": 101}, headers=make.auth(customer)
    )

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "Validation failed."
    assert list(body["details"]) == ["per_page"]
    assert body["details"]["per_page"] == ["The per page field must not be greater than 100."]


async def test_page_zero_is_a_validation_error(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.get("/api/tickets", params={"page": 0}, headers=make.auth(customer))

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."
    assert "page" in response.json()["details"]


async def test_a_non_numeric_page_is_a_validation_error(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.get("/api/tickets", params={"page": "two"}, headers=make.auth(customer))

    assert response.status_code == 422
    assert response.json()["details"] == {"page": ["The page field must be an integer."]}


# ------------------------------------------------------------------ visibility


async def test_a_customer_lists_only_their_own_tickets(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    other = await make.user("customer")
    own = await make.ticket(by=customer)
    await make.ticket(by=other)

    rows = await _list(client, make.auth(customer))

    assert _ids(rows) == [own.id]


async def test_an_agent_lists_only_the_tickets_of_their_projects(
    client: AsyncClient, make: Factory
) -> None:
    other_project = await make.project()
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    mine = await make.ticket(by=customer, project_id=1)
    await make.ticket(by=customer, project_id=other_project.id)

    rows = await _list(client, make.auth(agent))

    assert _ids(rows) == [mine.id]


async def test_an_admin_lists_the_tickets_of_every_project(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    other_project = await make.project()
    admin = await make.user("admin")
    customer = await make.user("customer")
    first = await make.ticket(by=customer, project_id=1)
    frozen_clock.advance(minutes=1)
    second = await make.ticket(by=customer, project_id=other_project.id)

    rows = await _list(client, make.auth(admin))

    assert _ids(rows) == [second.id, first.id]


async def test_a_deleted_ticket_leaves_the_list(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    kept = await make.ticket(by=customer)
    deleted = await make.ticket(by=customer)
    response = await client.delete(f"/api/tickets/{deleted.id}", headers=make.auth(admin))
    assert response.status_code == 200

    assert _ids(await _list(client, make.auth(admin))) == [kept.id]
    assert _ids(await _list(client, make.auth(customer))) == [kept.id]


async def test_the_status_filter_keeps_tickets_of_that_status(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    resolved = await make.ticket(by=customer)
    await make.ticket(by=customer)
    changed = await client.patch(
        f"/api/tickets/{resolved.id}/status", json={"status": "resolved"}, headers=make.auth(admin)
    )
    assert changed.status_code == 200

    rows = await _list(client, make.auth(admin), status="resolved")

    assert _ids(rows) == [resolved.id]
    assert rows[0]["status"] == "resolved"


async def test_the_priority_filter_keeps_tickets_of_that_priority(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    critical = await make.ticket(by=customer, priority=Priority.CRITICAL)
    await make.ticket(by=customer, priority=Priority.LOW)

    rows = await _list(client, make.auth(customer), priority="critical")

    assert _ids(rows) == [critical.id]


async def test_the_project_filter_narrows_an_admins_list(
    client: AsyncClient, make: Factory
) -> None:
    other_project = await make.project()
    admin = await make.user("admin")
    customer = await make.user("customer")
    await make.ticket(by=customer, project_id=1)
    elsewhere = await make.ticket(by=customer, project_id=other_project.id)

    rows = await _list(client, make.auth(admin), project_id=other_project.id)

    assert _ids(rows) == [elsewhere.id]
    assert rows[0]["project"]["id"] == other_project.id


async def test_the_project_filter_is_ignored_for_agents(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    other_project = await make.project()
    agent = await make.user("agent", projects=[1, other_project.id])
    customer = await make.user("customer")
    first = await make.ticket(by=customer, project_id=1)
    frozen_clock.advance(minutes=1)
    second = await make.ticket(by=customer, project_id=other_project.id)

    rows = await _list(client, make.auth(agent), project_id=other_project.id)

    assert _ids(rows) == [second.id, first.id]


async def test_the_project_filter_is_ignored_for_customers(
    client: AsyncClient, make: Factory
) -> None:
    other_project = await make.project()
    customer = await make.user("customer")
    own = await make.ticket(by=customer, project_id=1)

    rows = await _list(client, make.auth(customer), project_id=other_project.id)

    assert _ids(rows) == [own.id]


async def test_the_assigned_to_filter_keeps_tickets_of_that_agent(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    alice = await make.user("agent", projects=[1])
    bob = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    for_alice = await make.ticket(by=customer)
    for_bob = await make.ticket(by=customer)
    await make.ticket(by=customer)
    for ticket, agent in ((for_alice, alice), (for_bob, bob)):
        response = await client.patch(
            f"/api/tickets/{ticket.id}/assign", json={"user_id": agent.id}, headers=make.auth(admin)
        )
        assert response.status_code == 200

    rows = await _list(client, make.auth(admin), assigned_to=alice.id)

    assert _ids(rows) == [for_alice.id]
    assert rows[0]["assignee"]["id"] == alice.id


async def test_the_unassigned_filter_keeps_tickets_without_an_assignee(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    assigned = await make.ticket(by=customer)
    unassigned = await make.ticket(by=customer)
    response = await client.patch(
        f"/api/tickets/{assigned.id}/assign", json={"user_id": agent.id}, headers=make.auth(admin)
    )
    assert response.status_code == 200

    rows = await _list(client, make.auth(admin), unassigned="true")

    assert _ids(rows) == [unassigned.id]


async def test_the_overdue_filter_keeps_tickets_past_their_first_response_due_date(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    critical = await make.ticket(by=customer, priority=Priority.CRITICAL)  # due in 15 min
    await make.ticket(by=customer, priority=Priority.LOW)  # due in 8 h
    assert await _list(client, make.auth(admin), overdue="true") == []

    frozen_clock.advance(minutes=16)
    rows = await _list(client, make.auth(admin), overdue="true")

    assert _ids(rows) == [critical.id]


async def test_a_ticket_answered_in_time_is_not_overdue_for_first_response(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.CRITICAL)
    frozen_clock.advance(minutes=10)
    replied = await client.post(
        f"/api/tickets/{ticket.id}/messages", json={"body": "On it"}, headers=make.auth(agent)
    )
    assert replied.status_code == 201

    frozen_clock.advance(minutes=10)
    rows = await _list(client, make.auth(agent), overdue="true")

    assert rows == []


async def test_the_overdue_filter_keeps_tickets_past_their_resolution_due_date(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    late = await make.ticket(by=customer, priority=Priority.HIGH)  # resolution due 17:00
    in_time = await make.ticket(by=customer, priority=Priority.LOW)  # resolution in 80 h
    frozen_clock.advance(minutes=10)
    for ticket in (late, in_time):
        replied = await client.post(
            f"/api/tickets/{ticket.id}/messages", json={"body": "On it"}, headers=make.auth(agent)
        )
        assert replied.status_code == 201

    frozen_clock.advance(hours=7, minutes=51)  # 17:01
    rows = await _list(client, make.auth(agent), overdue="true")

    assert _ids(rows) == [late.id]


async def test_a_ticket_waiting_on_the_customer_is_not_overdue_for_resolution(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, priority=Priority.HIGH)  # resolution due 17:00
    url = f"/api/tickets/{ticket.id}"
    await client.post(f"{url}/messages", json={"body": "Need info"}, headers=make.auth(agent))
    await client.patch(
        f"{url}/status", json={"status": "pending_customer"}, headers=make.auth(agent)
    )

    frozen_clock.advance(hours=9)
    rows = await _list(client, make.auth(agent), overdue="true")

    assert rows == []


async def test_search_finds_tickets_by_subject(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    match = await make.ticket(by=customer, subject="Cannot upload photos")
    await make.ticket(by=customer, subject="Invoice is wrong")

    rows = await _list(client, make.auth(customer), search="upload")

    assert _ids(rows) == [match.id]


async def test_search_matches_a_word_typed_halfway(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    match = await make.ticket(by=customer, subject="Cannot upload photos")
    await make.ticket(by=customer, subject="Invoice is wrong")

    rows = await _list(client, make.auth(customer), search="upl")

    assert _ids(rows) == [match.id]


async def test_search_with_punctuation_only_matches_literally(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    match = await make.ticket(by=customer, subject="Error: (500) & crash!")
    await make.ticket(by=customer, subject="Invoice is wrong")

    rows = await _list(client, make.auth(customer), search="(500) &")

    assert _ids(rows) == [match.id]


async def test_search_finds_a_ticket_by_its_number(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    await make.ticket(by=customer, subject="First")
    second = await make.ticket(by=customer, subject="Second")

    rows = await _list(client, make.auth(customer), search=second.ticket_number)

    assert _ids(rows) == [second.id]


async def test_search_finds_tickets_by_the_start_of_a_number_in_any_case(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    first = await make.ticket(by=customer)
    second = await make.ticket(by=customer)

    rows = await _list(client, make.auth(customer), search=first.ticket_number[:-1].lower())

    assert _ids(rows) == [second.id, first.id]


async def test_search_finds_tickets_by_the_start_of_an_email(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user("admin")
    tunde = await make.user("customer", email="Tunde.Bakare@gmail.test")
    match = await make.ticket(by=tunde)

    rows = await _list(client, make.auth(admin), search="tunde.bakare@")

    assert _ids(rows) == [match.id]


async def test_search_finds_tickets_by_customer_email(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")
    tunde = await make.user("customer", email="tunde@gmail.test")
    other = await make.user("customer", email="someone@else.test")
    match = await make.ticket(by=tunde)
    await make.ticket(by=other)

    rows = await _list(client, make.auth(admin), search="tunde@gmail.test")

    assert _ids(rows) == [match.id]


async def test_search_takes_wildcards_literally(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    await make.ticket(by=customer, subject="Cannot upload photos")

    rows = await _list(client, make.auth(customer), search="%")

    assert rows == []


async def test_a_blank_search_is_ignored(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    rows = await _list(client, make.auth(customer), search="   ")

    assert _ids(rows) == [ticket.id]


async def test_search_stays_within_the_callers_view(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    other = await make.user("customer")
    await make.ticket(by=other, subject="Cannot upload photos")

    rows = await _list(client, make.auth(customer), search="upload")

    assert rows == []


async def test_filters_combine(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")
    wanted = await make.ticket(by=customer, subject="Upload fails", priority=Priority.HIGH)
    await make.ticket(by=customer, subject="Upload fails", priority=Priority.LOW)
    await make.ticket(by=customer, subject="Invoice", priority=Priority.HIGH)

    rows = await _list(client, make.auth(customer), search="upload", priority="high")

    assert _ids(rows) == [wanted.id]


async def test_an_unknown_status_is_a_validation_error(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.get(
        "/api/tickets", params={"status": "bogus"}, headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"status": ["The selected status is invalid."]},
    }


async def test_on_hold_is_not_a_portal_status_filter(client: AsyncClient, make: Factory) -> None:
    customer = await make.user("customer")

    response = await client.get(
        "/api/tickets", params={"status": "on_hold"}, headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert "status" in response.json()["details"]


async def test_an_unknown_priority_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.get(
        "/api/tickets", params={"priority": "urgent"}, headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"priority": ["The selected priority is invalid."]},
    }


async def test_a_non_boolean_unassigned_is_a_validation_error(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")

    response = await client.get(
        "/api/tickets", params={"unassigned": "maybe"}, headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json()["details"] == {
        "unassigned": ["The unassigned field must be true or false."]
    }
