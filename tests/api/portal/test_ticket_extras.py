"""Ratings, watching, the audit trail and outbox behind every change, and bad requests."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.core.db import Database
from supportdesk.models import Activity, OutboxEvent, Rating, Ticket, Watcher
from tests.factories import Factory
from tests.support import FrozenClock


async def _set_status(
    client: AsyncClient, ticket_id: int, status: str, headers: dict[str, str]
) -> None:
    response = await client.patch(
        f"/api/tickets/{ticket_id}/status", json={"status": status}, headers=headers
    )
    assert response.status_code == 200, response.text


async def _count(database: Database, model: type, *where: Any) -> int:
    async with database.transaction() as session:
        statement = select(func.count()).select_from(model).where(*where)
        return int(await session.scalar(statement) or 0)


async def _activities(database: Database, ticket_id: int) -> list[Activity]:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(Activity).where(Activity.ticket_id == ticket_id).order_by(Activity.id)
        )
        return list(rows)


async def _events(database: Database) -> list[OutboxEvent]:
    async with database.transaction() as session:
        return list(await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


# ====================================================================== rating


async def test_a_customer_rates_their_resolved_ticket(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))

    response = await client.post(
        f"/api/tickets/{ticket.id}/rating",
        json={"score": 5, "comment": "Great support!"},
        headers=make.auth(customer),
    )

    assert response.status_code == 201
    assert response.json() == {
        "rating": {"score": 5, "comment": "Great support!", "created_at": "2026-03-02T09:00:00Z"}
    }


async def test_a_closed_ticket_can_be_rated(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "closed", make.auth(agent))

    response = await client.post(
        f"/api/tickets/{ticket.id}/rating", json={"score": 3}, headers=make.auth(customer)
    )

    assert response.status_code == 201
    assert response.json()["rating"]["score"] == 3
    assert response.json()["rating"]["comment"] is None


@pytest.mark.parametrize("status", ["open", "in_progress", "pending_customer"])
async def test_an_unfinished_ticket_cannot_be_rated(
    client: AsyncClient, make: Factory, database: Database, status: str
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    if status != "open":
        await _set_status(client, ticket.id, status, make.auth(agent))

    response = await client.post(
        f"/api/tickets/{ticket.id}/rating", json={"score": 4}, headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert response.json()["error"] == "Validation failed."
    assert "score" in response.json()["details"]
    assert await _count(database, Rating) == 0


async def test_a_ticket_is_rated_once_only(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))
    url = f"/api/tickets/{ticket.id}/rating"
    first = await client.post(url, json={"score": 5}, headers=make.auth(customer))
    assert first.status_code == 201

    second = await client.post(url, json={"score": 1}, headers=make.auth(customer))

    assert second.status_code == 409
    assert set(second.json()) == {"error"}
    detail = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(customer))
    assert detail.json()["ticket"]["rating"]["score"] == 5
    assert await _count(database, Rating) == 1


@pytest.mark.parametrize("score", [0, 6, -1])
async def test_a_score_outside_one_to_five_is_refused(
    client: AsyncClient, make: Factory, score: int
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))

    response = await client.post(
        f"/api/tickets/{ticket.id}/rating", json={"score": score}, headers=make.auth(customer)
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["score"]


async def test_a_rating_without_a_score_is_refused(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))

    response = await client.post(
        f"/api/tickets/{ticket.id}/rating",
        json={"comment": "No stars"},
        headers=make.auth(customer),
    )

    assert response.status_code == 422
    assert response.json()["details"] == {"score": ["The score field is required."]}


async def test_an_agent_may_not_rate(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))

    response = await client.post(
        f"/api/tickets/{ticket.id}/rating", json={"score": 5}, headers=make.auth(agent)
    )

    assert response.status_code == 403


async def test_rating_another_customers_ticket_is_not_found(
    client: AsyncClient, make: Factory
) -> None:
    agent = await make.user("agent", projects=[1])
    owner = await make.user("customer")
    stranger = await make.user("customer")
    ticket = await make.ticket(by=owner)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))

    response = await client.post(
        f"/api/tickets/{ticket.id}/rating", json={"score": 1}, headers=make.auth(stranger)
    )

    assert response.status_code == 404


# ====================================================================== watch


async def test_watching_toggles_on_and_off(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    url = f"/api/tickets/{ticket.id}/watch"

    first = await client.post(url, headers=make.auth(agent))
    second = await client.post(url, headers=make.auth(agent))
    third = await client.post(url, headers=make.auth(agent))

    assert (first.status_code, first.json()) == (200, {"watching": True})
    assert (second.status_code, second.json()) == (200, {"watching": False})
    assert (third.status_code, third.json()) == (200, {"watching": True})


async def test_unwatching_removes_the_watcher(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    url = f"/api/tickets/{ticket.id}/watch"
    await client.post(url, headers=make.auth(agent))

    await client.post(url, headers=make.auth(agent))

    detail = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(agent))
    assert detail.json()["ticket"]["watchers"] == []
    assert await _count(database, Watcher) == 0


async def test_each_user_watches_for_themselves(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    url = f"/api/tickets/{ticket.id}/watch"
    await client.post(url, headers=make.auth(agent))

    response = await client.post(url, headers=make.auth(customer))

    assert response.json() == {"watching": True}
    detail = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(agent))
    assert {w["id"] for w in detail.json()["ticket"]["watchers"]} == {agent.id, customer.id}


async def test_watching_another_customers_ticket_is_not_found(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    owner = await make.user("customer")
    stranger = await make.user("customer")
    ticket = await make.ticket(by=owner)

    response = await client.post(f"/api/tickets/{ticket.id}/watch", headers=make.auth(stranger))

    assert response.status_code == 404
    assert await _count(database, Watcher) == 0


async def test_watching_a_ticket_of_another_project_is_not_found_for_an_agent(
    client: AsyncClient, make: Factory
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, project_id=project.id)

    response = await client.post(f"/api/tickets/{ticket.id}/watch", headers=make.auth(agent))

    assert response.status_code == 404


# ====================================================================== audit trail and outbox


async def test_creating_a_ticket_writes_one_activity_and_one_event(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets",
        json={"project_id": 1, "subject": "Audit me", "description": "Please"},
        headers=make.auth(customer),
    )

    ticket = response.json()["ticket"]
    [activity] = await _activities(database, ticket["id"])
    assert (activity.action, activity.user_id) == ("created", customer.id)
    [event] = await _events(database)
    assert event.event_type == "ticket.created"
    assert event.payload["ticket_id"] == ticket["id"]
    assert event.payload["ticket_number"] == ticket["ticket_number"]
    assert event.published_at is None


async def test_a_status_change_writes_one_activity_and_one_event(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    before = len(await _events(database))

    await _set_status(client, ticket.id, "resolved", make.auth(agent))

    activities = await _activities(database, ticket.id)
    assert [a.action for a in activities] == ["created", "status_changed"]
    assert activities[-1].user_id == agent.id
    assert activities[-1].changes == {"status": ["open", "resolved"]}
    new_events = (await _events(database))[before:]
    assert [e.event_type for e in new_events] == ["ticket.status_changed"]
    assert new_events[0].payload["from"] == "open"
    assert new_events[0].payload["to"] == "resolved"
    assert new_events[0].payload["ticket_id"] == ticket.id


async def test_a_reply_writes_one_activity_and_one_event(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    before = len(await _events(database))

    response = await client.post(
        f"/api/tickets/{ticket.id}/messages", json={"body": "On it"}, headers=make.auth(agent)
    )

    message_id = response.json()["message"]["id"]
    activities = await _activities(database, ticket.id)
    assert [a.action for a in activities] == ["created", "message_added"]
    assert activities[-1].user_id == agent.id
    new_events = (await _events(database))[before:]
    assert [e.event_type for e in new_events] == ["ticket.replied"]
    assert new_events[0].payload["message_id"] == message_id
    assert new_events[0].payload["sender_type"] == "staff"


async def test_an_internal_note_is_announced_as_a_note_not_a_reply(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    before = len(await _events(database))

    await client.post(
        f"/api/tickets/{ticket.id}/messages",
        json={"body": "Staff only", "type": "note"},
        headers=make.auth(agent),
    )

    assert [e.event_type for e in (await _events(database))[before:]] == ["ticket.note_added"]
    last = (await _activities(database, ticket.id))[-1]
    assert (last.action, last.description) == ("note_added", "Added an internal note")


async def test_a_customer_reply_that_reopens_records_the_reply_and_the_status_change(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "resolved", make.auth(agent))
    before = len(await _events(database))

    await client.post(
        f"/api/tickets/{ticket.id}/messages", json={"body": "Again"}, headers=make.auth(customer)
    )

    new_events = [e.event_type for e in (await _events(database))[before:]]
    assert new_events == ["ticket.replied", "ticket.status_changed"]
    last = (await _activities(database, ticket.id))[-1]
    assert (last.action, last.changes) == ("status_changed", {"status": ["resolved", "open"]})


async def test_assigning_records_the_assignment_and_the_move_to_in_progress(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    before = len(await _events(database))

    await client.patch(
        f"/api/tickets/{ticket.id}/assign", json={"user_id": agent.id}, headers=make.auth(agent)
    )

    actions = [a.action for a in await _activities(database, ticket.id)]
    assert actions == ["created", "assigned", "status_changed"]
    new_events = [e.event_type for e in (await _events(database))[before:]]
    assert new_events == ["ticket.assigned", "ticket.status_changed"]


async def test_an_update_records_what_changed(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, subject="Old subject")
    before = len(await _events(database))

    await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "New subject"}, headers=make.auth(agent)
    )

    last = (await _activities(database, ticket.id))[-1]
    assert last.action == "updated"
    assert last.changes == {"subject": ["Old subject", "New subject"]}
    assert [e.event_type for e in (await _events(database))[before:]] == ["ticket.updated"]


async def test_rating_and_deleting_are_recorded(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    await _set_status(client, ticket.id, "resolved", make.auth(admin))
    before = len(await _events(database))

    await client.post(
        f"/api/tickets/{ticket.id}/rating", json={"score": 4}, headers=make.auth(customer)
    )
    await client.delete(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    actions = [a.action for a in await _activities(database, ticket.id)]
    assert actions[-2:] == ["rated", "deleted"]
    new_events = [e.event_type for e in (await _events(database))[before:]]
    assert new_events == ["ticket.rated", "ticket.deleted"]


async def test_a_refused_change_writes_no_activity_and_no_event(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    activities_before = await _count(database, Activity)
    events_before = await _count(database, OutboxEvent)

    refused = await client.patch(
        f"/api/tickets/{ticket.id}/status",
        json={"status": "closed"},
        headers=make.auth(customer),
    )

    assert refused.status_code == 403
    assert await _count(database, Activity) == activities_before
    assert await _count(database, OutboxEvent) == events_before


async def test_an_update_that_changes_nothing_records_nothing(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer, subject="Same")
    events_before = await _count(database, OutboxEvent)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "Same"}, headers=make.auth(agent)
    )

    assert response.status_code == 200
    assert [a.action for a in await _activities(database, ticket.id)] == ["created"]
    assert await _count(database, OutboxEvent) == events_before


# ====================================================================== malformed requests


_JSON_ENDPOINTS = [
    ("POST", "/api/tickets"),
    ("PUT", "/api/tickets/{id}"),
    ("PATCH", "/api/tickets/{id}/status"),
    ("PATCH", "/api/tickets/{id}/assign"),
    ("POST", "/api/tickets/{id}/messages"),
    ("POST", "/api/tickets/{id}/rating"),
]


@pytest.mark.parametrize(("method", "path"), _JSON_ENDPOINTS)
async def test_malformed_json_is_a_validation_error_in_the_portal_format(
    client: AsyncClient, make: Factory, database: Database, method: str, path: str
) -> None:
    admin = await make.user("admin")
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    events_before = await _count(database, OutboxEvent)

    response = await client.request(
        method,
        path.format(id=ticket.id),
        content=b"{",
        headers={**make.auth(admin), "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "Validation failed."
    assert isinstance(body["details"], dict) and body["details"]
    assert await _count(database, OutboxEvent) == events_before
    assert await _count(database, Ticket) == 1


_ALL_ENDPOINTS = [
    ("GET", "/api/tickets"),
    ("POST", "/api/tickets"),
    ("GET", "/api/tickets/{id}"),
    ("PUT", "/api/tickets/{id}"),
    ("PATCH", "/api/tickets/{id}/status"),
    ("PATCH", "/api/tickets/{id}/assign"),
    ("POST", "/api/tickets/{id}/messages"),
    ("POST", "/api/tickets/{id}/rating"),
    ("POST", "/api/tickets/{id}/watch"),
    ("DELETE", "/api/tickets/{id}"),
    ("GET", "/api/attachments/{id}"),
]


@pytest.mark.parametrize(("method", "path"), _ALL_ENDPOINTS)
async def test_every_ticket_endpoint_refuses_a_request_without_a_token(
    client: AsyncClient, make: Factory, method: str, path: str
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.request(method, path.format(id=ticket.id), json={})

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(("method", "path"), _ALL_ENDPOINTS)
async def test_every_ticket_endpoint_refuses_a_malformed_token(
    client: AsyncClient, make: Factory, method: str, path: str
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.request(
        method,
        path.format(id=ticket.id),
        json={},
        headers={"Authorization": "Bearer not.a.jwt"},
    )

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(("method", "path"), _ALL_ENDPOINTS[2:])
async def test_every_ticket_endpoint_refuses_an_expired_token(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock, method: str, path: str
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)
    headers = make.auth(customer)
    frozen_clock.advance(minutes=61)

    response = await client.request(method, path.format(id=ticket.id), json={}, headers=headers)

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), _ALL_ENDPOINTS[2:])
async def test_every_endpoint_answers_not_found_for_an_unknown_id(
    client: AsyncClient, make: Factory, method: str, path: str
) -> None:
    admin = await make.user("admin")
    valid_for_every_endpoint = {"status": "closed", "user_id": None, "body": "Hi", "score": 5}

    response = await client.request(
        method, path.format(id=999_999), json=valid_for_every_endpoint, headers=make.auth(admin)
    )

    assert response.status_code == 404
    assert set(response.json()) == {"error"}
