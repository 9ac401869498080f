"""Connected projects and their key pairs, for the external-project API's tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient, Response

from supportdesk.models import Project
from supportdesk.services.api_keys import IssuedKey
from tests.factories import Factory


@dataclass(frozen=True)
class Connected:
    """A project with one key pair, as a connected site would hold it in its .env."""

    project: Project
    key: IssuedKey

    @property
    def headers(self) -> dict[str, str]:
        assert self.key.raw_secret is not None
        return {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Api-Key": self.key.raw_key,
            "X-Api-Secret": self.key.raw_secret,
        }


class Connector:
    def __init__(self, make: Factory) -> None:
        self.make = make

    async def __call__(self, name: str, prefix: str, **key_fields: Any) -> Connected:
        project = await self.make.project(name, slug=name.lower(), ticket_prefix=prefix)
        key = await self.make.api_key("project", project_id=project.id, **key_fields)
        return Connected(project, key)


@pytest.fixture
def connect(make: Factory) -> Connector:
    """Connect a project: ``await connect("NaijaHomes", "NAIJ", allowed_ips=[…])``."""
    return Connector(make)


@pytest.fixture
async def naija(connect: Connector) -> Connected:
    return await connect("NaijaHomes", "NAIJ")


def ticket_body(**overrides: Any) -> dict[str, Any]:
    """The reference's example request to POST /api/external/tickets."""
    return {
        "customer_name": "Tunde Adeyemi",
        "customer_email": "tunde@gmail.test",
        "customer_id": "USR-98231",
        "subject": "Cannot upload property photos",
        "description": "Upload button does nothing on Chrome...",
        "priority": "high",
        "metadata": {"listing_id": "LST-00421", "browser": "Chrome 124", "platform": "web"},
        **overrides,
    }


async def open_ticket(
    client: AsyncClient, connected: Connected, **overrides: Any
) -> dict[str, Any]:
    """Open a ticket through the external API; returns its 201 body."""
    response: Response = await client.post(
        "/api/external/tickets", json=ticket_body(**overrides), headers=connected.headers
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
