"""Knowledge base categories and articles through the internal API."""

from __future__ import annotations

from tests.api.internal.conftest import Admin, errors_of
from tests.factories import Factory
from tests.support import FrozenClock

# ------------------------------------------------------------------ categories


async def test_a_knowledge_category_is_created_read_updated_and_deleted(api: Admin) -> None:
    created = await api.created(
        "/knowledge-categories",
        {"name": "Account", "description": "Logins", "icon": "user", "sort_order": 2},
    )
    assert {
        k: created[k]
        for k in ("name", "description", "icon", "status", "sort_order", "articles_count")
    } == {
        "name": "Account",
        "description": "Logins",
        "icon": "user",
        "status": "published",
        "sort_order": 2,
        "articles_count": 0,
    }
    assert await api.data(f"/knowledge-categories/{created['id']}") == created
    updated = (
        await api.put(f"/knowledge-categories/{created['id']}", {"icon": None, "status": "draft"})
    ).json()["data"]
    assert updated["icon"] is None
    assert updated["status"] == "draft"
    assert (await api.delete(f"/knowledge-categories/{created['id']}")).status_code == 200
    assert (await api.get(f"/knowledge-categories/{created['id']}")).status_code == 404


async def test_the_category_list_counts_articles_in_sort_order(api: Admin, make: Factory) -> None:
    account = await make.knowledge_category("Account", sort_order=1)
    billing = await make.knowledge_category("Billing", sort_order=0)
    for _ in range(3):
        await make.article(category_id=account.id)
    await make.article(category_id=billing.id, status="draft")
    listed = await api.data("/knowledge-categories")
    assert [(c["name"], c["articles_count"]) for c in listed] == [("Billing", 1), ("Account", 3)]


async def test_knowledge_category_validation(api: Admin) -> None:
    errors = errors_of(
        await api.post(
            "/knowledge-categories",
            {"description": "x" * 1001, "icon": "i" * 101, "status": "x", "sort_order": -1},
        )
    )
    assert set(errors) == {"name", "description", "icon", "status", "sort_order"}


# ------------------------------------------------------------------ articles


async def test_an_article_gets_a_unique_slug_from_its_title(api: Admin) -> None:
    first = await api.created("/knowledge-articles", {"title": "How to Reset Your Password?"})
    second = await api.created("/knowledge-articles", {"title": "How to reset your password"})
    third = await api.created("/knowledge-articles", {"title": "How to reset your password!"})
    assert first["slug"] == "how-to-reset-your-password"
    assert second["slug"] == "how-to-reset-your-password-2"
    assert third["slug"] == "how-to-reset-your-password-3"


async def test_a_given_slug_is_kept_and_must_be_free(api: Admin) -> None:
    article = await api.created("/knowledge-articles", {"title": "Reset", "slug": "reset-guide"})
    assert article["slug"] == "reset-guide"
    assert errors_of(
        await api.post("/knowledge-articles", {"title": "Other", "slug": "reset-guide"})
    ) == {"slug": ["The slug has already been taken."]}
    # Its own slug is no conflict.
    same = await api.put(f"/knowledge-articles/{article['id']}", {"slug": "reset-guide"})
    assert same.status_code == 200


async def test_an_article_is_created_read_updated_and_deleted(api: Admin, make: Factory) -> None:
    category = await make.knowledge_category("Account")
    created = await api.created(
        "/knowledge-articles",
        {
            "title": "Reset your password",
            "content": "Steps...",
            "excerpt": "Follow these steps",
            "category_id": category.id,
            "status": "published",
        },
    )
    assert created["category"] == {"id": category.id, "name": "Account"}
    assert created["status"] == "published"
    assert created["views"] == 0
    assert await api.data(f"/knowledge-articles/{created['id']}") == created
    updated = (
        await api.put(
            f"/knowledge-articles/{created['id']}", {"category_id": None, "title": "Reset"}
        )
    ).json()["data"]
    assert updated["category"] is None
    assert updated["title"] == "Reset"
    assert updated["slug"] == "reset-your-password"
    assert (await api.delete(f"/knowledge-articles/{created['id']}")).status_code == 200
    assert (await api.get(f"/knowledge-articles/{created['id']}")).status_code == 404


async def test_new_articles_are_drafts(api: Admin) -> None:
    assert (await api.created("/knowledge-articles", {"title": "T"}))["status"] == "draft"


async def test_articles_are_listed_latest_first_with_their_category(
    api: Admin, make: Factory, frozen_clock: FrozenClock
) -> None:
    category = await make.knowledge_category("Account")
    first = await api.created("/knowledge-articles", {"title": "Old", "category_id": category.id})
    frozen_clock.advance(hours=1)
    second = await api.created("/knowledge-articles", {"title": "New"})
    listed = await api.data("/knowledge-articles")
    assert [a["id"] for a in listed] == [second["id"], first["id"]]
    assert listed[1]["category"] == {"id": category.id, "name": "Account"}


async def test_article_validation(api: Admin) -> None:
    errors = errors_of(
        await api.post(
            "/knowledge-articles",
            {"slug": "s" * 251, "excerpt": "e" * 501, "category_id": 0, "status": "x"},
        )
    )
    assert set(errors) == {"title", "slug", "excerpt", "category_id", "status"}
    assert errors_of(await api.post("/knowledge-articles", {"title": "T", "category_id": 999})) == {
        "category_id": ["The selected category id is invalid."]
    }
    assert list(errors_of(await api.post("/knowledge-articles", {"title": "x" * 251}))) == ["title"]
