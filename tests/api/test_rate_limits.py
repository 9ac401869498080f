"""Rate limits on every surface: per credential, per address when anonymous, per login.

Each test runs on an app of its own with the limits it names (the shared test app has
limits too high to reach), counting in-process and, when the suite has a Redis, in Redis.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

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
DEFAULT_LIMIT = Settings.model_fields["rate_limit_per_minute"].default
DEFAULT_LOGIN_LIMIT = Settings.model_fields["login_rate_limit_per_minute"].default
# The frozen clock's instant, 2026-03-02 09:00:00 UTC, and the end of its minute.
MINUTE_END = 1772442060

ClientFactory = Callable[..., Awaitable[AsyncClient]]


@pytest.fixture(params=BACKENDS)
async def limited(
    request: pytest.FixtureRequest, settings: Settings, frozen_clock: FrozenClock
) -> AsyncIterator[ClientFactory]:
    """``await limited(per_minute=…, login_per_minute=…, address=…)``: a client of an app
    with those limits. Apps made with the same ``shared`` name count together, like server
    processes sharing one Redis."""
    namespace = f"supportdesk-test:{uuid.uuid4().hex}:"
    apps: dict[tuple[int, int, str], FastAPI] = {}
    async with AsyncExitStack() as stack:

        async def client_for(
            per_minute: int = DEFAULT_LIMIT,
            login_per_minute: int = DEFAULT_LOGIN_LIMIT,
            address: str = "127.0.0.1",
            process: str = "one",
        ) -> AsyncClient:
            app_key = (per_minute, login_per_minute, process)
            if app_key not in apps:
                app = create_app(
                    settings.model_copy(
                        update={
                            "rate_limit_per_minute": per_minute,
                            "login_rate_limit_per_minute": login_per_minute,
                            "redis_url": "",
                        }
                    )
                )
                if request.param == "redis":
                    app.state.rate_limiter = RedisRateLimiter(REDIS_URL, namespace=namespace)
                stack.push_async_callback(app.state.database.dispose)
                stack.push_async_callback(app.state.rate_limiter.aclose)
                apps[app_key] = app
            transport = ASGITransport(app=apps[app_key], client=(address, 50000))
            return await stack.enter_async_context(
                AsyncClient(transport=transport, base_url="http://testserver")
            )

        yield client_for


def _limit_headers(response: Response) -> tuple[str, str, str]:
    return (
        response.headers["X-RateLimit-Limit"],
        response.headers["X-RateLimit-Remaining"],
        response.headers["X-RateLimit-Reset"],
    )


async def _credentials(make: Factory, surface: str) -> dict[str, str]:
    if surface == "portal":
        return make.auth(await make.user(Role.CUSTOMER))
    if surface == "project":
        project = await make.project()
        pair = await make.api_key("project", project_id=project.id)
        assert pair.raw_secret is not None
        return {"X-Api-Key": pair.raw_key, "X-Api-Secret": pair.raw_secret}
    if surface == "agent":
        agent = await make.user(Role.AGENT)
        return {"X-API-KEY": (await make.api_key("external", agent_id=agent.id)).raw_key}
    key = (await make.api_key("internal", scopes=["*"])).raw_key
    return {"X-API-KEY": key} if surface == "internal" else {"Authorization": f"Bearer {key}"}


TOO_MANY: dict[str, Any] = {
    "portal": {"error": "Too many requests."},
    "project": {"error": "Too many requests."},
    "internal": {"status": False, "message": "Too many requests."},
    "agent": {"status": False, "message": "Too many requests."},
    "rest": {
        "error": {"code": "TOO_MANY_REQUESTS", "message": "Too many requests.", "details": {}}
    },
    "legacy": {"success": False, "error": "Too many requests."},
}
PATHS = {
    "portal": "/api/tickets",
    "project": "/api/external/ping",
    "internal": "/api/v1/internal/tickets",
    "agent": "/api/v1/external/tickets",
    "rest": "/api/v1/tickets",
    "legacy": "/api/tickets_list.php?user_email=user@example.com",
}


async def test_the_601st_request_in_a_minute_is_429_on_every_surface_in_its_format(
    limited: ClientFactory, make: Factory, frozen_clock: FrozenClock
) -> None:
    client = await limited()
    key = (await make.api_key("internal", scopes=["*"])).raw_key
    headers = {"X-API-KEY": key}
    frozen_clock.advance(seconds=20)

    # One credential, counted wherever it goes: 100 requests to each surface.
    remaining = []
    for _ in range(100):
        for path in PATHS.values():
            response = await client.get(path, headers=headers)
            assert response.status_code != 429
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    refused = {surface: await client.get(path, headers=headers) for surface, path in PATHS.items()}

    assert remaining == list(range(599, -1, -1))
    for surface, response in refused.items():
        assert response.status_code == 429, surface
        assert response.json() == TOO_MANY[surface], surface
        assert response.headers["Retry-After"] == "40"
        assert _limit_headers(response) == ("600", "0", str(MINUTE_END))


@pytest.mark.parametrize("surface", list(PATHS))
async def test_each_surfaces_credential_is_limited(
    limited: ClientFactory, make: Factory, surface: str
) -> None:
    client = await limited(per_minute=1)
    headers = await _credentials(make, surface)
    allowed = await client.get(PATHS[surface], headers=headers)

    refused = await client.get(PATHS[surface], headers=headers)

    assert allowed.status_code != 429
    assert refused.status_code == 429
    assert refused.json() == TOO_MANY[surface]
    assert refused.headers["Retry-After"] == "60"


async def test_every_response_carries_the_limit_headers(
    limited: ClientFactory, make: Factory
) -> None:
    client = await limited(per_minute=5)
    key = await make.api_key("internal", scopes=["*"])
    headers = {"Authorization": f"Bearer {key.raw_key}"}

    ok = await client.get("/api/tickets_list.php?user_email=a@example.com", headers=headers)
    missing = await client.get("/api/no-such-script.php", headers=headers)
    invalid = await client.get("/api/ticket_view.php?ticket_id=x", headers=headers)

    assert ok.status_code == 200
    assert _limit_headers(ok) == ("5", "4", str(MINUTE_END))
    assert missing.status_code == 404
    assert _limit_headers(missing) == ("5", "3", str(MINUTE_END))
    assert invalid.status_code == 422
    assert _limit_headers(invalid) == ("5", "2", str(MINUTE_END))
    assert "Retry-After" not in ok.headers


async def test_each_credential_has_its_own_allowance(limited: ClientFactory, make: Factory) -> None:
    client = await limited(per_minute=2)
    first = {"X-API-KEY": (await make.api_key("internal")).raw_key}
    second = {"X-API-KEY": (await make.api_key("internal")).raw_key}
    for _ in range(2):
        await client.get("/api/v1/internal/tickets", headers=first)

    assert (await client.get("/api/v1/internal/tickets", headers=first)).status_code == 429
    response = await client.get("/api/v1/internal/tickets", headers=second)
    assert response.status_code != 429
    assert response.headers["X-RateLimit-Remaining"] == "1"


async def test_a_key_counts_alike_in_either_header_and_on_every_surface(
    limited: ClientFactory, make: Factory
) -> None:
    client = await limited(per_minute=2)
    key = (await make.api_key("internal", scopes=["*"])).raw_key
    await client.get("/api/v1/internal/tickets", headers={"X-API-KEY": key})
    await client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {key}"})

    response = await client.get(
        "/api/tickets_list.php?user_email=a@example.com", headers={"Authorization": f"Bearer {key}"}
    )

    assert response.status_code == 429
    assert response.json() == TOO_MANY["legacy"]


async def test_an_address_sending_made_up_keys_is_stopped(
    limited: ClientFactory, make: Factory
) -> None:
    here = await limited(per_minute=2, address="192.0.2.10")
    elsewhere = await limited(per_minute=2, address="192.0.2.11")
    valid = {"X-API-KEY": (await make.api_key("internal", scopes=["*"])).raw_key}
    for n in range(2):
        guessed = await here.get("/api/v1/internal/tickets", headers={"X-API-KEY": f"sdk_guess{n}"})
        assert guessed.status_code == 401

    refused = await here.get("/api/v1/internal/tickets", headers=valid)

    assert refused.status_code == 429
    assert refused.json() == {
        "status": False,
        "message": "Too many failed authentication attempts. Please try again later.",
    }
    assert (await elsewhere.get("/api/v1/internal/tickets", headers=valid)).status_code == 200


async def test_a_users_tokens_share_one_allowance(limited: ClientFactory, make: Factory) -> None:
    client = await limited(per_minute=2)
    user = await make.user(Role.CUSTOMER)
    await client.get("/api/tickets", headers=make.auth(user))
    await client.get("/api/tickets", headers=make.auth(user))

    response = await client.get("/api/tickets", headers=make.auth(user))

    assert response.status_code == 429
    other = await make.user(Role.CUSTOMER)
    assert (await client.get("/api/tickets", headers=make.auth(other))).status_code == 200


async def test_anonymous_requests_are_counted_per_client_address(
    limited: ClientFactory,
) -> None:
    first = await limited(per_minute=2, address="203.0.113.7")
    second = await limited(per_minute=2, address="203.0.113.8")
    for _ in range(2):
        await first.get("/api/tickets")

    refused = await first.get("/api/tickets")

    assert refused.status_code == 429
    assert refused.json() == TOO_MANY["portal"]
    assert (await second.get("/api/tickets")).status_code == 401


async def test_a_made_up_token_counts_as_anonymous(limited: ClientFactory) -> None:
    client = await limited(per_minute=2)
    await client.get("/api/tickets", headers={"Authorization": "Bearer not.a.jwt"})
    await client.get("/api/tickets", headers={"Authorization": "Bearer another.made-up.one"})

    response = await client.get("/api/tickets")

    assert response.status_code == 429


async def test_the_count_starts_again_with_the_next_minute(
    limited: ClientFactory, make: Factory, frozen_clock: FrozenClock
) -> None:
    client = await limited(per_minute=1)
    headers = make.auth(await make.user(Role.CUSTOMER))
    await client.get("/api/tickets", headers=headers)
    assert (await client.get("/api/tickets", headers=headers)).status_code == 429

    frozen_clock.advance(seconds=60)
    response = await client.get("/api/tickets", headers=headers)

    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "0"


async def test_the_21st_login_attempt_for_an_address_and_email_is_429(
    limited: ClientFactory, make: Factory
) -> None:
    client = await limited()
    user = await make.user(Role.CUSTOMER)
    for _ in range(20):
        failed = await client.post(
            "/api/auth/login", json={"email": user.email, "password": "wrong"}
        )
        assert failed.status_code == 401

    refused = await client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})

    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many login attempts. Please try again later."}
    assert refused.headers["Retry-After"] == "60"
    assert _limit_headers(refused) == ("20", "0", str(MINUTE_END))


async def test_login_attempts_for_another_email_or_from_another_address_go_on(
    limited: ClientFactory, make: Factory
) -> None:
    here = await limited(login_per_minute=1, address="198.51.100.1")
    elsewhere = await limited(login_per_minute=1, address="198.51.100.2")
    user = await make.user(Role.CUSTOMER)
    other = await make.user(Role.CUSTOMER)
    await here.post("/api/auth/login", json={"email": user.email, "password": "wrong"})
    assert (
        await here.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    ).status_code == 429

    mine = await elsewhere.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    theirs = await here.post("/api/auth/login", json={"email": other.email, "password": PASSWORD})

    assert mine.status_code == 200
    assert theirs.status_code == 200


async def test_the_email_of_a_login_is_compared_without_case(
    limited: ClientFactory, make: Factory
) -> None:
    client = await limited(login_per_minute=1)
    user = await make.user(Role.CUSTOMER)
    await client.post("/api/auth/login", json={"email": user.email, "password": "wrong"})

    response = await client.post(
        "/api/auth/login", json={"email": user.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 429


async def test_sign_ups_are_limited_per_address(limited: ClientFactory) -> None:
    client = await limited(login_per_minute=1)
    body = {
        "name": "Ada Obi",
        "email": "ada@example.com",
        "password": "a-long-password",
        "password_confirmation": "a-long-password",
    }
    await client.post("/api/auth/register", json=body)

    response = await client.post("/api/auth/register", json={**body, "email": "bo@example.com"})

    assert response.status_code == 429
    assert response.json() == {
        "error": "Too many sign-ups from this address. Please try again later."
    }


async def test_health_checks_are_not_limited(limited: ClientFactory) -> None:
    client = await limited(per_minute=1)
    for _ in range(3):
        response = await client.get("/health")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


async def test_readiness_checks_are_not_limited(limited: ClientFactory) -> None:
    client = await limited(per_minute=1)
    for _ in range(3):
        response = await client.get("/ready")
        assert response.status_code in (200, 503)  # never 429, whatever the worker's state
        assert "X-RateLimit-Limit" not in response.headers


if REDIS_URL:

    @pytest.mark.parametrize("limited", ["redis"], indirect=True)
    async def test_server_processes_share_their_counts_in_redis(
        limited: ClientFactory, make: Factory
    ) -> None:
        one = await limited(per_minute=2, process="one")
        two = await limited(per_minute=2, process="two")
        headers = make.auth(await make.user(Role.CUSTOMER))
        await one.get("/api/tickets", headers=headers)
        await two.get("/api/tickets", headers=headers)

        responses = [
            await one.get("/api/tickets", headers=headers),
            await two.get("/api/tickets", headers=headers),
        ]

        assert [r.status_code for r in responses] == [429, 429]
