"""The nine sd_* settings: read, changed with their rules, and in effect."""

from __future__ import annotations

from typing import Any

import pytest

from supportdesk.core.db import Database
from supportdesk.core.enums import TicketStatus
from supportdesk.services.maintenance import MaintenanceService
from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory
from tests.support import FrozenClock

DEFAULTS = {
    "sd_default_department_id": None,
    "sd_default_priority": "medium",
    "sd_auto_close_days": 0,
    "sd_tickets_per_page": 15,
    "sd_notification_email": None,
    "sd_customer_registration_enabled": True,
    "sd_customer_max_tickets_per_day": 0,
    "sd_enable_auto_assign": False,
    "sd_enable_envato_integration": False,
}


async def test_the_settings_start_at_their_defaults(api: Admin) -> None:
    response = await api.get("/settings")
    assert response.json() == {"status": True, "data": DEFAULTS}


async def test_an_update_changes_what_is_given_and_returns_every_setting(
    api: Admin, make: Factory
) -> None:
    department = await make.department()
    changes = {
        "sd_default_department_id": department.id,
        "sd_default_priority": "high",
        "sd_auto_close_days": 7,
        "sd_tickets_per_page": 200,
        "sd_notification_email": "support@example.test",
        "sd_customer_registration_enabled": False,
        "sd_customer_max_tickets_per_day": 3,
        "sd_enable_auto_assign": True,
        "sd_enable_envato_integration": True,
    }
    response = await api.put("/settings", changes)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == changes
    assert await api.data("/settings") == changes

    partial = await api.put("/settings", {"sd_auto_close_days": 0, "sd_default_priority": None})
    assert partial.json()["data"] == {
        **changes,
        "sd_auto_close_days": 0,
        "sd_default_priority": None,
    }


async def test_unknown_keys_are_ignored(api: Admin) -> None:
    response = await api.put("/settings", {"sd_unknown": 1, "colour": "red"})
    assert response.status_code == 200
    assert response.json()["data"] == DEFAULTS


INVALID: list[tuple[str, Any, str]] = [
    ("sd_default_department_id", 999, "The selected sd default department id is invalid."),
    ("sd_default_department_id", "one", "The sd default department id field must be an integer."),
    ("sd_default_priority", "urgent", "The selected sd default priority is invalid."),
    ("sd_auto_close_days", -1, "The sd auto close days field must be at least 0."),
    ("sd_auto_close_days", 1.5, "The sd auto close days field must be an integer."),
    ("sd_auto_close_days", None, "The sd auto close days field must be an integer."),
    ("sd_tickets_per_page", 0, "The sd tickets per page field must be at least 1."),
    ("sd_tickets_per_page", 201, "The sd tickets per page field must not be greater than 200."),
    (
        "sd_notification_email",
        "nope",
        "The sd notification email field must be a valid email address.",
    ),
    (
        "sd_notification_email",
        "a@" + "b" * 250 + ".test",
        "The sd notification email field must not be greater than 250 characters.",
    ),
    (
        "sd_customer_registration_enabled",
        "maybe",
        "The sd customer registration enabled field must be true or false.",
    ),
    (
        "sd_customer_max_tickets_per_day",
        -3,
        "The sd customer max tickets per day field must be at least 0.",
    ),
    ("sd_enable_auto_assign", 2, "The sd enable auto assign field must be true or false."),
    (
        "sd_enable_envato_integration",
        None,
        "The sd enable envato integration field must be true or false.",
    ),
]


@pytest.mark.parametrize(("key", "value", "message"), INVALID)
async def test_each_setting_has_its_rule(api: Admin, key: str, value: Any, message: str) -> None:
    assert errors_of(await api.put("/settings", {key: value})) == {key: [message]}
    assert await api.data("/settings") == DEFAULTS


async def test_integers_and_booleans_may_come_as_text_or_numbers(api: Admin) -> None:
    changed = {
        "sd_tickets_per_page": "20",
        "sd_enable_auto_assign": 1,
        "sd_enable_envato_integration": "true",
        "sd_customer_registration_enabled": 0,
    }

    assert (await api.put("/settings", changed)).status_code == 200

    stored = await api.data("/settings")
    assert stored["sd_tickets_per_page"] == 20
    assert stored["sd_enable_auto_assign"] is True
    assert stored["sd_enable_envato_integration"] is True
    assert stored["sd_customer_registration_enabled"] is False


async def test_one_bad_value_stores_none_of_the_others(api: Admin) -> None:
    errors_of(await api.put("/settings", {"sd_auto_close_days": 5, "sd_tickets_per_page": 0}))
    assert (await api.data("/settings"))["sd_auto_close_days"] == 0


async def test_a_non_object_body_is_422(api: Admin) -> None:
    response = await api.put("/settings", [1, 2])
    assert response.status_code == 422


# ------------------------------------------------------------------ in effect


async def test_closing_registration_refuses_portal_sign_ups(api: Admin) -> None:
    await api.put("/settings", {"sd_customer_registration_enabled": False})
    response = await api.client.post(
        "/api/auth/register",
        json={
            "name": "Tunde",
            "email": "tunde@example.test",
            "password": "s3cret-enough",
            "password_confirmation": "s3cret-enough",
        },
    )
    assert response.status_code == 403


async def test_customers_are_held_to_their_tickets_per_day(
    api: Admin, make: Factory, frozen_clock: FrozenClock
) -> None:
    await api.put("/settings", {"sd_customer_max_tickets_per_day": 2})
    customer = await make.user("customer")
    headers = make.auth(customer)
    body = {"subject": "Help", "description": "Please", "project_id": 1}
    for _ in range(2):
        created = await api.client.post("/api/tickets", json=body, headers=headers)
        assert created.status_code == 201, created.text
    refused = await api.client.post("/api/tickets", json=body, headers=headers)
    assert refused.status_code == 429
    # Staff opening tickets for the customer are not held to it.
    staff = await api.post("/tickets", {"customer_id": customer.id, "title": "T", "content": "C"})
    assert staff.status_code == 201
    frozen_clock.advance(days=1)
    headers = make.auth(customer)  # a fresh token at the new time
    assert (await api.client.post("/api/tickets", json=body, headers=headers)).status_code == 201


async def test_auto_close_and_auto_assign_follow_their_settings(
    api: Admin, make: Factory, database: Database, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent", projects=[1])
    customer = await make.user("customer")
    ticket = await api.created(
        "/tickets", {"customer_id": customer.id, "title": "T", "content": "C"}
    )

    async with database.transaction() as session:
        service = MaintenanceService(session)
        assert await service.auto_close_cutoff(frozen_clock.now()) is None
        assert await service.auto_assign(ticket["id"]) is None

    await api.put("/settings", {"sd_auto_close_days": 3, "sd_enable_auto_assign": True})
    async with database.transaction() as session:
        service = MaintenanceService(session)
        cutoff = await service.auto_close_cutoff(frozen_clock.now())
        assert cutoff is not None and (frozen_clock.now() - cutoff).days == 3
        assert await service.auto_assign(ticket["id"]) == agent.id
    assigned = await api.data(f"/tickets/{ticket['id']}")
    assert assigned["assigned_to"]["id"] == agent.id
    assert assigned["status"] == TicketStatus.IN_PROGRESS
