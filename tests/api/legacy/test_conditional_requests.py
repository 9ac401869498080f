"""The simple ticket API's view answers with an ETag and honours If-None-Match."""

from __future__ import annotations

from httpx import AsyncClient

from supportdesk.services.api_keys import IssuedKey
from tests.api.legacy.conftest import bearer, created_id

VIEW = "/api/ticket_view.php"
CUSTOMER = "user@example.com"


async def test_a_ticket_is_viewed_with_an_etag(client: AsyncClient, key: IssuedKey) -> None:
    ticket_id = await created_id(client, key)

    response = await client.get(
        VIEW, params={"ticket_id": ticket_id, "user_email": CUSTOMER}, headers=bearer(key)
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{ticket_id}.1"'


async def test_the_current_etag_in_if_none_match_gets_304(
    client: AsyncClient, key: IssuedKey
) -> None:
    ticket_id = await created_id(client, key)

    response = await client.get(
        VIEW,
        params={"ticket_id": ticket_id, "user_email": CUSTOMER},
        headers={**bearer(key), "If-None-Match": f'"{ticket_id}.1"'},
    )

    assert response.status_code == 304
    assert response.content == b""


async def test_the_current_etag_on_a_posted_view_is_412(
    client: AsyncClient, key: IssuedKey
) -> None:
    ticket_id = await created_id(client, key)

    response = await client.post(
        VIEW,
        data={"ticket_id": ticket_id, "user_email": CUSTOMER},
        headers={**bearer(key), "If-None-Match": f'"{ticket_id}.1"'},
    )

    assert response.status_code == 412
    assert response.json()["success"] is False
