"""GET and PUT /profile: the agent's own account."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.models import Activity
from tests.api.agent.conftest import URL, Agent, Desk, data_of


async def _put(client: AsyncClient, agent: Agent, body: Any) -> Any:
    return await client.put(f"{URL}/profile", json=body, headers=agent.headers)


async def test_the_profile_answers_as_the_reference_shows(client: AsyncClient, desk: Desk) -> None:
    agent = await desk.agent(
        "Agent Smith",
        email="smith@example.test",
        phone="+1234567890",
        locale="en",
        avatar_url="https://cdn.example.test/smith.png",
    )

    profile = data_of(await client.get(f"{URL}/profile", headers=agent.headers))

    assert profile == {
        "id": agent.user.id,
        "name": "Agent Smith",
        "email": "smith@example.test",
        "phone": "+1234567890",
        "locale": "en",
        "timezone": None,
        "avatar_url": "https://cdn.example.test/smith.png",
        "notification_settings": {},
        "is_active": True,
        "created_at": profile["created_at"],
    }
    assert profile["created_at"].endswith("Z") or "+00:00" in profile["created_at"]


async def test_an_update_changes_the_given_fields_and_keeps_the_others(
    client: AsyncClient, desk: Desk
) -> None:
    agent = await desk.agent("Agent Smith", phone="+1234567890", locale="en")

    updated = data_of(
        await _put(
            client,
            agent,
            {"name": "Agent J. Smith", "notification_settings": {"ticket_reply": False}},
        )
    )

    assert updated["name"] == "Agent J. Smith"
    assert updated["notification_settings"] == {"ticket_reply": False}
    assert updated["phone"] == "+1234567890"
    assert updated["locale"] == "en"
    again = data_of(await client.get(f"{URL}/profile", headers=agent.headers))
    assert again == updated


async def test_phone_and_locale_are_cleared_by_null(client: AsyncClient, desk: Desk) -> None:
    agent = await desk.agent(phone="+1234567890", locale="en")

    updated = data_of(await _put(client, agent, {"phone": None, "locale": None}))

    assert updated["phone"] is None
    assert updated["locale"] is None


async def test_an_empty_settings_array_is_an_empty_map(client: AsyncClient, agent: Agent) -> None:
    data_of(await _put(client, agent, {"notification_settings": {"sla_breach": True}}))

    updated = data_of(await _put(client, agent, {"notification_settings": []}))

    assert updated["notification_settings"] == {}


async def test_the_time_zone_can_be_set(client: AsyncClient, agent: Agent) -> None:
    updated = data_of(await _put(client, agent, {"timezone": "Africa/Lagos"}))

    assert updated["timezone"] == "Africa/Lagos"


async def test_an_unknown_time_zone_is_422(client: AsyncClient, agent: Agent) -> None:
    response = await _put(client, agent, {"timezone": "Mars/Olympus_Mons"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"timezone": ["The timezone must be a valid zone."]}


async def test_each_rule_of_the_reference_is_checked(client: AsyncClient, agent: Agent) -> None:
    response = await _put(
        client,
        agent,
        {
            "name": "x" * 251,
            "phone": "1" * 51,
            "locale": "x" * 11,
            "notification_settings": "all",
        },
    )

    assert response.status_code == 422
    body = response.json()
    assert body["status"] is False
    assert body["message"] == "Validation failed."
    assert set(body["errors"]) == {"name", "phone", "locale", "notification_settings"}
    assert body["errors"]["name"] == ["The name field must not be greater than 250 characters."]


async def test_a_name_cannot_be_blank_or_null(client: AsyncClient, agent: Agent) -> None:
    for name in ("", "   ", None):
        response = await _put(client, agent, {"name": name})

        assert response.status_code == 422, name
        assert "name" in response.json()["errors"]


async def test_a_refused_update_changes_nothing(client: AsyncClient, desk: Desk) -> None:
    agent = await desk.agent("Agent Smith", phone="+1")

    response = await _put(client, agent, {"name": "New Name", "phone": "1" * 51})

    assert response.status_code == 422
    profile = data_of(await client.get(f"{URL}/profile", headers=agent.headers))
    assert (profile["name"], profile["phone"]) == ("Agent Smith", "+1")


async def test_invalid_json_is_422(client: AsyncClient, agent: Agent) -> None:
    response = await client.put(
        f"{URL}/profile",
        content=b"{name:",
        headers={**agent.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["The request body is not valid JSON."]}


async def test_the_email_and_status_cannot_be_changed_here(client: AsyncClient, desk: Desk) -> None:
    agent = await desk.agent(email="smith@example.test")

    updated = data_of(
        await _put(client, agent, {"email": "other@example.test", "is_active": False})
    )

    assert updated["email"] == "smith@example.test"
    assert updated["is_active"] is True


async def test_an_update_is_in_the_activity_log(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    data_of(await _put(client, agent, {"phone": "+2348012345678"}))

    async with database.transaction() as session:
        activity = await session.scalar(
            select(Activity).where(Activity.action == "profile.updated")
        )
    assert activity is not None
    assert activity.user_id == agent.user.id
    assert activity.changes["phone"] == [None, "+2348012345678"]
