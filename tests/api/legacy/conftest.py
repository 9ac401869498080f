"""An internal key, and requests sent the way the reference's curl examples send them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from httpx import AsyncClient, Response

from supportdesk.services.api_keys import IssuedKey
from tests.factories import Factory

# The scopes the simple ticket API asks of a key, one per script.
LEGACY_SCOPES = ("tickets:create", "tickets:list", "tickets:read", "messages:create")


@pytest.fixture
async def key(make: Factory) -> IssuedKey:
    return await make.api_key("internal", name="Mobile SDK", scopes=LEGACY_SCOPES)


def bearer(key: IssuedKey | str) -> dict[str, str]:
    raw = key if isinstance(key, str) else key.raw_key
    return {"Authorization": f"Bearer {raw}"}


async def curl(
    client: AsyncClient,
    method: str,
    url: str,
    key: IssuedKey | str,
    data: Sequence[str] = (),
) -> Response:
    """What ``curl -X METHOD URL -H "Authorization: Bearer …" -d "a=b" -d "c=d"`` sends.

    curl joins its ``-d`` arguments with ``&`` and sends them as they are written (no
    encoding), as ``application/x-www-form-urlencoded``.
    """
    headers = bearer(key)
    content = None
    if data:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        content = "&".join(data).encode()
    return await client.request(method, url, headers=headers, content=content)


async def create(client: AsyncClient, key: IssuedKey | str, **fields: Any) -> Response:
    """POST /api/tickets_create.php with form fields (custom_fields given as an object)."""
    form: dict[str, Any] = {
        "subject": "Test Ticket",
        "message": "This is a test.",
        "user_email": "user@example.com",
        **fields,
    }
    if isinstance(form.get("custom_fields"), dict):
        form["custom_fields"] = json.dumps(form["custom_fields"])
    return await client.post("/api/tickets_create.php", headers=bearer(key), data=form)


async def created_id(client: AsyncClient, key: IssuedKey | str, **fields: Any) -> int:
    response = await create(client, key, **fields)
    assert response.status_code == 200, response.text
    ticket_id: int = response.json()["ticket_id"]
    return ticket_id
