"""Knowledge base articles through the REST API; collections are knowledge categories."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.api.rest.conftest import Bearer, assert_error
from tests.factories import Factory
from tests.support import FrozenClock


async def _create(client: AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/articles",
        json={"title": "How to reset password", "body": "Article content in markdown...", **body},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _titles(client: AsyncClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = await client.get("/api/v1/articles", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [row["title"] for row in response.json()["data"]]


async def test_the_reference_example_creates_a_draft(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    collection = await make.knowledge_category("Accounts")

    data = await _create(
        client,
        await bearer.key("knowledge-articles:create"),
        collection_id=f"col_{collection.id}",
        status="draft",
    )

    assert data["id"].startswith("art_")
    assert data["title"] == "How to reset password"
    assert data["slug"] == "how-to-reset-password"
    assert data["body"] == "Article content in markdown..."
    assert data["collection_id"] == f"col_{collection.id}"
    assert data["status"] == "draft"


async def test_get_patch_and_delete_an_article(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    collection = await make.knowledge_category()
    headers = await bearer.key()
    created = await _create(client, headers)
    url = f"/api/v1/articles/{created['id']}"

    read = await client.get(url, headers=headers)
    patched = await client.patch(
        url,
        json={"body": "New text", "status": "published", "collection_id": f"col_{collection.id}"},
        headers=headers,
    )
    deleted = await client.delete(url, headers=headers)
    gone = await client.get(url, headers=headers)

    assert read.json()["data"] == created
    assert patched.status_code == 200, patched.text
    data = patched.json()["data"]
    assert (data["title"], data["body"], data["status"]) == (
        "How to reset password",
        "New text",
        "published",
    )
    assert data["collection_id"] == f"col_{collection.id}"
    assert deleted.json()["data"] == {"id": created["id"], "deleted": True}
    assert_error(gone, 404, "NOT_FOUND")


async def test_list_filters_by_collection_status_and_search(
    client: AsyncClient, bearer: Bearer, make: Factory, frozen_clock: FrozenClock
) -> None:
    collection = await make.knowledge_category()
    headers = await bearer.key()
    await _create(client, headers, title="Reset password", collection_id=f"col_{collection.id}")
    frozen_clock.advance(seconds=1)
    await _create(client, headers, title="Invoices", body="Download a PDF", status="published")

    assert await _titles(client, headers) == ["Invoices", "Reset password"]
    assert await _titles(client, headers, collection_id=f"col_{collection.id}") == [
        "Reset password"
    ]
    assert await _titles(client, headers, status="published") == ["Invoices"]
    assert await _titles(client, headers, search="pdf") == ["Invoices"]
    assert await _titles(client, headers, search="!!") == []


async def test_invalid_articles_are_400(client: AsyncClient, bearer: Bearer, make: Factory) -> None:
    headers = await bearer.key()
    created = await _create(client, headers)

    for body, field in (
        ({"body": "no title"}, "title"),
        ({"title": "x", "status": "archived"}, "status"),
        ({"title": "x", "collection_id": "42"}, "collection_id"),
    ):
        response = await client.post("/api/v1/articles", json=body, headers=headers)
        assert field in assert_error(response, 400, "BAD_REQUEST")["details"]
    nulled = await client.patch(
        f"/api/v1/articles/{created['id']}", json={"title": None}, headers=headers
    )
    unknown_collection = await client.post(
        "/api/v1/articles", json={"title": "x", "collection_id": "col_999"}, headers=headers
    )
    assert "title" in assert_error(nulled, 400, "BAD_REQUEST")["details"]
    assert_error(unknown_collection, 400, "BAD_REQUEST")
    assert_error(
        await client.get("/api/v1/articles", params={"status": "gone"}, headers=headers),
        400,
        "BAD_REQUEST",
    )


async def test_an_unknown_collection_is_reported_as_collection_id(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    created = await _create(client, headers)

    posted = await client.post(
        "/api/v1/articles", json={"title": "x", "collection_id": "col_999"}, headers=headers
    )
    patched = await client.patch(
        f"/api/v1/articles/{created['id']}", json={"collection_id": "col_999"}, headers=headers
    )

    for response in (posted, patched):
        assert assert_error(response, 400, "BAD_REQUEST")["details"] == {
            "collection_id": ["The selected collection id is invalid."]
        }


async def test_unknown_and_malformed_articles_are_404(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()

    for method, url in (
        ("get", "/api/v1/articles/art_999"),
        ("get", "/api/v1/articles/how-to-reset"),
        ("patch", "/api/v1/articles/art_999"),
        ("delete", "/api/v1/articles/col_1"),
    ):
        kwargs: dict[str, Any] = {"json": {"title": "x"}} if method == "patch" else {}
        response = await client.request(method, url, headers=headers, **kwargs)
        assert_error(response, 404, "NOT_FOUND")


async def test_a_key_with_the_read_scopes_reads_articles_but_cannot_write_them(
    client: AsyncClient, bearer: Bearer
) -> None:
    created = await _create(client, await bearer.key())
    url = f"/api/v1/articles/{created['id']}"
    reader = await bearer.key("knowledge-articles:list", "knowledge-articles:read")

    assert (await client.get(url, headers=reader)).status_code == 200
    for response in (
        await client.post("/api/v1/articles", json={"title": "x"}, headers=reader),
        await client.patch(url, json={"title": "x"}, headers=reader),
        await client.delete(url, headers=reader),
    ):
        assert_error(response, 403, "FORBIDDEN")


async def test_admins_see_drafts_and_published_articles(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    admin = await make.user("admin")
    await _create(client, await bearer.key(), title="Draft", status="draft")
    await _create(client, await bearer.key(), title="Live", status="published")

    assert sorted(await _titles(client, bearer.user(admin))) == ["Draft", "Live"]


async def test_agents_and_customers_read_published_articles_only(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    draft = await _create(client, await bearer.key(), title="Draft", status="draft")
    live = await _create(client, await bearer.key(), title="Live", status="published")

    for role in ("agent", "customer"):
        headers = bearer.user(await make.user(role))
        assert await _titles(client, headers) == ["Live"]
        assert await _titles(client, headers, status="draft") == ["Live"]
        live_response = await client.get(f"/api/v1/articles/{live['id']}", headers=headers)
        assert live_response.status_code == 200, live_response.text
        draft_response = await client.get(f"/api/v1/articles/{draft['id']}", headers=headers)
        assert_error(draft_response, 404, "NOT_FOUND")


async def test_only_admins_write_articles_with_a_token(
    client: AsyncClient, bearer: Bearer, make: Factory
) -> None:
    for role in ("agent", "customer"):
        headers = bearer.user(await make.user(role))
        response = await client.post("/api/v1/articles", json={"title": "x"}, headers=headers)
        assert_error(response, 403, "FORBIDDEN")
