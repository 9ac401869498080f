"""GET /canned-responses: every active response the agent may use, not paginated."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from supportdesk.core.db import Database
from supportdesk.models import CannedResponse
from tests.api.agent.conftest import Agent, Desk, data_of, get
from tests.factories import Factory


async def _response(database: Database, title: str, **fields: Any) -> CannedResponse:
    values: dict[str, Any] = {"body": f"{title} body", "is_shared": True, **fields}
    async with database.transaction() as session:
        response = CannedResponse(title=title, **values)
        session.add(response)
    return response


async def test_a_response_answers_as_the_reference_shows(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    greeting = await _response(
        database,
        "Greeting",
        body="Hello! Thank you for contacting support...",
        category_label="General",
        shortcut="/greet",
    )

    listed = data_of(await get(client, agent, "/canned-responses"))

    assert listed == [
        {
            "id": greeting.id,
            "title": "Greeting",
            "content": "Hello! Thank you for contacting support...",
            "category": "General",
            "shortcut": "/greet",
            "is_active": True,
            "sort_order": 0,
        }
    ]


async def test_responses_are_sorted_by_sort_order_then_title(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    await _response(database, "Zeta", sort_order=1)
    await _response(database, "Beta", sort_order=2)
    await _response(database, "Alpha", sort_order=1)
    await _response(database, "Omega", sort_order=0)

    listed = data_of(await get(client, agent, "/canned-responses"))

    assert [r["title"] for r in listed] == ["Omega", "Alpha", "Zeta", "Beta"]


async def test_the_whole_list_comes_in_one_answer(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    for n in range(40):
        await _response(database, f"Response {n:02d}")

    response = await get(client, agent, "/canned-responses")

    assert len(data_of(response)) == 40
    assert "meta" not in response.json()


async def test_inactive_responses_are_left_out(
    client: AsyncClient, database: Database, agent: Agent
) -> None:
    await _response(database, "Retired", is_active=False)
    await _response(database, "Current")

    listed = data_of(await get(client, agent, "/canned-responses"))

    assert [r["title"] for r in listed] == ["Current"]


async def test_the_agents_own_are_listed_and_other_agents_private_ones_are_not(
    client: AsyncClient, database: Database, desk: Desk, agent: Agent
) -> None:
    other = await desk.agent()
    await _response(database, "Mine", is_shared=False, owner_id=agent.user.id)
    await _response(database, "Theirs", is_shared=False, owner_id=other.user.id)
    await _response(database, "Everyone's")

    listed = data_of(await get(client, agent, "/canned-responses"))

    assert [r["title"] for r in listed] == ["Everyone's", "Mine"]


async def test_no_responses_is_an_empty_list(client: AsyncClient, agent: Agent) -> None:
    assert data_of(await get(client, agent, "/canned-responses")) == []


async def test_a_response_created_with_the_internal_api_is_listed_here(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    internal = await make.api_key("internal")
    created = await client.post(
        "/api/v1/internal/canned-responses",
        json={"title": "Refund", "content": "Your refund is on its way.", "category": "Billing"},
        headers={"X-API-KEY": internal.raw_key},
    )
    assert created.status_code == 201, created.text

    listed = data_of(await get(client, agent, "/canned-responses"))

    assert [(r["title"], r["content"], r["category"]) for r in listed] == [
        ("Refund", "Your refund is on its way.", "Billing")
    ]
