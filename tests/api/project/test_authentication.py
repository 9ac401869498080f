"""Who may call /api/external: a project's key pair, from an allowed address, and no one else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select, update

from supportdesk.core.db import Database
from supportdesk.models import ApiKey, Project, User
from tests.api.project.conftest import Connected, Connector, open_ticket, ticket_body
from tests.factories import Factory
from tests.support import FrozenClock

# Every operation of the surface, with a body it would accept.
OPERATIONS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/external/ping", None),
    ("POST", "/api/external/tickets", ticket_body()),
    ("GET", "/api/external/tickets", None),
    ("GET", "/api/external/tickets/NAIJ-2026-00001", None),
    (
        "POST",
        "/api/external/tickets/NAIJ-2026-00001/reply",
        {"body": "Still broken.", "customer_email": "tunde@gmail.test"},
    ),
    (
        "POST",
        "/api/external/tickets/NAIJ-2026-00001/close",
        {"customer_email": "tunde@gmail.test"},
    ),
]
OPERATION_IDS = [f"{method} {path.removeprefix('/api/external')}" for method, path, _ in OPERATIONS]


async def _call(
    client: AsyncClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> Response:
    return await client.request(method, path, json=body, headers=headers)


def _without(headers: dict[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key not in names}


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=OPERATION_IDS)
async def test_every_operation_works_with_the_key_pair(
    client: AsyncClient,
    naija: Connected,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    await open_ticket(client, naija)

    response = await _call(client, method, path, body, naija.headers)

    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=OPERATION_IDS)
async def test_every_operation_refuses_a_request_without_credentials(
    client: AsyncClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await _call(client, method, path, body, {"Accept": "application/json"})

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=OPERATION_IDS)
async def test_every_operation_refuses_a_wrong_secret(
    client: AsyncClient,
    naija: Connected,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    headers = {**naija.headers, "X-Api-Secret": "ss_" + "x" * 64}

    response = await _call(client, method, path, body, headers)

    assert response.status_code == 401
    assert response.json() == {"error": "Invalid API key."}


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=OPERATION_IDS)
async def test_every_operation_refuses_an_address_outside_the_allowed_ips(
    client: AsyncClient,
    connect: Connector,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    fenced = await connect("NaijaHomes", "NAIJ", allowed_ips=["10.0.0.0/8", "192.168.1.7"])

    response = await _call(client, method, path, body, fenced.headers)

    assert response.status_code == 403
    assert response.json() == {"error": "This address may not use this API key."}


async def test_a_key_without_its_secret_is_refused(client: AsyncClient, naija: Connected) -> None:
    response = await client.get(
        "/api/external/ping", headers=_without(naija.headers, "X-Api-Secret")
    )

    assert response.status_code == 401


async def test_a_secret_without_its_key_is_refused(client: AsyncClient, naija: Connected) -> None:
    response = await client.get("/api/external/ping", headers=_without(naija.headers, "X-Api-Key"))

    assert response.status_code == 401
    assert response.json() == {"error": "Both X-Api-Key and X-Api-Secret are required."}


async def test_an_unknown_key_is_refused(client: AsyncClient, naija: Connected) -> None:
    headers = {**naija.headers, "X-Api-Key": "sk_" + "y" * 43}

    response = await client.get("/api/external/ping", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": "Invalid API key."}


async def test_the_secret_of_another_pair_is_refused(
    client: AsyncClient, naija: Connected, connect: Connector
) -> None:
    other = await connect("ShopRite", "SHOP")
    headers = {**naija.headers, "X-Api-Secret": other.headers["X-Api-Secret"]}

    response = await client.get("/api/external/ping", headers=headers)

    assert response.status_code == 401


async def test_a_revoked_pair_is_refused(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == naija.key.api_key.id).values(revoked=True)
        )

    response = await client.get("/api/external/ping", headers=naija.headers)

    assert response.status_code == 401
    assert response.json() == {"error": "This API key has been revoked."}


async def test_an_expired_pair_is_refused(
    client: AsyncClient, connect: Connector, frozen_clock: FrozenClock
) -> None:
    connected = await connect(
        "NaijaHomes", "NAIJ", expires_at=frozen_clock.current + timedelta(hours=1)
    )
    frozen_clock.advance(hours=1)

    response = await client.get("/api/external/ping", headers=connected.headers)

    assert response.status_code == 401
    assert response.json() == {"error": "This API key has expired."}


async def test_a_pair_works_until_it_expires(
    client: AsyncClient, connect: Connector, frozen_clock: FrozenClock
) -> None:
    connected = await connect(
        "NaijaHomes", "NAIJ", expires_at=frozen_clock.current + timedelta(hours=1)
    )
    frozen_clock.advance(minutes=59)

    response = await client.get("/api/external/ping", headers=connected.headers)

    assert response.status_code == 200


async def test_the_pair_of_an_inactive_project_is_refused(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(Project).where(Project.id == naija.project.id).values(is_active=False)
        )

    response = await client.get("/api/external/ping", headers=naija.headers)

    assert response.status_code == 401
    assert response.json() == {"error": "The project of this API key is inactive."}


async def test_an_address_inside_an_allowed_network_is_let_in(
    client: AsyncClient, connect: Connector
) -> None:
    # The test client calls from 127.0.0.1.
    connected = await connect("NaijaHomes", "NAIJ", allowed_ips=["10.0.0.1", "127.0.0.0/8"])

    response = await client.get("/api/external/ping", headers=connected.headers)

    assert response.status_code == 200


async def test_a_portal_jwt_is_refused(client: AsyncClient, make: Factory) -> None:
    admin = await make.user("admin")

    response = await client.get("/api/external/ping", headers=make.auth(admin))

    assert response.status_code == 401


@pytest.mark.parametrize("key_type", ["internal", "external"])
async def test_an_internal_or_agent_key_is_refused(
    client: AsyncClient, make: Factory, key_type: str
) -> None:
    agent = await make.user("agent")
    issued = await make.api_key(key_type, agent_id=agent.id if key_type == "external" else None)

    alone = await client.get("/api/external/ping", headers={"X-Api-Key": issued.raw_key})
    with_secret = await client.get(
        "/api/external/ping",
        headers={"X-Api-Key": issued.raw_key, "X-Api-Secret": "ss_" + "z" * 64},
    )

    assert alone.status_code == 401
    assert with_secret.status_code == 401


async def test_a_project_pair_is_refused_by_the_portal(
    client: AsyncClient, naija: Connected
) -> None:
    response = await client.get("/api/tickets", headers=naija.headers)

    assert response.status_code == 401


async def test_a_refused_request_changes_nothing(
    client: AsyncClient, naija: Connected, database: Database
) -> None:
    headers = {**naija.headers, "X-Api-Secret": "ss_" + "x" * 64}

    response = await client.post("/api/external/tickets", json=ticket_body(), headers=headers)

    assert response.status_code == 401
    async with database.transaction() as session:
        customer = await session.scalar(select(User).where(User.email == "tunde@gmail.test"))
    assert customer is None


async def test_credentials_are_checked_before_the_body(client: AsyncClient) -> None:
    response = await client.post(
        "/api/external/tickets",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 401
