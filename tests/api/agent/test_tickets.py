"""GET /tickets, GET /tickets/{id}, PUT /tickets/{id}, POST /tickets/{id}/close."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select, update

from supportdesk.core.db import Database
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.models import Activity, OutboxEvent, Ticket
from tests.api.agent.conftest import URL, Agent, Desk, data_of, get
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter


async def _put(client: AsyncClient, agent: Agent, ticket_id: int, body: Any) -> Response:
    return await client.put(f"{URL}/tickets/{ticket_id}", json=body, headers=agent.headers)


async def _close(client: AsyncClient, agent: Agent, ticket_id: int) -> Response:
    return await client.post(f"{URL}/tickets/{ticket_id}/close", headers=agent.headers)


# ====================================================================== the resource


async def test_a_ticket_answers_with_the_ticket_resource_structure(
    client: AsyncClient, make: Factory, desk: Desk, frozen_clock: FrozenClock
) -> None:
    agent = await desk.agent("Agent Smith")
    department = await make.department("Technical Support", agents=[agent.user])
    category = await make.category("Account Issues")
    product = await make.product("SaaS Platform")
    bug = await make.tag("Bug", color="#e74c3c")
    browser = await make.custom_field("Browser", "text")
    customer = await make.user("customer", name="John Doe", email="john@example.test")
    frozen_clock.current = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    ticket = await desk.ticket(
        agent,
        by=customer,
        subject="Cannot access my account",
        description="I'm unable to log in...",
        priority=Priority.HIGH,
        department_id=department.id,
        category_id=category.id,
        product_id=product.id,
        tag_ids=[bug.id],
        custom_fields={str(browser.id): "Chrome 120"},
    )

    found = data_of(await get(client, agent, f"/tickets/{ticket.id}"))

    assert found == {
        "id": ticket.id,
        "reference_id": f"#{1000 + ticket.id}",
        "title": "Cannot access my account",
        "content": "I'm unable to log in...",
        "status": "in_progress",
        "priority": "high",
        "department": {"id": department.id, "name": "Technical Support"},
        "category": {"id": category.id, "name": "Account Issues"},
        "product": {"id": product.id, "name": "SaaS Platform"},
        "customer": {"id": customer.id, "name": "John Doe", "email": "john@example.test"},
        "labels": [{"id": bug.id, "name": "Bug", "color": "#e74c3c"}],
        "assigned_to": {"id": agent.user.id, "name": "Agent Smith"},
        "agents": [{"id": agent.user.id, "name": "Agent Smith"}],
        "custom_fields": [
            {"id": browser.id, "label": "Browser", "type": "text", "value": "Chrome 120"}
        ],
        "is_resolved": False,
        "is_locked": False,
        "last_reply_at": None,
        "closed_at": None,
        "created_at": "2026-03-14T09:00:00Z",
        "updated_at": found["updated_at"],
    }


async def test_a_ticket_without_relations_shows_nulls_and_empty_lists(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    found = data_of(await get(client, agent, f"/tickets/{ticket.id}"))

    assert (found["department"], found["category"], found["product"]) == (None, None, None)
    assert (found["labels"], found["custom_fields"]) == ([], [])


async def test_a_resolved_ticket_reads_as_closed_and_resolved_not_yet_closed(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent, status=TicketStatus.RESOLVED)

    found = data_of(await get(client, agent, f"/tickets/{ticket.id}"))

    assert (found["status"], found["is_resolved"], found["closed_at"]) == ("closed", True, None)


async def test_an_unknown_ticket_is_404(client: AsyncClient, agent: Agent) -> None:
    response = await get(client, agent, "/tickets/999999")

    assert response.status_code == 404
    assert response.json() == {"status": False, "message": "Ticket not found."}


async def test_a_deleted_ticket_is_404(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    ticket = await desk.ticket(agent)
    await desk.delete(ticket)

    assert (await get(client, agent, f"/tickets/{ticket.id}")).status_code == 404


async def test_malformed_ticket_ids_are_422(client: AsyncClient, agent: Agent) -> None:
    for ticket_id in ("0", "abc", str(2**40)):
        response = await get(client, agent, f"/tickets/{ticket_id}")

        assert response.status_code == 422, ticket_id
        assert response.json()["status"] is False


# ====================================================================== list


async def test_the_list_holds_the_agents_tickets_newest_first_with_meta(
    client: AsyncClient, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    first = await desk.ticket(agent, subject="First")
    frozen_clock.advance(minutes=5)
    second = await desk.ticket(agent, subject="Second")

    response = await get(client, agent, "/tickets")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] is True
    assert [t["id"] for t in body["data"]] == [second.id, first.id]
    assert body["data"][0]["title"] == "Second"
    assert body["meta"] == {"current_page": 1, "last_page": 1, "per_page": 15, "total": 2}


async def test_the_list_leaves_out_unassigned_and_other_agents_tickets(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    other = await desk.agent()
    await desk.ticket(other)
    await desk.ticket(None)
    mine = await desk.ticket(agent)

    listed = data_of(await get(client, agent, "/tickets"))

    assert [t["id"] for t in listed] == [mine.id]


async def test_the_list_pages_fifteen_at_a_time(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    for _ in range(17):
        await desk.ticket(agent)

    first = (await get(client, agent, "/tickets")).json()
    second = (await get(client, agent, "/tickets", page=2, per_page=15)).json()
    small = (await get(client, agent, "/tickets", per_page=5)).json()

    assert len(first["data"]) == 15
    assert first["meta"] == {"current_page": 1, "last_page": 2, "per_page": 15, "total": 17}
    assert len(second["data"]) == 2
    assert {t["id"] for t in first["data"]}.isdisjoint(t["id"] for t in second["data"])
    assert small["meta"]["last_page"] == 4


async def test_the_list_filters_by_status(client: AsyncClient, desk: Desk, agent: Agent) -> None:
    open_ = await desk.ticket(agent, status=TicketStatus.OPEN)
    working = await desk.ticket(agent)
    held = await desk.ticket(agent, status=TicketStatus.ON_HOLD)
    waiting = await desk.ticket(agent, status=TicketStatus.PENDING_CUSTOMER)
    closed = await desk.ticket(agent, status=TicketStatus.CLOSED)

    async def ids(status: str) -> set[int]:
        return {t["id"] for t in data_of(await get(client, agent, "/tickets", status=status))}

    assert await ids("open") == {open_.id}
    assert await ids("in_progress") == {working.id}
    assert await ids("on_hold") == {held.id, waiting.id}
    assert await ids("closed") == {closed.id}


async def test_the_list_filters_by_priority_and_department(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent
) -> None:
    billing = await make.department("Billing")
    urgent = await desk.ticket(agent, priority=Priority.CRITICAL)
    routed = await desk.ticket(agent, priority=Priority.LOW, department_id=billing.id)

    critical = data_of(await get(client, agent, "/tickets", priority="critical"))
    in_billing = data_of(await get(client, agent, "/tickets", department_id=billing.id))

    assert [t["id"] for t in critical] == [urgent.id]
    assert [t["id"] for t in in_billing] == [routed.id]


async def test_unknown_filter_values_are_422(client: AsyncClient, agent: Agent) -> None:
    for params in (
        {"status": "pending_customer"},
        {"priority": "urgent"},
        {"department_id": "x"},
        {"per_page": "0"},
        {"per_page": "101"},
        {"page": "0"},
    ):
        response = await get(client, agent, "/tickets", **params)

        assert response.status_code == 422, params
        assert response.json()["status"] is False
        assert set(response.json()["errors"]) == set(params)


async def test_a_list_costs_the_same_statements_whatever_its_length(
    client: AsyncClient,
    make: Factory,
    desk: Desk,
    agent: Agent,
    statements: StatementCounter,
    frozen_clock: FrozenClock,
) -> None:
    field = await make.custom_field("Browser")
    tag = await make.tag()
    await desk.ticket(agent, tag_ids=[tag.id], custom_fields={str(field.id): "Firefox"})
    await get(client, agent, "/tickets")  # the key's first use is written down once
    statements.start()
    await get(client, agent, "/tickets")
    with_one = statements.stop()
    for _ in range(9):
        await desk.ticket(agent, tag_ids=[tag.id], custom_fields={str(field.id): "Firefox"})

    statements.start()
    response = await get(client, agent, "/tickets")
    with_ten = statements.stop()

    assert len(data_of(response)) == 10
    assert with_ten == with_one


# ====================================================================== update


async def test_an_update_changes_status_priority_and_labels(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent
) -> None:
    bug = await make.tag("Bug", color="#e74c3c")
    vip = await make.tag("VIP")
    ticket = await desk.ticket(agent)

    response = await _put(
        client,
        agent,
        ticket.id,
        {"status": "on_hold", "priority": "critical", "labels": [vip.id, bug.id]},
    )

    updated = data_of(response)
    assert updated["status"] == "on_hold"
    assert updated["priority"] == "critical"
    assert [label["name"] for label in updated["labels"]] == ["Bug", "VIP"]
    assert data_of(await get(client, agent, f"/tickets/{ticket.id}")) == updated


async def test_an_update_leaves_out_what_it_does_not_name(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent
) -> None:
    bug = await make.tag("Bug")
    ticket = await desk.ticket(agent, priority=Priority.HIGH, tag_ids=[bug.id])

    updated = data_of(await _put(client, agent, ticket.id, {"status": "open"}))

    assert (updated["status"], updated["priority"]) == ("open", "high")
    assert [label["id"] for label in updated["labels"]] == [bug.id]


async def test_an_empty_label_list_removes_every_label(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent
) -> None:
    bug = await make.tag("Bug")
    ticket = await desk.ticket(agent, tag_ids=[bug.id])

    updated = data_of(await _put(client, agent, ticket.id, {"labels": []}))

    assert updated["labels"] == []


async def test_closing_through_an_update_sets_closed_at(
    client: AsyncClient, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    ticket = await desk.ticket(agent)

    updated = data_of(await _put(client, agent, ticket.id, {"status": "closed"}))

    assert updated["status"] == "closed"
    assert updated["closed_at"] == "2026-03-02T09:00:00Z"


async def test_an_update_is_recorded_with_the_agent_and_the_key(
    client: AsyncClient, database: Database, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    data_of(await _put(client, agent, ticket.id, {"priority": "critical"}))

    async with database.transaction() as session:
        activity = await session.scalar(
            select(Activity).where(
                Activity.ticket_id == ticket.id, Activity.action == "priority_changed"
            )
        )
        events = (
            await session.scalars(
                select(OutboxEvent.event_type).where(
                    OutboxEvent.event_type == "ticket.priority_changed"
                )
            )
        ).all()
    assert activity is not None
    assert activity.user_id == agent.user.id
    assert activity.api_key_id is not None
    assert events == ["ticket.priority_changed"]


async def test_unknown_labels_are_422_and_change_nothing(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent, priority=Priority.LOW)

    response = await _put(client, agent, ticket.id, {"priority": "high", "labels": [999999]})

    assert response.status_code == 422
    assert response.json() == {
        "status": False,
        "message": "Validation failed.",
        "errors": {"labels": ["The selected tags are invalid."]},
    }
    found = data_of(await get(client, agent, f"/tickets/{ticket.id}"))
    assert found["priority"] == "low"


async def test_each_rule_of_the_update_is_checked(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    response = await _put(
        client,
        agent,
        ticket.id,
        {"status": "resolved", "priority": "urgent", "labels": "Bug"},
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"status", "priority", "labels"}


async def test_null_is_refused_for_each_field(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    response = await _put(
        client, agent, ticket.id, {"status": None, "priority": None, "labels": None}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "status": ["The status field is required."],
        "priority": ["The priority field is required."],
        "labels": ["The labels field is required."],
    }


async def test_other_fields_of_the_internal_api_are_ignored(
    client: AsyncClient, make: Factory, desk: Desk, agent: Agent
) -> None:
    colleague = await desk.agent()
    ticket = await desk.ticket(agent)

    updated = data_of(
        await _put(client, agent, ticket.id, {"assigned_to": colleague.user.id, "is_locked": True})
    )

    assert updated["assigned_to"]["id"] == agent.user.id
    assert updated["is_locked"] is False


async def test_an_update_of_an_unknown_ticket_is_404(client: AsyncClient, agent: Agent) -> None:
    response = await _put(client, agent, 999999, {"priority": "low"})

    assert response.status_code == 404


# ====================================================================== close


async def test_closing_a_ticket_closes_it(
    client: AsyncClient, database: Database, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    ticket = await desk.ticket(agent)

    response = await _close(client, agent, ticket.id)

    closed = data_of(response)
    assert closed["id"] == ticket.id
    assert closed["status"] == "closed"
    assert closed["closed_at"] == "2026-03-02T09:00:00Z"
    async with database.transaction() as session:
        event = await session.scalar(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == "ticket.status_changed")
            .order_by(OutboxEvent.id.desc())
        )
    assert event is not None
    assert (event.payload["from"], event.payload["to"]) == ("in_progress", "closed")


async def test_closing_a_closed_ticket_is_harmless(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent, status=TicketStatus.CLOSED)

    response = await _close(client, agent, ticket.id)

    assert data_of(response)["status"] == "closed"


async def test_a_closed_ticket_counts_as_closed_today(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)

    await _close(client, agent, ticket.id)

    figures = data_of(await get(client, agent, "/dashboard"))
    assert figures["closed_today"] == 1
    assert figures["in_progress_tickets"] == 0


async def test_closing_an_unknown_ticket_is_404(client: AsyncClient, agent: Agent) -> None:
    response = await _close(client, agent, 999999)

    assert response.status_code == 404
    assert response.json()["message"] == "Ticket not found."


async def test_a_locked_ticket_still_shows_its_lock(
    client: AsyncClient, database: Database, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    async with database.transaction() as session:
        await session.execute(update(Ticket).where(Ticket.id == ticket.id).values(is_locked=True))

    found = data_of(await get(client, agent, f"/tickets/{ticket.id}"))

    assert found["is_locked"] is True
