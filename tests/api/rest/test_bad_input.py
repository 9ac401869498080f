"""Bad input on the REST API is a 4xx in its error format, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from httpx import AsyncClient

from supportdesk.config import Settings
from tests.api.rest.conftest import Bearer, assert_error

LISTS = ("tickets", "conversations", "customers", "users", "tags", "articles")


def _encoded(document: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


# Instants that parse, but fall outside the calendar a datetime holds once moved to UTC,
# and timestamps that are no instant at all.
BAD_CURSORS = (
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-30T00:00:00Z",
    "2026-01-01T00:00:00+24:00",
    _encoded({"o": "created_at", "d": "desc", "v": "0001-01-01T00:00:00+14:00", "i": 1}),
)


@pytest.mark.parametrize("cursor", BAD_CURSORS)
@pytest.mark.parametrize("resource", LISTS)
async def test_a_cursor_of_an_impossible_instant_is_400_on_every_list(
    client: AsyncClient, bearer: Bearer, resource: str, cursor: str
) -> None:
    response = await client.get(
        f"/api/v1/{resource}",
        params={"cursor": cursor, "order_by": "created_at"},
        headers=await bearer.key(),
    )

    error = assert_error(response, 400, "BAD_REQUEST")
    assert "cursor" in error["details"]


async def test_deeply_nested_json_is_400(client: AsyncClient, bearer: Bearer) -> None:
    nested = "[" * 400 + "]" * 400
    body = '{"subject": "Deep", "description": "Deep", "tags": ' + nested + "}"

    response = await client.post(
        "/api/v1/tickets",
        content=body,
        headers={"Content-Type": "application/json", **await bearer.key()},
    )

    assert_error(response, 400, "BAD_REQUEST")


async def test_a_body_over_the_limit_is_413_in_the_rest_format(
    client: AsyncClient, bearer: Bearer, settings: Settings
) -> None:
    body = {"subject": "Big", "description": "x" * settings.max_body_bytes}

    response = await client.post("/api/v1/tickets", json=body, headers=await bearer.key())

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
