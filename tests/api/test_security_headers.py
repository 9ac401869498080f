"""Headers every answer carries: nosniff everywhere, no-store on everything under /api and
on every request with a credential; attachments shown inline only for images and PDF."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from supportdesk.app import create_app
from supportdesk.config import Settings
from supportdesk.core.enums import Role
from supportdesk.services.attachments import opens_inline
from tests.factories import PASSWORD, Factory
from tests.support import FrozenClock


def _private(response: Response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_auth_answers_are_not_stored(client: AsyncClient, make: Factory) -> None:
    user = await make.user(Role.CUSTOMER)
    login = await client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    registration = {
        "name": "Ada Obi",
        "email": "ada@example.test",
        "password": "a-long-password",
        "password_confirmation": "a-long-password",
    }

    answers = [
        login,
        await client.post("/api/auth/login", json={"email": user.email, "password": "wrong"}),
        await client.post("/api/auth/register", json=registration),
        await client.get("/api/auth/me", headers=headers),
        await client.put("/api/auth/profile", json={"name": "Ada"}, headers=headers),
        await client.post("/api/auth/refresh", headers=headers),
    ]

    assert [answer.status_code for answer in answers] == [200, 401, 201, 200, 200, 200]
    for answer in answers:
        _private(answer)


@pytest.mark.parametrize(
    ("path", "credential"),
    [
        ("/api/v1/internal/tickets", "X-API-KEY"),
        ("/api/v1/external/tickets", "X-API-KEY"),
        ("/api/v1/tickets", "Authorization"),
        ("/api/tickets_list.php?user_email=a@example.test", "Authorization"),
    ],
)
async def test_answers_to_api_keys_are_not_stored(
    client: AsyncClient, make: Factory, path: str, credential: str
) -> None:
    agent = await make.user(Role.AGENT)
    kind, agent_id = ("external", agent.id) if "/external/" in path else ("internal", None)
    key = (await make.api_key(kind, scopes=["*"], agent_id=agent_id)).raw_key
    value = key if credential == "X-API-KEY" else f"Bearer {key}"

    response = await client.get(path, headers={credential: value})

    assert response.status_code == 200, response.text
    _private(response)


async def test_refusals_under_api_are_not_stored(client: AsyncClient) -> None:
    unauthenticated = await client.get("/api/tickets")
    unknown = await client.get("/api/no-such-thing")

    assert (unauthenticated.status_code, unknown.status_code) == (401, 404)
    _private(unauthenticated)
    _private(unknown)


async def test_a_rate_limit_refusal_carries_the_headers_too(
    settings: Settings, frozen_clock: FrozenClock
) -> None:
    app: FastAPI = create_app(
        settings.model_copy(update={"rate_limit_per_minute": 1, "redis_url": ""})
    )
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        await client.get("/api/tickets")
        refused = await client.get("/api/tickets")
    await app.state.database.dispose()

    assert refused.status_code == 429
    _private(refused)


async def test_public_answers_are_nosniff_and_may_be_cached(client: AsyncClient) -> None:
    for path in ("/health", "/openapi.json"):
        response = await client.get(path)

        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Cache-Control" not in response.headers


async def test_a_credential_makes_any_answer_private(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"Authorization": "Bearer anything"})

    _private(response)


# ---------------------------------------------------------------------- attachments


async def _download(
    client: AsyncClient, make: Factory, filename: str, content_type: str
) -> Response:
    customer = await make.user(Role.CUSTOMER)
    ticket = await make.ticket(by=customer)
    headers = make.auth(customer)
    posted = await client.post(
        f"/api/tickets/{ticket.id}/messages",
        data={"body": "See the attached file"},
        files=[("attachments[]", (filename, b"<script>alert(1)</script>", content_type))],
        headers=headers,
    )
    assert posted.status_code == 201, posted.text
    attachment: dict[str, Any] = posted.json()["message"]["attachments"][0]
    return await client.get(attachment["url"], headers=headers)


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("photo.png", "image/png"),
        ("photo.jpg", "image/jpeg"),
        ("anim.gif", "image/gif"),
        ("photo.webp", "image/webp"),
        ("invoice.pdf", "application/pdf"),
    ],
)
async def test_images_and_pdf_are_shown_inline(
    client: AsyncClient, make: Factory, filename: str, content_type: str
) -> None:
    response = await _download(client, make, filename, content_type)

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert filename in response.headers["Content-Disposition"]
    _private(response)


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("page.html", "text/html"),
        ("logo.svg", "image/svg+xml"),
        ("feed.xml", "application/xml"),
        ("page.xhtml", "application/xhtml+xml"),
        ("trace.txt", "text/plain"),
        ("tool.js", "application/javascript"),
    ],
)
async def test_anything_else_is_downloaded(
    client: AsyncClient, make: Factory, filename: str, content_type: str
) -> None:
    response = await _download(client, make, filename, content_type)

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    _private(response)


@pytest.mark.parametrize(
    ("content_type", "inline"),
    [
        ("IMAGE/PNG", True),
        ("image/png; charset=binary", True),
        ("image/svg+xml", False),
        ("text/html; charset=utf-8", False),
        ("image/png-but-not", False),
        ("", False),
    ],
)
def test_the_inline_allow_list_reads_the_bare_media_type(content_type: str, inline: bool) -> None:
    assert opens_inline(content_type) is inline
