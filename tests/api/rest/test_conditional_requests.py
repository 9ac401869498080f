"""REST tickets answer with an ETag, and honour If-None-Match and If-Match."""

from __future__ import annotations

from httpx import AsyncClient

from tests.api.rest.conftest import Bearer, assert_error, create_ticket

URL = "/api/v1/tickets"


async def test_a_ticket_is_read_with_an_etag(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)

    response = await client.get(f"{URL}/{ticket['id']}", headers=headers)

    assert response.status_code == 200
    assert response.headers["ETag"].startswith('"')


async def test_the_current_etag_in_if_none_match_gets_304(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)
    etag = (await client.get(f"{URL}/{ticket['id']}", headers=headers)).headers["ETag"]

    response = await client.get(f"{URL}/{ticket['id']}", headers={**headers, "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


async def test_an_update_answers_the_etag_a_read_then_gives(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)

    updated = await client.patch(
        f"{URL}/{ticket['id']}", json={"priority": "high"}, headers=headers
    )

    read = await client.get(f"{URL}/{ticket['id']}", headers=headers)
    assert updated.headers["ETag"] == read.headers["ETag"]


async def test_an_update_with_the_current_etag_applies(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)
    etag = (await client.get(f"{URL}/{ticket['id']}", headers=headers)).headers["ETag"]

    response = await client.patch(
        f"{URL}/{ticket['id']}", json={"priority": "high"}, headers={**headers, "If-Match": etag}
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["priority"] == "high"


async def test_an_update_with_a_stale_etag_is_412_and_changes_nothing(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)
    stale = (await client.get(f"{URL}/{ticket['id']}", headers=headers)).headers["ETag"]
    await client.patch(f"{URL}/{ticket['id']}", json={"status": "pending"}, headers=headers)

    response = await client.patch(
        f"{URL}/{ticket['id']}",
        json={"priority": "high", "tags": ["billing"]},
        headers={**headers, "If-Match": stale},
    )

    assert_error(response, 412, "PRECONDITION_FAILED")
    data = (await client.get(f"{URL}/{ticket['id']}", headers=headers)).json()["data"]
    assert (data["priority"], data["tags"], data["status"]) == ("medium", [], "pending")


async def test_a_weak_etag_never_matches_an_update(client: AsyncClient, bearer: Bearer) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)
    etag = (await client.get(f"{URL}/{ticket['id']}", headers=headers)).headers["ETag"]

    response = await client.patch(
        f"{URL}/{ticket['id']}",
        json={"priority": "high"},
        headers={**headers, "If-Match": f"W/{etag}"},
    )

    assert_error(response, 412, "PRECONDITION_FAILED")


async def test_a_delete_with_a_stale_etag_is_412_and_keeps_the_ticket(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)
    stale = (await client.get(f"{URL}/{ticket['id']}", headers=headers)).headers["ETag"]
    await client.patch(f"{URL}/{ticket['id']}", json={"priority": "high"}, headers=headers)

    response = await client.delete(f"{URL}/{ticket['id']}", headers={**headers, "If-Match": stale})

    assert_error(response, 412, "PRECONDITION_FAILED")
    assert (await client.get(f"{URL}/{ticket['id']}", headers=headers)).status_code == 200


async def test_an_etag_from_another_surface_is_the_same_version(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers)
    row_id = int(ticket["id"].removeprefix("tkt_"))
    key = {"X-API-KEY": headers["Authorization"].removeprefix("Bearer ")}
    internal = await client.get(f"/api/v1/internal/tickets/{row_id}", headers=key)

    response = await client.patch(
        f"{URL}/{ticket['id']}",
        json={"priority": "high"},
        headers={**headers, "If-Match": internal.headers["ETag"]},
    )

    assert response.status_code == 200, response.text


async def test_renaming_a_tag_moves_the_etag_of_its_tickets_on(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers, tags=["billing"])
    etag = (await client.get(f"{URL}/{ticket['id']}", headers=headers)).headers["ETag"]
    tags = (await client.get("/api/v1/tags", headers=headers)).json()["data"]

    await client.patch(f"/api/v1/tags/{tags[0]['id']}", json={"name": "invoices"}, headers=headers)

    response = await client.get(f"{URL}/{ticket['id']}", headers={**headers, "If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["data"]["tags"] == ["invoices"]


async def test_deleting_a_tag_moves_the_etag_of_its_tickets_on(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    ticket = await create_ticket(client, headers, tags=["billing"])
    etag = (await client.get(f"{URL}/{ticket['id']}", headers=headers)).headers["ETag"]
    tags = (await client.get("/api/v1/tags", headers=headers)).json()["data"]

    await client.delete(f"/api/v1/tags/{tags[0]['id']}", headers=headers)

    response = await client.get(f"{URL}/{ticket['id']}", headers={**headers, "If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["data"]["tags"] == []


async def test_renaming_a_tag_keeps_the_etag_of_tickets_without_it(
    client: AsyncClient, bearer: Bearer
) -> None:
    headers = await bearer.key()
    await create_ticket(client, headers, tags=["billing"])
    untagged = await create_ticket(client, headers)
    etag = (await client.get(f"{URL}/{untagged['id']}", headers=headers)).headers["ETag"]
    tags = (await client.get("/api/v1/tags", headers=headers)).json()["data"]

    await client.patch(f"/api/v1/tags/{tags[0]['id']}", json={"name": "invoices"}, headers=headers)

    response = await client.get(
        f"{URL}/{untagged['id']}", headers={**headers, "If-None-Match": etag}
    )
    assert response.status_code == 304
