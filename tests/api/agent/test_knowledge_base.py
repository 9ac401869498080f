"""GET /knowledge-base/search: published articles by title, excerpt and content."""

from __future__ import annotations

from httpx import AsyncClient

from tests.api.agent.conftest import Agent, data_of, get
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter


async def _search(client: AsyncClient, agent: Agent, q: str) -> list[str]:
    return [
        article["title"]
        for article in data_of(await get(client, agent, "/knowledge-base/search", q=q))
    ]


async def test_an_article_answers_as_the_reference_shows(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    section = await make.knowledge_category("Account")
    article = await make.article(
        "How to reset your password",
        slug="how-to-reset-your-password",
        excerpt="Follow these steps to reset...",
        content="Open the login page and choose Forgot password.",
        category_id=section.id,
        views=142,
    )

    found = data_of(await get(client, agent, "/knowledge-base/search", q="reset"))

    assert found == [
        {
            "id": article.id,
            "title": "How to reset your password",
            "slug": "how-to-reset-your-password",
            "excerpt": "Follow these steps to reset...",
            "content": "Open the login page and choose Forgot password.",
            "category": {"id": section.id, "name": "Account"},
            "views": 142,
            "status": "published",
            "created_at": found[0]["created_at"],
        }
    ]


async def test_an_article_without_a_category_shows_null(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    await make.article("Billing cycles explained")

    found = data_of(await get(client, agent, "/knowledge-base/search", q="billing"))

    assert found[0]["category"] is None


async def test_title_excerpt_and_content_are_searched(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    await make.article("Invoices", excerpt="About refunds", content="Nothing here.")
    await make.article("Shipping", excerpt="Parcels", content="How refunds reach your card.")
    await make.article("Refunds policy", excerpt="Rules", content="Read on.")
    await make.article("Unrelated", excerpt="Other", content="Something else.")

    found = await _search(client, agent, "refunds")

    assert sorted(found) == ["Invoices", "Refunds policy", "Shipping"]


async def test_a_title_match_ranks_first(client: AsyncClient, make: Factory, agent: Agent) -> None:
    await make.article("Shipping times", content="Couriers and refunds for late parcels.")
    await make.article("Refunds", content="How to get your money back.")

    found = await _search(client, agent, "refunds")

    assert found[0] == "Refunds"


async def test_every_word_must_be_found_each_as_a_word_prefix(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    await make.article("Reset a password", content="From the login page.")
    await make.article("Reset a device", content="Hold the button.")

    assert await _search(client, agent, "reset passw") == ["Reset a password"]
    assert await _search(client, agent, "RESET LOGIN") == ["Reset a password"]


async def test_only_published_articles_are_found(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    await make.article("Password rules draft", status="draft")
    await make.article("Password rules archived", status="archived")
    await make.article("Password rules")

    assert await _search(client, agent, "password") == ["Password rules"]


async def test_at_most_twenty_articles_are_returned(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    for n in range(25):
        await make.article(f"Password tip {n}")

    assert len(await _search(client, agent, "password")) == 20


async def test_nothing_found_is_an_empty_list(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    await make.article("Password rules")

    assert await _search(client, agent, "kangaroo") == []
    assert await _search(client, agent, "%_") == []


async def test_search_text_is_taken_literally(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    await make.article("Password rules", content="100% secure")

    assert await _search(client, agent, "100% ' OR 1=1 --") == []
    assert await _search(client, agent, "secure 100") == ["Password rules"]


async def test_a_query_shorter_than_two_characters_is_422(
    client: AsyncClient, agent: Agent
) -> None:
    for q in ("a", " a ", ""):
        response = await get(client, agent, "/knowledge-base/search", q=q)

        assert response.status_code == 422, q
        assert response.json() == {
            "status": False,
            "message": "Validation failed.",
            "errors": {"q": ["The q field must be at least 2 characters."]},
        }


async def test_a_missing_query_is_422(client: AsyncClient, agent: Agent) -> None:
    response = await get(client, agent, "/knowledge-base/search")

    assert response.status_code == 422
    assert response.json()["errors"] == {"q": ["The q field is required."]}


async def test_an_article_published_with_the_internal_api_is_found_here(
    client: AsyncClient, make: Factory, agent: Agent
) -> None:
    internal = await make.api_key("internal")
    headers = {"X-API-KEY": internal.raw_key}
    for title, status in (("Two-factor login", "published"), ("Two-factor draft", "draft")):
        created = await client.post(
            "/api/v1/internal/knowledge-articles",
            json={"title": title, "content": "Use an authenticator app.", "status": status},
            headers=headers,
        )
        assert created.status_code == 201, created.text

    assert await _search(client, agent, "authenticator") == ["Two-factor login"]


async def test_a_search_costs_one_statement_besides_the_key(
    client: AsyncClient,
    make: Factory,
    agent: Agent,
    statements: StatementCounter,
    frozen_clock: FrozenClock,
) -> None:
    section = await make.knowledge_category("Account")
    for n in range(5):
        await make.article(f"Password tip {n}", category_id=section.id)
    await _search(client, agent, "password")  # the key's first use is written down once

    statements.start()
    found = await _search(client, agent, "password")
    counted = statements.stop()

    assert len(found) == 5
    assert len([s for s in statements.statements if "knowledge_articles" in s]) == 1
    assert counted <= 4  # BEGIN, the key, the search, COMMIT
