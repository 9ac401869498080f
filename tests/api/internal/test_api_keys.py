"""Internal and external API keys through the internal API."""

from __future__ import annotations

from typing import Any

from tests.api.internal.conftest import BASE, Admin, errors_of
from tests.factories import Factory
from tests.support import FrozenClock


async def test_an_internal_key_is_shown_once_and_works_with_its_scopes(api: Admin) -> None:
    created = await api.created(
        "/api-keys",
        {"name": "Reporting", "type": "internal", "scopes": ["reports:overview", "tickets:list"]},
    )
    raw = created["key"]
    assert raw.startswith("sdk_")
    assert created["key_prefix"] == raw[:12]
    assert created["scopes"] == ["reports:overview", "tickets:list"]
    assert created["revoked"] is False

    shown = await api.data(f"/api-keys/{created['id']}")
    assert "key" not in shown
    assert shown == {k: v for k, v in created.items() if k != "key"}
    assert all("key" not in item for item in await api.data("/api-keys"))

    headers = {"X-API-KEY": raw}
    assert (await api.client.get(BASE + "/tickets", headers=headers)).status_code == 200
    assert (await api.client.get(BASE + "/settings", headers=headers)).status_code == 403


async def test_an_internal_key_without_scopes_holds_them_all(api: Admin) -> None:
    created = await api.created("/api-keys", {"name": "Ops", "type": "internal"})
    assert created["scopes"] == ["*"]


async def test_an_external_key_acts_as_its_active_agent(api: Admin, make: Factory) -> None:
    agent = await make.user("agent")
    created = await api.created(
        "/api-keys", {"name": "Agent key", "type": "external", "agent_id": agent.id}
    )
    assert created["agent_id"] == agent.id
    response = await api.client.get(
        "/api/v1/external/connection-check", headers={"X-API-KEY": created["key"]}
    )
    assert response.status_code == 200


async def test_an_internal_key_with_an_empty_scope_list_holds_no_scope(api: Admin) -> None:
    created = await api.created("/api-keys", {"name": "None", "type": "internal", "scopes": []})
    assert created["scopes"] == []
    headers = {"X-API-KEY": created["key"]}
    assert (await api.client.get(BASE + "/tickets", headers=headers)).status_code == 403


async def test_an_update_to_an_empty_scope_list_leaves_no_scope(api: Admin) -> None:
    created = await api.created(
        "/api-keys", {"name": "K", "type": "internal", "scopes": ["tickets:list"]}
    )
    response = await api.put(f"/api-keys/{created['id']}", {"scopes": []})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["scopes"] == []


async def test_an_external_key_without_agent_id_says_the_agent_is_required(api: Admin) -> None:
    assert errors_of(await api.post("/api-keys", {"name": "K", "type": "external"})) == {
        "agent_id": ["The agent id field is required."]
    }


async def test_external_keys_need_an_active_agent(api: Admin, make: Factory) -> None:
    inactive = await make.user("agent", is_active=False)
    customer = await make.user("customer")
    for agent_id in (999, inactive.id, customer.id):
        body: dict[str, Any] = {"name": "K", "type": "external", "agent_id": agent_id}
        assert errors_of(await api.post("/api-keys", body)) == {
            "agent_id": ["The selected agent id is invalid."]
        }


async def test_scopes_must_be_known_scope_names(api: Admin) -> None:
    body = {
        "name": "K",
        "type": "internal",
        "scopes": ["tickets:list", "tickets:everything", "root"],
    }
    assert errors_of(await api.post("/api-keys", body)) == {
        "scopes.1": ["The selected scopes.1 is invalid."],
        "scopes.2": ["The selected scopes.2 is invalid."],
    }


async def test_the_expiry_must_be_in_the_future(api: Admin, frozen_clock: FrozenClock) -> None:
    body = {"name": "K", "type": "internal", "expires_at": "2026-03-01T00:00:00Z"}
    assert errors_of(await api.post("/api-keys", body)) == {
        "expires_at": ["The expires at must be a date after now."]
    }
    body["expires_at"] = "2026-04-01"
    created = await api.created("/api-keys", body)
    assert created["expires_at"] == "2026-04-01T00:00:00Z"


async def test_api_key_validation(api: Admin) -> None:
    errors = errors_of(await api.post("/api-keys", {"scopes": "all", "expires_at": "soon"}))
    assert set(errors) == {"name", "type", "scopes", "expires_at"}
    assert errors_of(await api.post("/api-keys", {"name": "K", "type": "project"})) == {
        "type": ["The selected type is invalid."]
    }
    assert list(
        errors_of(await api.post("/api-keys", {"name": "x" * 251, "type": "internal"}))
    ) == ["name"]


async def test_an_update_changes_name_scopes_and_expiry(
    api: Admin, frozen_clock: FrozenClock
) -> None:
    created = await api.created(
        "/api-keys", {"name": "K", "type": "internal", "scopes": ["tickets:list"]}
    )
    response = await api.put(
        f"/api-keys/{created['id']}",
        {"name": "Renamed", "scopes": ["settings:read"], "expires_at": "2026-05-01T00:00:00Z"},
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated["name"] == "Renamed"
    assert updated["scopes"] == ["settings:read"]
    assert updated["expires_at"] == "2026-05-01T00:00:00Z"
    headers = {"X-API-KEY": created["key"]}
    assert (await api.client.get(BASE + "/settings", headers=headers)).status_code == 200
    assert (await api.client.get(BASE + "/tickets", headers=headers)).status_code == 403
    assert list(errors_of(await api.put(f"/api-keys/{created['id']}", {"scopes": ["nope"]}))) == [
        "scopes.0"
    ]
    assert list(errors_of(await api.put(f"/api-keys/{created['id']}", {"type": "external"}))) == [
        "agent_id"
    ]


async def test_deleting_a_key_revokes_it_and_keeps_the_record(
    api: Admin, frozen_clock: FrozenClock
) -> None:
    created = await api.created("/api-keys", {"name": "K", "type": "internal"})
    response = await api.delete(f"/api-keys/{created['id']}")
    assert response.status_code == 200
    revoked = response.json()["data"]
    assert revoked["revoked"] is True
    assert revoked["revoked_at"] == "2026-03-02T09:00:00Z"
    assert (await api.data(f"/api-keys/{created['id']}"))["revoked"] is True
    assert [k["id"] for k in await api.data("/api-keys")].count(created["id"]) == 1
    refused = await api.client.get(
        BASE + "/connection-check", headers={"X-API-KEY": created["key"]}
    )
    assert refused.status_code == 401


async def test_project_key_pairs_are_not_managed_here(api: Admin, make: Factory) -> None:
    project = await make.project()
    pair = await make.api_key("project", project_id=project.id)
    assert (await api.get(f"/api-keys/{pair.api_key.id}")).status_code == 404
    assert pair.api_key.id not in [k["id"] for k in await api.data("/api-keys")]


async def _key_with(make: Factory, client: Any, *scopes: str) -> tuple[int, Admin]:
    issued = await make.api_key("internal", scopes=list(scopes))
    return issued.api_key.id, Admin(client, {"X-API-KEY": issued.raw_key})


async def test_a_key_cannot_widen_its_own_scopes(api: Admin, make: Factory) -> None:
    key_id, key = await _key_with(make, api.client, "api-keys:update", "api-keys:read")

    response = await key.put(f"/api-keys/{key_id}", {"scopes": ["*"]})

    assert response.status_code == 403
    assert (await api.data(f"/api-keys/{key_id}"))["scopes"] == [
        "api-keys:update",
        "api-keys:read",
    ]
    assert (await key.get("/settings")).status_code == 403


async def test_a_key_grants_only_scopes_it_holds(api: Admin, make: Factory) -> None:
    _, key = await _key_with(make, api.client, "api-keys:create", "tickets:list")

    assert (await key.post("/api-keys", {"name": "All", "type": "internal"})).status_code == 403
    refused = await key.post(
        "/api-keys", {"name": "S", "type": "internal", "scopes": ["settings:update"]}
    )
    assert refused.status_code == 403
    assert "settings:update" in refused.json()["message"]
    granted = await key.post(
        "/api-keys", {"name": "L", "type": "internal", "scopes": ["tickets:list"]}
    )
    assert granted.status_code == 201


async def test_a_key_cannot_raise_another_key_beyond_its_own(api: Admin, make: Factory) -> None:
    _, key = await _key_with(make, api.client, "api-keys:update")
    other_id, _ = await _key_with(make, api.client, "tickets:list")

    response = await key.put(f"/api-keys/{other_id}", {"scopes": ["*"]})

    assert response.status_code == 403
    assert (await api.data(f"/api-keys/{other_id}"))["scopes"] == ["tickets:list"]


async def test_an_external_key_for_an_admin_needs_the_admins_scopes(
    api: Admin, make: Factory
) -> None:
    _, key = await _key_with(make, api.client, "api-keys:create")
    admin = await make.user("admin")

    response = await key.post(
        "/api-keys", {"name": "As admin", "type": "external", "agent_id": admin.id}
    )

    assert response.status_code == 403
    assert (
        await api.post("/api-keys", {"name": "As admin", "type": "external", "agent_id": admin.id})
    ).status_code == 201
