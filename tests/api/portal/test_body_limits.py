"""Request bodies are bounded: SUPPORTDESK_MAX_BODY_KB, and more for attachments."""

from __future__ import annotations

from collections.abc import AsyncIterator

from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.models import Ticket
from tests.factories import Factory


def _ticket_over(settings: Settings) -> dict[str, object]:
    """A new ticket whose metadata (a field of no length of its own) passes the limit."""
    padding = "x" * settings.max_body_bytes
    return {"project_id": 1, "subject": "Big", "description": "Big", "metadata": {"p": padding}}


async def _tickets(database: Database) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(Ticket)) or 0)


async def test_a_body_over_the_limit_is_refused_with_413_in_the_portal_format(
    client: AsyncClient, make: Factory, settings: Settings, database: Database
) -> None:
    customer = await make.user("customer")

    response = await client.post(
        "/api/tickets", json=_ticket_over(settings), headers=make.auth(customer)
    )

    assert response.status_code == 413
    assert response.json() == {"error": "The request body must not exceed 1 MB."}
    assert await _tickets(database) == 0


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    client: AsyncClient, make: Factory, settings: Settings
) -> None:
    customer = await make.user("customer")
    sent: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        sent.append(1)
        yield b"{}"

    response = await client.post(
        "/api/tickets",
        content=body(),
        headers={
            "Content-Type": "application/json",
            "Content-Length": str(settings.max_body_bytes + 1),
            **make.auth(customer),
        },
    )

    assert response.status_code == 413
    assert "error" in response.json()
    assert sent == []


async def test_a_chunked_body_is_counted_and_refused_once_over_the_limit(
    client: AsyncClient, make: Factory, settings: Settings, database: Database
) -> None:
    customer = await make.user("customer")
    chunk = b" " * 64 * 1024
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"project_id": 1, "subject": "Chunked", "description": "Chunked"'
        while sent <= 2 * settings.max_body_bytes:
            sent += len(chunk)
            yield chunk
        yield b"}"

    response = await client.post(
        "/api/tickets",
        content=body(),
        headers={"Content-Type": "application/json", **make.auth(customer)},
    )

    assert response.status_code == 413
    assert response.json() == {"error": "The request body must not exceed 1 MB."}
    assert await _tickets(database) == 0


async def test_attachments_may_make_a_multipart_body_larger_than_the_limit(
    client: AsyncClient, make: Factory, settings: Settings
) -> None:
    customer = await make.user("customer")
    # Two files, each within the attachment limit, together over the body limit.
    size = settings.max_attachment_bytes * 3 // 4
    assert 2 * size > settings.max_body_bytes
    files = [
        ("attachments[]", (f"part{n}.bin", bytes([n]) * size, "application/octet-stream"))
        for n in range(2)
    ]
    form = {"project_id": "1", "subject": "Logs", "description": "Two large logs"}

    response = await client.post(
        "/api/tickets", data=form, files=files, headers=make.auth(customer)
    )

    assert response.status_code == 201, response.text


async def test_more_attachments_than_a_request_may_carry_are_refused(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user("customer")
    files = [("attachments[]", (f"f{n}.txt", b"small", "text/plain")) for n in range(11)]
    form = {"project_id": "1", "subject": "Files", "description": "Eleven files"}

    response = await client.post(
        "/api/tickets", data=form, files=files, headers=make.auth(customer)
    )

    assert response.status_code == 400
    assert "error" in response.json()
    assert await _tickets(database) == 0
