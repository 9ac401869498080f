"""Internal API tickets answer with an ETag, and honour If-None-Match and If-Match."""

from __future__ import annotations

from tests.api.internal.conftest import Admin
from tests.factories import Factory


async def _ticket_id(api: Admin, make: Factory) -> int:
    ticket = await make.ticket(by=await make.user("customer"))
    return ticket.id


async def test_a_ticket_is_read_with_an_etag(api: Admin, make: Factory) -> None:
    ticket_id = await _ticket_id(api, make)

    response = await api.get(f"/tickets/{ticket_id}")

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{ticket_id}.1"'


async def test_the_current_etag_in_if_none_match_gets_304(api: Admin, make: Factory) -> None:
    ticket_id = await _ticket_id(api, make)
    etag = (await api.get(f"/tickets/{ticket_id}")).headers["ETag"]

    response = await api.client.get(
        f"/api/v1/internal/tickets/{ticket_id}", headers={**api.headers, "If-None-Match": etag}
    )

    assert response.status_code == 304
    assert response.content == b""


async def test_an_update_with_the_current_etag_applies_and_answers_the_new_one(
    api: Admin, make: Factory
) -> None:
    ticket_id = await _ticket_id(api, make)
    etag = (await api.get(f"/tickets/{ticket_id}")).headers["ETag"]

    response = await api.client.put(
        f"/api/v1/internal/tickets/{ticket_id}",
        json={"priority": "high"},
        headers={**api.headers, "If-Match": etag},
    )

    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == (await api.get(f"/tickets/{ticket_id}")).headers["ETag"]


async def test_an_update_with_a_stale_etag_is_412_and_changes_nothing(
    api: Admin, make: Factory
) -> None:
    ticket_id = await _ticket_id(api, make)
    stale = (await api.get(f"/tickets/{ticket_id}")).headers["ETag"]
    await api.put(f"/tickets/{ticket_id}", {"priority": "low"})

    response = await api.client.put(
        f"/api/v1/internal/tickets/{ticket_id}",
        json={"priority": "high", "status": "closed"},
        headers={**api.headers, "If-Match": stale},
    )

    assert response.status_code == 412
    assert response.json() == {
        "status": False,
        "message": "The ticket has changed since that version; read it again.",
    }
    data = await api.data(f"/tickets/{ticket_id}")
    assert (data["priority"], data["status"]) == ("low", "open")


async def test_a_delete_with_a_stale_etag_is_412_and_keeps_the_ticket(
    api: Admin, make: Factory
) -> None:
    ticket_id = await _ticket_id(api, make)

    response = await api.client.delete(
        f"/api/v1/internal/tickets/{ticket_id}",
        headers={**api.headers, "If-Match": f'"{ticket_id}.99"'},
    )

    assert response.status_code == 412
    assert (await api.get(f"/tickets/{ticket_id}")).status_code == 200
