"""/docs (Swagger UI) and /redoc work offline: every script, style and icon they load
comes from this server; operations open collapsed, grouped by surface."""

from __future__ import annotations

import re

import pytest
from httpx import AsyncClient

from supportdesk.api.docs import OPENAPI_TAGS

PAGES = ("/docs", "/redoc")
# src="…" and href="…" of the page, and the schema Swagger UI is pointed at.
_LINKED = re.compile(r"""(?:src|href|spec-url)="([^"]+)"|url: '([^']+)'""")
_CONTENT_TYPES = {
    ".js": "javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}
SURFACE_SECTIONS = (
    "portal: auth",
    "project: tickets",
    "internal",
    "agent",
    "rest",
    "legacy",
)


def _linked_urls(html: str) -> list[str]:
    return [first or second for first, second in _LINKED.findall(html)]


@pytest.mark.parametrize("page", PAGES)
async def test_a_docs_page_links_only_to_this_server(client: AsyncClient, page: str) -> None:
    response = await client.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    urls = _linked_urls(response.text)
    assert len(urls) >= 3  # the script, the icon and the schema at least
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert "http://" not in response.text
    assert "https://" not in response.text


@pytest.mark.parametrize("page", PAGES)
async def test_every_asset_a_docs_page_links_to_is_served_with_its_type(
    client: AsyncClient, page: str
) -> None:
    html = (await client.get(page)).text

    for url in _linked_urls(html):
        answer = await client.get(url)
        assert answer.status_code == 200, url
        suffix = url[url.rfind(".") :]
        assert _CONTENT_TYPES[suffix] in answer.headers["content-type"], url
        assert answer.content, url


async def test_swagger_ui_lists_operations_collapsed(client: AsyncClient) -> None:
    html = (await client.get("/docs")).text

    assert '"docExpansion": "none"' in html


async def test_swagger_ui_sends_the_schema_to_no_online_validator(client: AsyncClient) -> None:
    html = (await client.get("/docs")).text

    assert '"validatorUrl": null' in html


async def test_the_docs_pages_are_not_operations_of_the_schema(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    assert not [path for path in schema["paths"] if path.startswith(("/docs", "/redoc"))]


async def test_an_unknown_asset_is_404(client: AsyncClient) -> None:
    response = await client.get("/docs/assets/nothing.js")

    assert response.status_code == 404


async def test_the_schema_lists_the_surfaces_in_order_with_their_texts(
    client: AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()

    assert [tag["name"] for tag in schema["tags"]] == [tag["name"] for tag in OPENAPI_TAGS]


async def test_redoc_groups_the_tags_by_surface(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()

    grouped = [tag for group in schema["x-tagGroups"] for tag in group["tags"]]
    assert sorted(grouped) == sorted(tag["name"] for tag in OPENAPI_TAGS)
    portal = next(group for group in schema["x-tagGroups"] if group["name"] == "Portal")
    assert all(tag.startswith("portal: ") for tag in portal["tags"])


@pytest.mark.parametrize("section", SURFACE_SECTIONS)
async def test_each_surface_section_says_who_how_errors_ids_and_pages(
    client: AsyncClient, section: str
) -> None:
    tags = {tag["name"]: tag for tag in (await client.get("/openapi.json")).json()["tags"]}

    text = tags[section]["description"]
    for heading in ("**Who**", "**Authentication**", "**Errors**", "**Ids**", "**Pagination**"):
        assert heading in text, heading


async def test_no_section_speaks_of_anything_but_supportdesk(client: AsyncClient) -> None:
    tags = (await client.get("/openapi.json")).json()["tags"]

    assert not [tag["name"] for tag in tags if "seed" in tag["description"].lower()]
