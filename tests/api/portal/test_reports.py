"""Reports & Analytics: /api/reports/*, figures checked against hand-computed values.

The scene: two projects, NaijaHomes (A, worked by Alice) and ShopRite (B, worked by
Bola), seven tickets in February 2026 whose response and resolution times, statuses and
breach flags are set directly in the database, plus one ticket opened in January and
resolved in February, and one deleted ticket. "Today" is Monday 2026-03-02, so the
default range is 2026-02-01 to 2026-03-02.

| #  | project | created (UTC)    | priority | category  | status           | assignee | first reply | resolved | breaches   |
|----|---------|------------------|----------|-----------|------------------|----------|-------------|----------|------------|
| T1 | A       | 02-10 10:00      | high     | Technical | resolved         | Alice    | +30 min     | +120 min |            |
| T2 | A       | 02-10 12:00      | critical | Technical | closed           | Alice    | +45 min     | +300 min | fr         |
| T3 | A       | 02-17 09:00      | medium   | Billing   | in_progress      | Alice    | +20.5 min   |          |            |
| T4 | A       | 02-23 09:00      | low      | —         | open             | —        |             |          |            |
| T5 | B       | 02-11 23:30      | medium   | Billing   | pending_customer | Bola     | +60 min     |          | res        |
| T6 | B       | 02-24 15:00      | high     | Technical | on_hold          | Bola     |             |          | res        |
| T7 | B       | 02-25 10:00      | critical | —         | resolved         | Bola     | +10 min     | +100 min | fr and res |
| T8 | A       | 01-15 09:00      | medium   | —         | resolved         | —        |             | 02-12    |            |
| T9 | A       | 02-15 09:00      | medium   | —         | open, deleted    | —        |             |          |            |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update

from supportdesk.core.db import Database
from supportdesk.core.enums import Priority, TicketStatus
from supportdesk.models import Category, Project, Ticket, User
from supportdesk.services.principal_cache import principals
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter

REPORTS = ("overview", "projects", "agents", "trends", "sla", "categories")
TODAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def _ticket(
    make: Factory,
    database: Database,
    clock: FrozenClock,
    *,
    by: User,
    project: Project,
    created: datetime,
    priority: Priority = Priority.MEDIUM,
    category: Category | None = None,
    **columns: Any,
) -> Ticket:
    """A ticket created at ``created`` through the service, then given ``columns`` as is."""
    clock.current = created
    ticket = await make.ticket(
        by=by,
        project_id=project.id,
        priority=priority,
        category_id=category.id if category else None,
    )
    clock.current = TODAY
    if columns:
        async with database.transaction() as session:
            await session.execute(update(Ticket).where(Ticket.id == ticket.id).values(**columns))
    return ticket


def minutes(start: datetime, count: float) -> datetime:
    return start + timedelta(minutes=count)


@dataclass
class Scene:
    admin: User
    alice: User  # agent of NaijaHomes
    bola: User  # agent of ShopRite
    customer: User
    naija: Project
    shoprite: Project


@pytest.fixture
async def scene(make: Factory, database: Database, frozen_clock: FrozenClock) -> Scene:
    naija = await make.project("NaijaHomes", slug="naijahomes", ticket_prefix="NAIJ")
    shoprite = await make.project("ShopRite", slug="shoprite", ticket_prefix="SHOP")
    alice = await make.user("agent", projects=[naija.id], name="Alice Okafor")
    bola = await make.user("agent", projects=[shoprite.id], name="Bola Ade")
    admin = await make.user("admin")
    customer = await make.user("customer")
    technical = await make.category("Technical Issue", color="#EF4444")
    billing = await make.category("Billing", color="#3B82F6")

    async def ticket(project: Project, created: datetime, **fields: Any) -> Ticket:
        return await _ticket(
            make, database, frozen_clock, by=customer, project=project, created=created, **fields
        )

    t1 = at(2, 10, 10)
    await ticket(
        naija,
        t1,
        priority=Priority.HIGH,
        category=technical,
        status=TicketStatus.RESOLVED,
        assignee_id=alice.id,
        first_responded_at=minutes(t1, 30),
        resolved_at=minutes(t1, 120),
    )
    t2 = at(2, 10, 12)
    await ticket(
        naija,
        t2,
        priority=Priority.CRITICAL,
        category=technical,
        status=TicketStatus.CLOSED,
        assignee_id=alice.id,
        first_responded_at=minutes(t2, 45),
        resolved_at=minutes(t2, 300),
        closed_at=minutes(t2, 400),
        first_response_breached_at=minutes(t2, 15),
    )
    t3 = at(2, 17)
    await ticket(
        naija,
        t3,
        priority=Priority.MEDIUM,
        category=billing,
        status=TicketStatus.IN_PROGRESS,
        assignee_id=alice.id,
        first_responded_at=minutes(t3, 20.5),
    )
    await ticket(naija, at(2, 23), priority=Priority.LOW)
    t5 = at(2, 11, 23, 30)
    await ticket(
        shoprite,
        t5,
        priority=Priority.MEDIUM,
        category=billing,
        status=TicketStatus.PENDING_CUSTOMER,
        assignee_id=bola.id,
        first_responded_at=minutes(t5, 60),
        resolution_breached_at=minutes(t5, 1440),
    )
    await ticket(
        shoprite,
        at(2, 24, 15),
        priority=Priority.HIGH,
        category=technical,
        status=TicketStatus.ON_HOLD,
        assignee_id=bola.id,
        resolution_breached_at=at(2, 24, 23),
    )
    t7 = at(2, 25, 10)
    await ticket(
        shoprite,
        t7,
        priority=Priority.CRITICAL,
        status=TicketStatus.RESOLVED,
        assignee_id=bola.id,
        first_responded_at=minutes(t7, 10),
        resolved_at=minutes(t7, 100),
        first_response_breached_at=minutes(t7, 15),
        resolution_breached_at=minutes(t7, 120),
    )
    await ticket(naija, at(1, 15), status=TicketStatus.RESOLVED, resolved_at=at(2, 12))
    await ticket(naija, at(2, 15), deleted_at=at(2, 16))
    return Scene(admin, alice, bola, customer, naija, shoprite)


async def _get(client: AsyncClient, make: Factory, user: User, report: str, **params: Any) -> Any:
    response = await client.get(f"/api/reports/{report}", params=params, headers=make.auth(user))
    assert response.status_code == 200, response.text
    return response.json()


# ====================================================================== overview


async def test_the_overview_counts_the_last_30_days_for_an_admin(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    overview = await _get(client, make, scene.admin, "overview")

    assert overview == {
        "total_tickets": 7,
        # on_hold (T6) counts as in progress.
        "by_status": {"open": 1, "inProgress": 2, "pending": 1, "resolved": 2, "closed": 1},
        "unassigned": 1,
        "sla_breached": 4,
        # (30 + 45 + 20.5 + 60 + 10) / 5 = 33.1
        "avg_first_response_mins": 33.1,
        # (120 + 300 + 100) / 3 = 173.33…
        "avg_resolution_minutes": 173.3,
    }


async def test_the_overview_of_an_agent_counts_only_their_projects_tickets(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    overview = await _get(client, make, scene.alice, "overview")

    assert overview == {
        "total_tickets": 4,
        "by_status": {"open": 1, "inProgress": 1, "pending": 0, "resolved": 1, "closed": 1},
        "unassigned": 1,
        "sla_breached": 1,
        # (30 + 45 + 20.5) / 3 = 31.83…
        "avg_first_response_mins": 31.8,
        "avg_resolution_minutes": 210.0,
    }


async def test_the_overview_averages_are_null_without_responses_or_resolutions(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    # Only T4 (open, never answered) was created on the 23rd.
    overview = await _get(
        client, make, scene.admin, "overview", **{"from": "2026-02-23", "to": "2026-02-23"}
    )

    assert overview["total_tickets"] == 1
    assert overview["avg_first_response_mins"] is None
    assert overview["avg_resolution_minutes"] is None


async def test_the_overview_of_an_empty_range_is_zero(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    overview = await _get(
        client, make, scene.admin, "overview", **{"from": "2025-06-01", "to": "2025-06-30"}
    )

    assert overview == {
        "total_tickets": 0,
        "by_status": {"open": 0, "inProgress": 0, "pending": 0, "resolved": 0, "closed": 0},
        "unassigned": 0,
        "sla_breached": 0,
        "avg_first_response_mins": None,
        "avg_resolution_minutes": None,
    }


async def test_the_range_includes_the_whole_of_its_last_day(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    overview = await _get(
        client, make, scene.admin, "overview", **{"from": "2026-02-17", "to": "2026-02-23"}
    )

    assert overview["total_tickets"] == 2  # T3 on the 17th, T4 on the 23rd


async def test_an_explicit_range_reaches_tickets_before_the_default_one(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    overview = await _get(client, make, scene.admin, "overview", **{"from": "2026-01-01"})

    assert overview["total_tickets"] == 8  # T8 of January too; T9 stays deleted


async def test_the_default_range_is_today_and_the_29_days_before(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    project = await make.project()
    for created in (
        datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC),  # the day before the range
        datetime(2026, 2, 1, 0, 0, tzinfo=UTC),
        TODAY,
    ):
        await _ticket(make, database, frozen_clock, by=admin, project=project, created=created)

    overview = await _get(client, make, admin, "overview")

    assert overview["total_tickets"] == 2


async def test_only_to_gives_the_30_days_ending_there(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    # 2026-01-15 … 2026-02-13: T8, T1, T2, T5
    overview = await _get(client, make, scene.admin, "overview", to="2026-02-13")

    assert overview["total_tickets"] == 4


async def test_an_admin_narrows_a_report_to_one_project(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    overview = await _get(client, make, scene.admin, "overview", project_id=scene.shoprite.id)

    assert overview["total_tickets"] == 3
    assert overview["by_status"] == {
        "open": 0,
        "inProgress": 1,
        "pending": 1,
        "resolved": 1,
        "closed": 0,
    }
    assert overview["sla_breached"] == 3


async def test_an_agents_project_id_is_ignored(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    overview = await _get(client, make, scene.alice, "overview", project_id=scene.shoprite.id)

    assert overview["total_tickets"] == 4  # still Alice's NaijaHomes figures


async def test_an_unknown_project_is_404_for_an_admin(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    response = await client.get(
        "/api/reports/overview", params={"project_id": 999}, headers=make.auth(scene.admin)
    )

    assert response.status_code == 404
    assert response.json() == {"error": "Project not found."}


# ====================================================================== projects


async def test_the_projects_report_lists_every_active_project_for_an_admin(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.admin, "projects")

    assert rows == [
        {"project": "NaijaHomes", "total": 4, "resolved": 2, "breached": 1, "resolve_rate": 50.0},
        {"project": "ShopRite", "total": 3, "resolved": 1, "breached": 3, "resolve_rate": 33.3},
        # The default project, without tickets in the range.
        {"project": "SupportDesk", "total": 0, "resolved": 0, "breached": 0, "resolve_rate": 0.0},
    ]


async def test_the_projects_report_of_an_agent_lists_their_projects_only(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.bola, "projects")

    assert rows == [
        {"project": "ShopRite", "total": 3, "resolved": 1, "breached": 3, "resolve_rate": 33.3}
    ]


async def test_the_projects_report_narrowed_to_a_project_lists_it_alone(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.admin, "projects", project_id=scene.naija.id)

    assert [row["project"] for row in rows] == ["NaijaHomes"]


# ====================================================================== agents


async def test_the_agents_report_counts_assigned_tickets_per_agent(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.admin, "agents")

    assert rows == [
        {
            "agent": "Alice Okafor",
            "total_assigned": 3,
            "total_resolved": 2,
            "resolve_rate": 66.7,
            "avg_resolution_minutes": 210.0,
        },
        {
            "agent": "Bola Ade",
            "total_assigned": 3,
            "total_resolved": 1,
            "resolve_rate": 33.3,
            "avg_resolution_minutes": 100.0,
        },
    ]


async def test_the_agents_report_of_an_agent_shows_their_projects_agents_only(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.alice, "agents")

    assert [row["agent"] for row in rows] == ["Alice Okafor"]


async def test_an_agent_without_resolutions_has_no_average(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.admin, "agents", **{"from": "2026-02-15"})

    # From the 15th: Alice has T3 (in progress), Bola T6 and T7.
    assert rows[1] == {
        "agent": "Alice Okafor",
        "total_assigned": 1,
        "total_resolved": 0,
        "resolve_rate": 0.0,
        "avg_resolution_minutes": None,
    }


# ====================================================================== trends


async def test_daily_trends_list_every_day_of_the_range(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(
        client, make, scene.admin, "trends", **{"from": "2026-02-09", "to": "2026-02-15"}
    )

    assert rows == [
        {"period": "2026-02-09", "created": 0, "resolved": 0},
        {"period": "2026-02-10", "created": 2, "resolved": 2},  # T1, T2
        # T5 at 23:30 UTC is still the 11th.
        {"period": "2026-02-11", "created": 1, "resolved": 0},
        # T8, opened in January, resolved on the 12th.
        {"period": "2026-02-12", "created": 0, "resolved": 1},
        {"period": "2026-02-13", "created": 0, "resolved": 0},
        {"period": "2026-02-14", "created": 0, "resolved": 0},
        {"period": "2026-02-15", "created": 0, "resolved": 0},  # T9 is deleted
    ]


async def test_daily_trends_default_to_the_last_30_days(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.admin, "trends")

    assert len(rows) == 30
    assert rows[0]["period"] == "2026-02-01"
    assert rows[-1]["period"] == "2026-03-02"
    assert sum(row["created"] for row in rows) == 7
    assert sum(row["resolved"] for row in rows) == 4  # T1, T2, T7 and T8


async def test_weekly_trends_are_labelled_by_monday(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(
        client,
        make,
        scene.admin,
        "trends",
        group_by="week",
        **{"from": "2026-02-04", "to": "2026-02-28"},
    )

    assert rows == [
        {"period": "2026-02-02", "created": 0, "resolved": 0},
        {"period": "2026-02-09", "created": 3, "resolved": 3},
        {"period": "2026-02-16", "created": 1, "resolved": 0},
        {"period": "2026-02-23", "created": 3, "resolved": 1},
    ]


async def test_monthly_trends_of_an_agent(client: AsyncClient, make: Factory, scene: Scene) -> None:
    rows = await _get(
        client, make, scene.alice, "trends", group_by="month", **{"from": "2026-01-01"}
    )

    assert rows == [
        {"period": "2026-01", "created": 1, "resolved": 0},  # T8
        {"period": "2026-02", "created": 4, "resolved": 3},  # T1-T4; T1, T2, T8
        {"period": "2026-03", "created": 0, "resolved": 0},
    ]


async def test_a_trend_of_too_many_periods_is_refused(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    response = await client.get(
        "/api/reports/trends",
        params={"from": "1990-01-01", "to": "2026-01-01"},
        headers=make.auth(scene.admin),
    )

    assert response.status_code == 422
    assert list(response.json()["details"]) == ["from"]


async def test_a_long_range_is_fine_by_month(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(
        client,
        make,
        scene.admin,
        "trends",
        group_by="month",
        **{"from": "1990-01-01", "to": "2026-03-02"},
    )

    assert len(rows) == 36 * 12 + 3
    assert sum(row["created"] for row in rows) == 8


async def test_an_unknown_grouping_is_422(client: AsyncClient, make: Factory, scene: Scene) -> None:
    response = await client.get(
        "/api/reports/trends", params={"group_by": "year"}, headers=make.auth(scene.admin)
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"group_by": ["The selected group by is invalid."]},
    }


# ====================================================================== sla


async def test_the_sla_report_gives_breach_rates_per_priority(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    report = await _get(client, make, scene.admin, "sla")

    assert report == {
        "total_tickets": 7,
        "fr_breach_rate": 28.6,  # T2, T7 of 7
        "res_breach_rate": 42.9,  # T5, T6, T7 of 7
        "by_priority": {
            "critical": {"total": 2, "fr_breached": 2, "res_breached": 1},
            "high": {"total": 2, "fr_breached": 0, "res_breached": 1},
            "medium": {"total": 2, "fr_breached": 0, "res_breached": 1},
            "low": {"total": 1, "fr_breached": 0, "res_breached": 0},
        },
    }


async def test_the_sla_report_of_an_agent(client: AsyncClient, make: Factory, scene: Scene) -> None:
    report = await _get(client, make, scene.alice, "sla")

    assert report == {
        "total_tickets": 4,
        "fr_breach_rate": 25.0,
        "res_breach_rate": 0.0,
        "by_priority": {
            "critical": {"total": 1, "fr_breached": 1, "res_breached": 0},
            "high": {"total": 1, "fr_breached": 0, "res_breached": 0},
            "medium": {"total": 1, "fr_breached": 0, "res_breached": 0},
            "low": {"total": 1, "fr_breached": 0, "res_breached": 0},
        },
    }


async def test_the_sla_report_lists_every_priority_even_without_tickets(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    report = await _get(
        client, make, scene.admin, "sla", **{"from": "2025-01-01", "to": "2025-01-31"}
    )

    assert report["total_tickets"] == 0
    assert report["fr_breach_rate"] == 0.0
    assert report["by_priority"] == {
        priority: {"total": 0, "fr_breached": 0, "res_breached": 0}
        for priority in ("critical", "high", "medium", "low")
    }


# ====================================================================== categories


async def test_the_categories_report_counts_uncategorised_tickets_last(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.admin, "categories")

    assert rows == [
        {"category": "Technical Issue", "color": "#EF4444", "total": 3},
        {"category": "Billing", "color": "#3B82F6", "total": 2},
        {"category": "Uncategorised", "color": None, "total": 2},
    ]


async def test_the_categories_report_of_an_agent(
    client: AsyncClient, make: Factory, scene: Scene
) -> None:
    rows = await _get(client, make, scene.alice, "categories")

    assert rows == [
        {"category": "Technical Issue", "color": "#EF4444", "total": 2},
        {"category": "Billing", "color": "#3B82F6", "total": 1},
        {"category": "Uncategorised", "color": None, "total": 1},
    ]


# ====================================================================== scoping and access


@pytest.mark.parametrize("report", REPORTS)
async def test_an_agent_never_sees_another_projects_figures(
    client: AsyncClient, make: Factory, scene: Scene, report: str
) -> None:
    params = {"from": "2026-01-01"}
    as_alice = await _get(client, make, scene.alice, report, **params)
    as_admin_for_naija = await _get(
        client, make, scene.admin, report, project_id=scene.naija.id, **params
    )

    assert as_alice == as_admin_for_naija
    assert "ShopRite" not in str(as_alice)
    assert "Bola Ade" not in str(as_alice)


@pytest.mark.parametrize("report", REPORTS)
async def test_a_customer_may_not_see_reports(
    client: AsyncClient, make: Factory, report: str
) -> None:
    customer = await make.user("customer")

    response = await client.get(f"/api/reports/{report}", headers=make.auth(customer))

    assert response.status_code == 403
    assert response.json() == {"error": "This action is unauthorized."}


@pytest.mark.parametrize("report", REPORTS)
async def test_reports_need_a_token(client: AsyncClient, report: str) -> None:
    response = await client.get(f"/api/reports/{report}")

    assert response.status_code == 401
    assert "error" in response.json()


@pytest.mark.parametrize("role", ["admin", "super_admin"])
async def test_admins_see_every_project(
    client: AsyncClient, make: Factory, role: str, scene: Scene
) -> None:
    user = await make.user(role)

    overview = await _get(client, make, user, "overview")

    assert overview["total_tickets"] == 7


# ====================================================================== bad input


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"from": "2026/02/01"}, "from"),
        ({"from": "1700000000"}, "from"),
        ({"from": "2026-02-01T00:00:00"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"to": ""}, "to"),
        ({"project_id": "abc"}, "project_id"),
        ({"project_id": "0"}, "project_id"),
    ],
    ids=lambda value: str(value),
)
async def test_a_malformed_parameter_is_422(
    client: AsyncClient, make: Factory, report: str, params: dict[str, str], field: str
) -> None:
    admin = await make.user("admin")

    response = await client.get(f"/api/reports/{report}", params=params, headers=make.auth(admin))

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "Validation failed."
    assert list(body["details"]) == [field]


async def test_a_date_error_names_the_format(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")

    response = await client.get(
        "/api/reports/overview", params={"to": "02/03/2026"}, headers=make.auth(admin)
    )

    assert response.json()["details"] == {
        "to": ["The to field must be a valid date in the format YYYY-MM-DD."]
    }


@pytest.mark.parametrize("report", REPORTS)
async def test_from_after_to_is_422(client: AsyncClient, make: Factory, report: str) -> None:
    admin = await make.user("admin")

    response = await client.get(
        f"/api/reports/{report}",
        params={"from": "2026-02-02", "to": "2026-02-01"},
        headers=make.auth(admin),
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed.",
        "details": {"from": ["The from field must be a date before or equal to to."]},
    }


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize(
    "params",
    [
        {"from": "0001-01-01", "to": "0001-01-01"},
        {"to": "0001-01-05"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "9999-12-01", "to": "9999-12-31"},
    ],
    ids=str,
)
async def test_the_ends_of_the_calendar_are_empty_reports_not_errors(
    client: AsyncClient, make: Factory, report: str, params: dict[str, str]
) -> None:
    admin = await make.user("admin")

    response = await client.get(f"/api/reports/{report}", params=params, headers=make.auth(admin))

    assert response.status_code == 200, response.text


# ====================================================================== cost


async def _cost(
    client: AsyncClient, statements: StatementCounter, headers: dict[str, str], report: str
) -> int:
    principals.clear()  # every count includes resolving the token, as a first request's
    statements.start()
    response = await client.get(
        f"/api/reports/{report}", params={"from": "2026-01-01"}, headers=headers
    )
    count = statements.stop()
    assert response.status_code == 200, response.text
    return count


@pytest.mark.parametrize("report", REPORTS)
async def test_a_report_costs_the_same_statements_for_thirty_tickets_as_for_one(
    client: AsyncClient,
    make: Factory,
    database: Database,
    frozen_clock: FrozenClock,
    statements: StatementCounter,
    report: str,
) -> None:
    project = await make.project()
    agent = await make.user("agent", projects=[project.id])
    customer = await make.user("customer")
    category = await make.category()
    headers = make.auth(agent)

    async def ticket(n: int) -> None:
        created = at(2, 1 + n % 28, n % 24)
        await _ticket(
            make,
            database,
            frozen_clock,
            by=customer,
            project=project,
            created=created,
            priority=list(Priority)[n % 4],
            category=category if n % 2 else None,
            status=TicketStatus.RESOLVED,
            assignee_id=agent.id,
            first_responded_at=minutes(created, 5 + n),
            resolved_at=minutes(created, 60 + n),
        )

    await ticket(0)
    cost_of_one = await _cost(client, statements, headers, report)
    for n in range(1, 30):
        await ticket(n)
    cost_of_thirty = await _cost(client, statements, headers, report)

    assert cost_of_thirty == cost_of_one


async def test_averages_round_half_up_to_a_tenth_of_a_minute(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    project = await make.project()
    for created, reply_after in ((at(2, 20), 10.0), (at(2, 21), 10.5)):
        await _ticket(
            make,
            database,
            frozen_clock,
            by=admin,
            project=project,
            created=created,
            first_responded_at=minutes(created, reply_after),
        )

    overview = await _get(client, make, admin, "overview")

    assert overview["avg_first_response_mins"] == 10.3  # 10.25, not 10.2


async def test_durations_are_exact_to_the_microsecond(
    client: AsyncClient, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    project = await make.project()
    created = datetime(2026, 2, 20, 9, 0, 0, 999_800, tzinfo=UTC)
    await _ticket(
        make,
        database,
        frozen_clock,
        by=admin,
        project=project,
        created=created,
        # 177.0002 s = 2.950003 min: a second lost or gained anywhere would round to 2.9.
        first_responded_at=datetime(2026, 2, 20, 9, 2, 58, tzinfo=UTC),
    )

    overview = await _get(client, make, admin, "overview")

    assert overview["avg_first_response_mins"] == 3.0
