"""Business calendars in the portal's admin API, and the SLA clocks tickets show."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.factories import Factory
from tests.support import FrozenClock

BERLIN_OFFICE: dict[str, Any] = {
    "name": "Berlin office",
    "timezone": "Europe/Berlin",
    "hours": {
        day: [{"start": "09:00", "end": "12:30"}, {"start": "13:30", "end": "18:00"}]
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
    },
    "holidays": [{"date": "2026-03-04", "name": "Team day", "yearly": False}],
}


async def _admin(make: Factory) -> dict[str, str]:
    return make.auth(await make.user("admin"))


async def _create(client: AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    response = await client.post("/api/admin/business-calendars", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["business_calendar"]


async def test_a_calendar_is_listed_with_its_next_14_days_of_opening_hours(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    headers = await _admin(make)  # the clock stands on Monday 2 March 2026, 10:00 in Berlin
    created = await _create(client, headers, BERLIN_OFFICE)

    days = created["next_14_days"]
    assert len(days) == 14
    assert days[0] == {
        "date": "2026-03-02",
        "weekday": "monday",
        "holiday": None,
        "hours": [
            {"start": "2026-03-02T09:00:00+01:00", "end": "2026-03-02T12:30:00+01:00"},
            {"start": "2026-03-02T13:30:00+01:00", "end": "2026-03-02T18:00:00+01:00"},
        ],
    }
    assert days[2] == {
        "date": "2026-03-04",
        "weekday": "wednesday",
        "holiday": "Team day",
        "hours": [],
    }
    assert days[5]["weekday"] == "saturday" and days[5]["hours"] == []
    listed = await client.get("/api/admin/business-calendars", headers=headers)
    assert [c["name"] for c in listed.json()["data"]] == ["Berlin office"]


async def test_a_calendar_with_no_working_time_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.post(
        "/api/admin/business-calendars",
        json={"name": "Never", "timezone": "Europe/Berlin", "hours": {}},
        headers=await _admin(make),
    )

    assert response.status_code == 422
    assert "hours" in response.json()["details"]


async def test_a_country_the_holidays_package_does_not_know_is_refused(
    client: AsyncClient, make: Factory
) -> None:
    response = await client.post(
        "/api/admin/business-calendars",
        json={**BERLIN_OFFICE, "country": "QQ"},
        headers=await _admin(make),
    )

    assert response.status_code == 422
    assert "country" in response.json()["details"]


async def test_overlapping_intervals_of_a_day_are_refused(
    client: AsyncClient, make: Factory
) -> None:
    body = {
        **BERLIN_OFFICE,
        "hours": {
            "monday": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "17:00"}]
        },
    }
    response = await client.post(
        "/api/admin/business-calendars", json=body, headers=await _admin(make)
    )

    assert response.status_code == 422
    assert "hours.monday" in response.json()["details"]


async def test_agents_may_not_manage_calendars(client: AsyncClient, make: Factory) -> None:
    agent = make.auth(await make.user("agent"))

    response = await client.post("/api/admin/business-calendars", json=BERLIN_OFFICE, headers=agent)

    assert response.status_code == 403


async def test_a_calendar_a_project_uses_cannot_be_deleted(
    client: AsyncClient, make: Factory
) -> None:
    headers = await _admin(make)
    calendar = await _create(client, headers, BERLIN_OFFICE)
    project = await make.project(business_calendar_id=calendar["id"])

    refused = await client.delete(
        f"/api/admin/business-calendars/{calendar['id']}", headers=headers
    )
    await client.put(
        f"/api/admin/projects/{project.id}", json={"business_calendar_id": None}, headers=headers
    )
    deleted = await client.delete(
        f"/api/admin/business-calendars/{calendar['id']}", headers=headers
    )

    assert refused.status_code == 409
    assert deleted.status_code == 200


async def test_a_ticket_shows_its_business_time_left_and_its_calendar(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    headers = make.auth(admin)  # Monday 2 March 2026, 10:00 in Berlin
    calendar = await _create(client, headers, BERLIN_OFFICE)
    project = await client.post(
        "/api/admin/projects",
        json={"name": "Shop", "business_calendar_id": calendar["id"]},
        headers=headers,
    )
    assert project.json()["project"]["business_calendar_id"] == calendar["id"]
    created = await client.post(
        "/api/tickets",
        json={
            "project_id": project.json()["project"]["id"],
            "subject": "Hi",
            "description": "Help",
        },
        headers=headers,
    )
    ticket_id = created.json()["ticket"]["id"]
    frozen_clock.advance(hours=4)  # 14:00: 2.5 h before lunch, 0.5 h after it have passed

    read = await client.get(f"/api/tickets/{ticket_id}", headers=make.auth(admin))

    clocks = read.json()["ticket"]["sla_clocks"]
    assert clocks["business_calendar"] == {"id": calendar["id"], "name": "Berlin office"}
    assert clocks["first_response"] == {
        "due_at": "2026-03-02T14:00:00Z",  # medium: 4 business hours, 15:00 in Berlin
        "remaining_business_seconds": 3600,
        "paused": False,
    }
    assert clocks["resolution"]["paused"] is False


async def test_a_waiting_ticket_shows_its_resolution_clock_paused(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    headers = make.auth(admin)
    customer = await make.user("customer")
    ticket = await make.ticket(customer)
    await client.patch(
        f"/api/tickets/{ticket.id}/status", json={"status": "pending_customer"}, headers=headers
    )
    frozen_clock.advance(hours=5)

    read = await client.get(f"/api/tickets/{ticket.id}", headers=make.auth(admin))

    resolution = read.json()["ticket"]["sla_clocks"]["resolution"]
    assert resolution["paused"] is True
    assert read.json()["ticket"]["sla_clocks"]["business_calendar"] is None
