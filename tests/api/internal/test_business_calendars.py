"""Business calendars in the internal API, under their own scopes."""

from __future__ import annotations

from httpx import AsyncClient

from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory

OFFICE = {
    "name": "Kolkata desk",
    "timezone": "Asia/Kolkata",
    "hours": {"monday": [{"start": "09:00", "end": "18:00"}]},
    "country": "IN",
}


async def test_a_calendar_is_created_read_changed_and_deleted(api: Admin) -> None:
    created = await api.created("/business-calendars", OFFICE)
    changed = await api.put(f"/business-calendars/{created['id']}", {"is_24x7": True})
    read = await api.data(f"/business-calendars/{created['id']}")
    deleted = await api.delete(f"/business-calendars/{created['id']}")

    assert created["country"] == "IN"
    assert created["hours"]["monday"] == [{"start": "09:00", "end": "18:00"}]
    assert changed.status_code == 200
    assert read["is_24x7"] is True
    assert read["next_14_days"][0]["hours"][0]["start"].endswith("T00:00:00+05:30")
    assert deleted.status_code == 200


async def test_an_unknown_time_zone_is_refused(api: Admin) -> None:
    response = await api.post("/business-calendars", {**OFFICE, "timezone": "Mars/Olympus"})

    assert "timezone" in errors_of(response)


async def test_a_key_without_the_scope_is_refused(client: AsyncClient, make: Factory) -> None:
    issued = await make.api_key("internal", scopes=["tickets:list"])

    response = await client.get(
        "/api/v1/internal/business-calendars", headers={"X-API-KEY": issued.raw_key}
    )

    assert response.status_code == 403
    assert "business-calendars:list" in response.json()["message"]
