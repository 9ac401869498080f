"""Reports: overview, agents and departments, checked against a known set of tickets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory
from tests.support import FrozenClock


@pytest.fixture
async def desk(api: Admin, make: Factory, frozen_clock: FrozenClock) -> dict[str, Any]:
    """Four tickets on 2026-03-02 and one two months older, with known timings.

    T1 (Sales, Alice): replied by Alice after 30 min, resolved after 120 min.
    T2 (Sales, Alice): closed after 60 min, never replied.
    T3 (Support): open, unassigned.  T4 (Support, Alice): on hold.
    """
    sales = await make.department("Sales", sort_order=0)
    support = await make.department("Support", sort_order=1)
    empty = await make.department("Empty", sort_order=2)
    alice = await make.user("agent", name="Alice", email="alice@example.test", projects=[1])
    bob = await make.user("agent", name="Bob", email="bob@example.test", projects=[1])
    customer = await make.user("customer")

    async def ticket(**fields: Any) -> int:
        body = {"customer_id": customer.id, "title": "T", "content": "C", **fields}
        created: dict[str, Any] = await api.created("/tickets", body)
        return int(created["id"])

    frozen_clock.current = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    await ticket()
    frozen_clock.current = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    t1 = await ticket(department_id=sales.id)
    t2 = await ticket(department_id=sales.id)
    await ticket(department_id=support.id)
    t4 = await ticket(department_id=support.id)
    for ticket_id in (t1, t2, t4):
        await api.put(f"/tickets/{ticket_id}", {"assigned_to": alice.id})
    await api.put(f"/tickets/{t4}", {"status": "on_hold"})
    frozen_clock.advance(minutes=30)
    reply = await api.client.post(
        f"/api/tickets/{t1}/messages", json={"body": "Looking"}, headers=make.auth(alice)
    )
    assert reply.status_code == 201
    frozen_clock.advance(minutes=30)
    await api.put(f"/tickets/{t2}", {"status": "closed"})
    frozen_clock.advance(minutes=60)
    await api.put(f"/tickets/{t1}", {"is_resolved": True})
    frozen_clock.advance(hours=1)
    return {"sales": sales, "support": support, "empty": empty, "alice": alice, "bob": bob}


async def test_the_overview_counts_the_last_30_days(api: Admin, desk: dict[str, Any]) -> None:
    assert await api.data("/reports/overview") == {
        "period": {"start_date": "2026-02-01", "end_date": "2026-03-02"},
        "total_tickets": 4,
        "open_tickets": 1,
        "in_progress_tickets": 0,
        # T1 is resolved: it reads closed (and resolved), as the tickets show it.
        "on_hold_tickets": 1,
        "closed_tickets": 2,
        "resolved_tickets": 2,
        "unassigned_tickets": 1,
        "sla_breached_tickets": 0,
        "avg_first_response_minutes": 30.0,
        "avg_resolution_minutes": 90.0,
    }


async def test_a_range_takes_older_tickets_in(api: Admin, desk: dict[str, Any]) -> None:
    figures = await api.data("/reports/overview", start_date="2026-01-01", end_date="2026-03-02")
    assert figures["total_tickets"] == 5
    assert figures["open_tickets"] == 2
    only_old = await api.data("/reports/overview", start_date="2026-01-01", end_date="2026-01-31")
    assert only_old["total_tickets"] == 1


async def test_the_agents_report_lists_every_agent(api: Admin, desk: dict[str, Any]) -> None:
    report = await api.data("/reports/agents")
    assert report["period"] == {"start_date": "2026-02-01", "end_date": "2026-03-02"}
    assert report["agents"] == [
        {
            "id": desk["alice"].id,
            "name": "Alice",
            "email": "alice@example.test",
            "assigned_tickets": 3,
            "open_tickets": 1,
            "resolved_tickets": 2,
            "sla_breached_tickets": 0,
            "replies": 1,
            "resolve_rate": 66.7,
            "avg_first_response_minutes": 30.0,
            "avg_resolution_minutes": 90.0,
        },
        {
            "id": desk["bob"].id,
            "name": "Bob",
            "email": "bob@example.test",
            "assigned_tickets": 0,
            "open_tickets": 0,
            "resolved_tickets": 0,
            "sla_breached_tickets": 0,
            "replies": 0,
            "resolve_rate": 0.0,
            "avg_first_response_minutes": None,
            "avg_resolution_minutes": None,
        },
    ]


async def test_the_departments_report_lists_every_department(
    api: Admin, desk: dict[str, Any]
) -> None:
    report = await api.data("/reports/departments")
    rows = {row["name"]: row for row in report["departments"]}
    assert [row["name"] for row in report["departments"]] == ["Sales", "Support", "Empty"]
    assert rows["Sales"] == {
        "id": desk["sales"].id,
        "name": "Sales",
        "total_tickets": 2,
        "open_tickets": 0,
        "resolved_tickets": 2,
        "unassigned_tickets": 0,
        "sla_breached_tickets": 0,
        "resolve_rate": 100.0,
        "avg_resolution_minutes": 90.0,
    }
    assert (rows["Support"]["total_tickets"], rows["Support"]["open_tickets"]) == (2, 2)
    assert rows["Support"]["unassigned_tickets"] == 1
    assert rows["Support"]["avg_resolution_minutes"] is None
    assert rows["Empty"]["total_tickets"] == 0


async def test_report_dates_are_checked(api: Admin) -> None:
    for path in ("/reports/overview", "/reports/agents", "/reports/departments"):
        assert errors_of(await api.get(path, start_date="2026-03-10", end_date="2026-03-01")) == {
            "start_date": ["The start date must be a date before or equal to the end date."]
        }
        assert list(errors_of(await api.get(path, start_date="yesterday"))) == ["start_date"]


@pytest.mark.parametrize("start_date", ["0", "1772323200", "2026-03-01T00:00:00", "20260301"])
async def test_report_dates_are_days_written_yyyy_mm_dd(api: Admin, start_date: str) -> None:
    for path in ("/reports/overview", "/reports/agents", "/reports/departments"):
        assert errors_of(await api.get(path, start_date=start_date)) == {
            "start_date": ["The start date field must be a valid date in the format YYYY-MM-DD."]
        }
