"""GET /api/external/ping, and how the surface describes itself in /openapi.json."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.api.project.conftest import Connected
from tests.support import FrozenClock

OPERATIONS = {
    ("get", "/api/external/ping"),
    ("post", "/api/external/tickets"),
    ("get", "/api/external/tickets"),
    ("get", "/api/external/tickets/{ticket_number}"),
    ("post", "/api/external/tickets/{ticket_number}/reply"),
    ("post", "/api/external/tickets/{ticket_number}/close"),
}


async def test_ping_names_the_keys_project_and_the_time(
    client: AsyncClient, naija: Connected, frozen_clock: FrozenClock
) -> None:
    response = await client.get("/api/external/ping", headers=naija.headers)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "project": {"id": naija.project.id, "name": "NaijaHomes", "slug": "naijahomes"},
        "timestamp": "2026-03-02T09:00:00Z",
    }


async def test_an_unknown_path_answers_in_the_surfaces_format(
    client: AsyncClient, naija: Connected
) -> None:
    response = await client.get("/api/external/nothing-here", headers=naija.headers)

    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}


async def _operations(client: AsyncClient) -> dict[tuple[str, str], dict[str, Any]]:
    schema = (await client.get("/openapi.json")).json()
    return {
        (method, path): operation
        for path, item in schema["paths"].items()
        if path.startswith("/api/external")
        for method, operation in item.items()
    }


async def test_every_operation_is_documented_under_the_project_tag(client: AsyncClient) -> None:
    operations = await _operations(client)

    assert set(operations) == OPERATIONS
    for key, operation in operations.items():
        assert operation["tags"] == ["project: tickets"], key


async def test_every_operation_asks_for_the_key_and_the_secret_together(
    client: AsyncClient,
) -> None:
    for key, operation in (await _operations(client)).items():
        assert operation["security"] == [{"ProjectKey": [], "ProjectSecret": []}], key


async def test_the_conversation_is_documented_with_its_from_field(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    message = schema["components"]["schemas"]["ProjectMessage"]
    assert set(message["properties"]) == {"body", "from", "is_agent", "created_at"}
