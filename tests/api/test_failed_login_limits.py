"""Failed logins are limited per client address, whatever e-mails they name, and the
client address behind a trusted proxy is the one it forwards (and only then).

Each test runs on an app of its own with the limits it names, counting in-process and,
when the suite has a Redis, in Redis.
"""

from __future__ import annotations

import ipaddress
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from supportdesk.app import create_app
from supportdesk.config import Settings
from supportdesk.core.enums import Role
from supportdesk.core.rate_limit import RedisRateLimiter
from tests.factories import PASSWORD, Factory
from tests.support import FrozenClock

REDIS_URL = os.environ.get("SUPPORTDESK_TEST_REDIS_URL", "")
BACKENDS = ["memory", *(["redis"] if REDIS_URL else [])]
PROXY = "10.0.0.1"
FAILED_LIMIT = 3
TOO_MANY_FAILURES = {
    "error": "Too many failed login attempts from this address. Please try again later."
}

ClientFor = Callable[..., Awaitable[AsyncClient]]


@pytest.fixture(params=BACKENDS)
async def proxied_app(
    request: pytest.FixtureRequest, settings: Settings, frozen_clock: FrozenClock
) -> AsyncIterator[FastAPI]:
    """An app allowing 3 failed logins a minute per address, behind the proxy 10.0.0.1."""
    limited = create_app(
        settings.model_copy(
            update={
                "redis_url": "",
                "failed_login_rate_limit_per_minute": FAILED_LIMIT,
                "trusted_proxies": (ipaddress.ip_network(PROXY),),
            }
        )
    )
    if request.param == "redis":
        namespace = f"supportdesk-test:{uuid.uuid4().hex}:"
        limited.state.rate_limiter = RedisRateLimiter(REDIS_URL, namespace=namespace)
    yield limited
    await limited.state.rate_limiter.aclose()
    await limited.state.database.dispose()


@pytest.fixture
async def client_at(proxied_app: FastAPI) -> AsyncIterator[ClientFor]:
    """``await client_at("198.51.100.1")``: a client whose socket peer is that address."""
    clients: list[AsyncClient] = []

    async def client_for(peer: str) -> AsyncClient:
        transport = ASGITransport(app=proxied_app, client=(peer, 50000))
        client = AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        return client

    yield client_for
    for client in clients:
        await client.aclose()


WRONG = "not-the-password"


async def _login(
    client: AsyncClient, email: str, password: str = WRONG, forwarded_for: str | None = None
) -> Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return await client.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=headers
    )


async def test_failed_logins_naming_many_emails_from_one_address_are_stopped(
    client_at: ClientFor, make: Factory
) -> None:
    client = await client_at("198.51.100.1")
    user = await make.user(Role.CUSTOMER)
    for n in range(FAILED_LIMIT):
        assert (await _login(client, f"sprayed{n}@example.test")).status_code == 401

    refused = await _login(client, user.email, PASSWORD)

    assert refused.status_code == 429
    assert refused.json() == TOO_MANY_FAILURES
    assert refused.headers["Retry-After"] == "60"
    assert refused.headers["X-RateLimit-Limit"] == str(FAILED_LIMIT)


async def test_successful_logins_are_no_failures(client_at: ClientFor, make: Factory) -> None:
    client = await client_at("198.51.100.1")
    user = await make.user(Role.CUSTOMER)
    for _ in range(FAILED_LIMIT + 1):
        assert (await _login(client, user.email, PASSWORD)).status_code == 200

    assert (await _login(client, "someone@example.test")).status_code == 401


async def test_failed_logins_of_one_address_leave_another_address_alone(
    client_at: ClientFor, make: Factory
) -> None:
    sprayer = await client_at("198.51.100.1")
    neighbour = await client_at("198.51.100.2")
    user = await make.user(Role.CUSTOMER)
    for n in range(FAILED_LIMIT):
        await _login(sprayer, f"sprayed{n}@example.test")

    assert (await _login(neighbour, user.email, PASSWORD)).status_code == 200


async def test_x_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_limit(
    client_at: ClientFor,
) -> None:
    client = await client_at("198.51.100.1")
    for n in range(FAILED_LIMIT):
        await _login(client, f"sprayed{n}@example.test", forwarded_for=f"203.0.113.{n}")

    refused = await _login(client, "next@example.test", forwarded_for="203.0.113.99")

    assert refused.status_code == 429


async def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_apart(
    client_at: ClientFor, make: Factory
) -> None:
    proxy = await client_at(PROXY)
    user = await make.user(Role.CUSTOMER)
    for n in range(FAILED_LIMIT):
        await _login(proxy, f"sprayed{n}@example.test", forwarded_for="203.0.113.1")

    sprayer = await _login(proxy, "next@example.test", forwarded_for="203.0.113.1")
    other = await _login(proxy, user.email, PASSWORD, forwarded_for="203.0.113.2")
    # What the client wrote left of its own address is no address of its own.
    spoofing = await _login(proxy, "x@example.test", forwarded_for="192.0.2.8, 203.0.113.1")

    assert (sprayer.status_code, other.status_code, spoofing.status_code) == (429, 200, 429)


async def test_a_project_key_sees_the_forwarded_client_address(
    client_at: ClientFor, make: Factory
) -> None:
    project = await make.project()
    pair = await make.api_key("project", project_id=project.id, allowed_ips=["203.0.113.0/24"])
    assert pair.raw_secret is not None
    headers = {"X-Api-Key": pair.raw_key, "X-Api-Secret": pair.raw_secret}
    proxy = await client_at(PROXY)

    allowed = await proxy.get(
        "/api/external/ping", headers={**headers, "X-Forwarded-For": "203.0.113.5"}
    )
    refused = await proxy.get(
        "/api/external/ping", headers={**headers, "X-Forwarded-For": "198.51.100.5"}
    )

    assert (allowed.status_code, refused.status_code) == (200, 403)
