"""External-project tickets answer with an ETag; closing honours If-Match."""

from __future__ import annotations

from httpx import AsyncClient

from tests.api.project.conftest import Connected, open_ticket

URL = "/api/external/tickets"
CUSTOMER = {"customer_email": "tunde@gmail.test"}


async def test_a_ticket_is_read_with_an_etag(client: AsyncClient, naija: Connected) -> None:
    number = (await open_ticket(client, naija))["ticket_number"]

    response = await client.get(f"{URL}/{number}", headers=naija.headers)

    assert response.status_code == 200
    assert response.headers["ETag"].startswith('"')


async def test_the_current_etag_in_if_none_match_gets_304(
    client: AsyncClient, naija: Connected
) -> None:
    number = (await open_ticket(client, naija))["ticket_number"]
    etag = (await client.get(f"{URL}/{number}", headers=naija.headers)).headers["ETag"]

    response = await client.get(f"{URL}/{number}", headers={**naija.headers, "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


async def test_a_reply_moves_the_etag_on(client: AsyncClient, naija: Connected) -> None:
    number = (await open_ticket(client, naija))["ticket_number"]
    etag = (await client.get(f"{URL}/{number}", headers=naija.headers)).headers["ETag"]
    await client.post(
        f"{URL}/{number}/reply", json={"body": "Still broken", **CUSTOMER}, headers=naija.headers
    )

    response = await client.get(f"{URL}/{number}", headers={**naija.headers, "If-None-Match": etag})

    assert response.status_code == 200
    assert len(response.json()["ticket"]["messages"]) == 1


async def test_closing_with_a_stale_etag_is_412_and_leaves_the_ticket_open(
    client: AsyncClient, naija: Connected
) -> None:
    number = (await open_ticket(client, naija))["ticket_number"]
    stale = (await client.get(f"{URL}/{number}", headers=naija.headers)).headers["ETag"]
    await client.post(
        f"{URL}/{number}/reply", json={"body": "Still broken", **CUSTOMER}, headers=naija.headers
    )

    response = await client.post(
        f"{URL}/{number}/close", json=CUSTOMER, headers={**naija.headers, "If-Match": stale}
    )

    assert response.status_code == 412
    assert response.json() == {"error": "The ticket has changed since that version; read it again."}
    read = await client.get(f"{URL}/{number}", headers=naija.headers)
    assert read.json()["ticket"]["status"] == "open"


async def test_closing_with_the_current_etag_closes_and_answers_the_new_one(
    client: AsyncClient, naija: Connected
) -> None:
    number = (await open_ticket(client, naija))["ticket_number"]
    etag = (await client.get(f"{URL}/{number}", headers=naija.headers)).headers["ETag"]

    response = await client.post(
        f"{URL}/{number}/close", json=CUSTOMER, headers={**naija.headers, "If-Match": etag}
    )

    assert response.status_code == 200, response.text
    assert (
        response.headers["ETag"]
        == (await client.get(f"{URL}/{number}", headers=naija.headers)).headers["ETag"]
    )
