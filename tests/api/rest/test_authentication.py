"""Every REST operation asks for a Bearer credential and answers in the REST error format."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from supportdesk.core import clock
from tests.api.rest.conftest import Bearer, assert_error
from tests.api.rest.test_cross_surface import REST_OPERATIONS
from tests.factories import Factory
from tests.support import FrozenClock


def _url(path: str) -> str:
    for name in ("ticket", "conversation", "customer", "user", "tag", "article"):
        path = path.replace(f"{{{name}_id}}", "x_1")
    return path


@pytest.mark.parametrize(("method", "path"), sorted(REST_OPERATIONS))
async def test_every_operation_needs_credentials(
    client: AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, _url(path), json={})

    assert_error(response, 401, "UNAUTHORIZED")


async def test_an_external_agent_key_is_not_accepted(client: AsyncClient, make: Factory) -> None:
    agent = await make.user("agent")
    issued = await make.api_key("external", agent_id=agent.id)

    response = await client.get(
        "/api/v1/tickets", headers={"Authorization": f"Bearer {issued.raw_key}"}
    )

    assert_error(response, 401, "UNAUTHORIZED")


async def test_an_expired_or_invalid_credential_is_401(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    expired = await make.api_key(
        "internal", scopes=["*"], expires_at=clock.now() + timedelta(hours=1)
    )
    frozen_clock.advance(hours=2)
    customer = await make.user("customer")
    stale_token = make.token(customer, ttl=timedelta(seconds=-1))

    for headers in (
        {"Authorization": f"Bearer {expired.raw_key}"},
        {"Authorization": f"Bearer {stale_token}"},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ):
        response = await client.get("/api/v1/tickets", headers=headers)
        assert_error(response, 401, "UNAUTHORIZED")


async def test_an_unknown_path_is_404_in_the_rest_format(
    client: AsyncClient, bearer: Bearer
) -> None:
    response = await client.get("/api/v1/nothing-here", headers=await bearer.key())

    assert_error(response, 404, "NOT_FOUND")
