"""Canned responses through the internal API."""

from __future__ import annotations

from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory


async def test_a_canned_response_is_created_read_updated_and_deleted(api: Admin) -> None:
    created = await api.created(
        "/canned-responses",
        {
            "title": "Greeting",
            "content": "Hello! Thank you for contacting support...",
            "category": "General",
            "shortcut": "/greet",
            "sort_order": 1,
        },
    )
    assert {
        k: created[k]
        for k in ("title", "content", "category", "shortcut", "is_active", "sort_order")
    } == {
        "title": "Greeting",
        "content": "Hello! Thank you for contacting support...",
        "category": "General",
        "shortcut": "/greet",
        "is_active": True,
        "sort_order": 1,
    }
    assert await api.data(f"/canned-responses/{created['id']}") == created
    updated = (
        await api.put(f"/canned-responses/{created['id']}", {"is_active": False, "category": None})
    ).json()["data"]
    assert updated["is_active"] is False
    assert updated["category"] is None
    assert updated["title"] == "Greeting"
    assert (await api.delete(f"/canned-responses/{created['id']}")).status_code == 200
    assert (await api.get(f"/canned-responses/{created['id']}")).status_code == 404


async def test_canned_responses_are_listed_by_sort_order(api: Admin) -> None:
    for title, order in (("B", 2), ("A", 1), ("C", 0)):
        await api.created("/canned-responses", {"title": title, "sort_order": order})
    assert [r["title"] for r in await api.data("/canned-responses")] == ["C", "A", "B"]


async def test_a_canned_response_made_here_is_usable_by_every_agent_in_the_portal(
    api: Admin, make: Factory
) -> None:
    await api.created("/canned-responses", {"title": "Greeting", "content": "Hello"})
    agent = await make.user("agent")
    response = await api.client.get("/api/canned-responses", headers=make.auth(agent))
    assert [r["title"] for r in response.json()["canned_responses"]] == ["Greeting"]


async def test_canned_response_validation(api: Admin) -> None:
    errors = errors_of(
        await api.post(
            "/canned-responses",
            {"category": "c" * 101, "shortcut": "s" * 101, "is_active": "on?", "sort_order": -1},
        )
    )
    assert errors == {
        "title": ["The title field is required."],
        "category": ["The category field must not be greater than 100 characters."],
        "shortcut": ["The shortcut field must not be greater than 100 characters."],
        "is_active": ["The is active field must be true or false."],
        "sort_order": ["The sort order field must be at least 0."],
    }
    assert list(errors_of(await api.post("/canned-responses", {"title": "x" * 251}))) == ["title"]


async def test_a_canned_responses_is_active_is_true_or_false_not_a_number(api: Admin) -> None:
    response = await api.post("/canned-responses", {"title": "Thanks", "is_active": 1})

    assert errors_of(response) == {"is_active": ["The is active field must be true or false."]}
