"""Internal keys for the internal admin API's tests."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response

from tests.factories import Factory

BASE = "/api/v1/internal"


class Admin:
    """An internal key holding every scope, and requests made with it."""

    def __init__(self, client: AsyncClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    async def get(self, path: str, **params: Any) -> Response:
        return await self.client.get(BASE + path, params=params, headers=self.headers)

    async def post(self, path: str, body: Any = None) -> Response:
        return await self.client.post(BASE + path, json=body, headers=self.headers)

    async def put(self, path: str, body: Any = None) -> Response:
        return await self.client.put(BASE + path, json=body, headers=self.headers)

    async def delete(self, path: str) -> Response:
        return await self.client.delete(BASE + path, headers=self.headers)

    async def data(self, path: str, **params: Any) -> Any:
        """GET ``path`` expecting 200; its ``data``."""
        response = await self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    async def created(self, path: str, body: Any) -> Any:
        """POST ``path`` expecting 201; its ``data``."""
        response = await self.post(path, body)
        assert response.status_code == 201, response.text
        return response.json()["data"]


@pytest.fixture
async def api(client: AsyncClient, make: Factory) -> Admin:
    issued = await make.api_key("internal", scopes=["*"])
    return Admin(client, {"X-API-KEY": issued.raw_key})


def errors_of(response: Response) -> dict[str, list[str]]:
    """The field errors of a 422 in the internal API's format."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status"] is False
    errors: dict[str, list[str]] = body["errors"]
    return errors
