"""Credentials for the REST API: internal keys with scopes, portal users' tokens."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response

from supportdesk.models import User
from tests.factories import Factory

ALL = ("*",)


class Bearer:
    def __init__(self, make: Factory) -> None:
        self.make = make

    async def key(self, *scopes: str) -> dict[str, str]:
        """Headers for an internal key holding ``scopes`` (all of them when none given)."""
        issued = await self.make.api_key("internal", scopes=scopes or ALL)
        return {"Authorization": f"Bearer {issued.raw_key}"}

    def user(self, user: User) -> dict[str, str]:
        return self.make.auth(user)


@pytest.fixture
def bearer(make: Factory) -> Bearer:
    return Bearer(make)


def assert_error(response: Response, status: int, code: str) -> dict[str, Any]:
    """The REST error body: {"error": {"code", "message", "details"}}."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    return error


async def create_ticket(
    client: AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {"subject": "Help needed", "description": "Detailed description", **fields}
    response = await client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data
