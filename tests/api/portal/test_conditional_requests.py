"""Portal tickets answer with an ETag, and honour If-None-Match and If-Match."""

from __future__ import annotations

from httpx import AsyncClient

from supportdesk.models import Ticket, User
from tests.factories import Factory
from tests.support import StatementCounter


async def _staff_ticket(make: Factory) -> tuple[Ticket, dict[str, str]]:
    admin = await make.user("admin")
    customer = await make.user("customer")
    return await make.ticket(by=customer), make.auth(admin)


async def _etag(client: AsyncClient, ticket: Ticket, headers: dict[str, str]) -> str:
    response = await client.get(f"/api/tickets/{ticket.id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


async def _subject(client: AsyncClient, ticket: Ticket, headers: dict[str, str]) -> str:
    response = await client.get(f"/api/tickets/{ticket.id}", headers=headers)
    subject: str = response.json()["ticket"]["subject"]
    return subject


# ------------------------------------------------------------------ reads


async def test_a_ticket_is_read_with_a_strong_etag(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)

    response = await client.get(f"/api/tickets/{ticket.id}", headers=headers)

    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{ticket.id}.{ticket.version}"'


async def test_the_current_etag_in_if_none_match_gets_304_without_a_body(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)
    etag = await _etag(client, ticket, headers)

    response = await client.get(
        f"/api/tickets/{ticket.id}", headers={**headers, "If-None-Match": etag}
    )

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["ETag"] == etag


async def test_if_none_match_compares_weakly(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    etag = await _etag(client, ticket, headers)

    response = await client.get(
        f"/api/tickets/{ticket.id}", headers={**headers, "If-None-Match": f'"x", W/{etag}'}
    )

    assert response.status_code == 304


async def test_if_none_match_star_gets_304_for_a_ticket_that_exists(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)

    response = await client.get(
        f"/api/tickets/{ticket.id}", headers={**headers, "If-None-Match": "*"}
    )

    assert response.status_code == 304


async def test_an_old_etag_in_if_none_match_gets_the_ticket(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)
    old = await _etag(client, ticket, headers)
    await client.put(f"/api/tickets/{ticket.id}", json={"subject": "Reworded"}, headers=headers)

    response = await client.get(
        f"/api/tickets/{ticket.id}", headers={**headers, "If-None-Match": old}
    )

    assert response.status_code == 200
    assert response.json()["ticket"]["subject"] == "Reworded"
    assert response.headers["ETag"] != old


async def test_an_unparsable_if_none_match_gets_the_ticket(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)
    etag = await _etag(client, ticket, headers)

    response = await client.get(
        f"/api/tickets/{ticket.id}", headers={**headers, "If-None-Match": etag.strip('"')}
    )

    assert response.status_code == 200


async def test_a_stale_if_match_on_a_read_is_412(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)

    response = await client.get(
        f"/api/tickets/{ticket.id}", headers={**headers, "If-Match": f'"{ticket.id}.999"'}
    )

    assert response.status_code == 412
    assert response.json() == {"error": "The ticket has changed since that version; read it again."}


async def test_a_ticket_outside_the_readers_view_is_404_whatever_the_condition(
    client: AsyncClient, make: Factory
) -> None:
    ticket, _ = await _staff_ticket(make)
    stranger = await make.user("customer")

    response = await client.get(
        f"/api/tickets/{ticket.id}", headers={**make.auth(stranger), "If-None-Match": "*"}
    )

    assert response.status_code == 404


async def test_the_detail_costs_no_statement_more_for_its_etag(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    ticket, headers = await _staff_ticket(make)
    await client.get(f"/api/tickets/{ticket.id}", headers=headers)  # the principal, cached
    statements.start()
    await client.get(f"/api/tickets/{ticket.id}", headers=headers)
    plain = statements.stop()

    statements.start()
    response = await client.get(
        f"/api/tickets/{ticket.id}", headers={**headers, "If-None-Match": "*"}
    )
    conditional = statements.stop()

    assert response.status_code == 304
    assert conditional == plain


# ------------------------------------------------------------------ what moves the version


async def test_an_update_moves_the_etag_on(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    before = await _etag(client, ticket, headers)

    await client.put(f"/api/tickets/{ticket.id}", json={"subject": "Reworded"}, headers=headers)

    assert await _etag(client, ticket, headers) != before


async def test_a_status_change_moves_the_etag_on(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    before = await _etag(client, ticket, headers)

    await client.patch(
        f"/api/tickets/{ticket.id}/status", json={"status": "resolved"}, headers=headers
    )

    assert await _etag(client, ticket, headers) != before


async def test_an_assignment_moves_the_etag_on(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    agent = await make.user("agent", projects=[1])
    before = await _etag(client, ticket, headers)

    await client.patch(
        f"/api/tickets/{ticket.id}/assign", json={"user_id": agent.id}, headers=headers
    )

    assert await _etag(client, ticket, headers) != before


async def test_retagging_moves_the_etag_on(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    tag = await make.tag()
    before = await _etag(client, ticket, headers)

    await client.put(f"/api/tickets/{ticket.id}", json={"tags": [tag.id]}, headers=headers)

    assert await _etag(client, ticket, headers) != before


async def test_a_reply_moves_the_etag_on(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    before = await _etag(client, ticket, headers)

    await client.post(f"/api/tickets/{ticket.id}/messages", json={"body": "On it"}, headers=headers)

    assert await _etag(client, ticket, headers) != before


async def test_watching_moves_the_etag_on(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    before = await _etag(client, ticket, headers)

    await client.post(f"/api/tickets/{ticket.id}/watch", headers=headers)

    assert await _etag(client, ticket, headers) != before


async def test_a_change_that_changes_nothing_keeps_the_etag(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)
    before = await _etag(client, ticket, headers)

    await client.patch(f"/api/tickets/{ticket.id}/status", json={"status": "open"}, headers=headers)

    assert await _etag(client, ticket, headers) == before


# ------------------------------------------------------------------ changes


async def test_an_update_with_the_current_etag_applies_and_answers_the_new_one(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)
    etag = await _etag(client, ticket, headers)

    response = await client.put(
        f"/api/tickets/{ticket.id}",
        json={"subject": "Reworded"},
        headers={**headers, "If-Match": etag},
    )

    assert response.status_code == 200, response.text
    assert response.json()["ticket"]["subject"] == "Reworded"
    assert response.headers["ETag"] == await _etag(client, ticket, headers)
    assert response.headers["ETag"] != etag


async def test_an_update_with_a_stale_etag_is_412_and_changes_nothing(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)
    stale = await _etag(client, ticket, headers)
    await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "A colleague's"}, headers=headers
    )

    response = await client.put(
        f"/api/tickets/{ticket.id}",
        json={"subject": "Mine"},
        headers={**headers, "If-Match": stale},
    )

    assert response.status_code == 412
    assert response.json() == {"error": "The ticket has changed since that version; read it again."}
    assert await _subject(client, ticket, headers) == "A colleague's"


async def test_a_weak_etag_never_matches_an_update(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    etag = await _etag(client, ticket, headers)

    response = await client.put(
        f"/api/tickets/{ticket.id}",
        json={"subject": "Mine"},
        headers={**headers, "If-Match": f"W/{etag}"},
    )

    assert response.status_code == 412
    assert await _subject(client, ticket, headers) == ticket.subject


async def test_any_listed_etag_that_is_current_lets_the_update_through(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)
    etag = await _etag(client, ticket, headers)

    response = await client.put(
        f"/api/tickets/{ticket.id}",
        json={"subject": "Mine"},
        headers={**headers, "If-Match": f'"{ticket.id}.999", {etag}'},
    )

    assert response.status_code == 200


async def test_if_match_star_lets_the_update_through(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "Mine"}, headers={**headers, "If-Match": "*"}
    )

    assert response.status_code == 200


async def test_another_tickets_etag_is_412(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    other = await make.ticket(by=await make.user("customer"))
    others_etag = await _etag(client, other, headers)

    response = await client.put(
        f"/api/tickets/{ticket.id}",
        json={"subject": "Mine"},
        headers={**headers, "If-Match": others_etag},
    )

    assert response.status_code == 412


async def test_an_unparsable_if_match_is_412(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    etag = await _etag(client, ticket, headers)

    response = await client.put(
        f"/api/tickets/{ticket.id}",
        json={"subject": "Mine"},
        headers={**headers, "If-Match": etag.strip('"')},
    )

    assert response.status_code == 412


async def test_an_update_without_if_match_applies_as_before(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)

    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"subject": "Mine"}, headers=headers
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == await _etag(client, ticket, headers)


async def test_a_status_change_with_a_stale_etag_is_412_and_changes_nothing(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/status",
        json={"status": "resolved"},
        headers={**headers, "If-Match": f'"{ticket.id}.999"'},
    )

    assert response.status_code == 412
    detail = await client.get(f"/api/tickets/{ticket.id}", headers=headers)
    assert detail.json()["ticket"]["status"] == "open"


async def test_a_status_change_answers_the_new_etag(client: AsyncClient, make: Factory) -> None:
    ticket, headers = await _staff_ticket(make)
    etag = await _etag(client, ticket, headers)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/status",
        json={"status": "resolved"},
        headers={**headers, "If-Match": etag},
    )

    assert response.status_code == 200
    assert response.headers["ETag"] == await _etag(client, ticket, headers)


async def test_an_assignment_with_a_stale_etag_is_412_and_assigns_no_one(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)
    agent: User = await make.user("agent", projects=[1])

    response = await client.patch(
        f"/api/tickets/{ticket.id}/assign",
        json={"user_id": agent.id},
        headers={**headers, "If-Match": f'"{ticket.id}.999"'},
    )

    assert response.status_code == 412
    detail = await client.get(f"/api/tickets/{ticket.id}", headers=headers)
    assert detail.json()["ticket"]["assigned_to"] is None


async def test_a_delete_with_a_stale_etag_is_412_and_keeps_the_ticket(
    client: AsyncClient, make: Factory
) -> None:
    ticket, headers = await _staff_ticket(make)

    response = await client.delete(
        f"/api/tickets/{ticket.id}", headers={**headers, "If-Match": f'"{ticket.id}.999"'}
    )

    assert response.status_code == 412
    assert (await client.get(f"/api/tickets/{ticket.id}", headers=headers)).status_code == 200


async def test_a_refused_change_is_403_whatever_its_condition(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user("customer")
    ticket = await make.ticket(by=customer)

    response = await client.patch(
        f"/api/tickets/{ticket.id}/assign",
        json={"user_id": customer.id},
        headers={**make.auth(customer), "If-Match": f'"{ticket.id}.999"'},
    )

    assert response.status_code == 403


async def test_a_priority_change_writes_the_ticket_once_and_moves_its_version_by_one(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    ticket, headers = await _staff_ticket(make)
    before = await _etag(client, ticket, headers)

    statements.start()
    response = await client.put(
        f"/api/tickets/{ticket.id}", json={"priority": "critical"}, headers=headers
    )
    statements.stop()

    assert response.status_code == 200, response.text
    updates = [sql for sql in statements.statements if sql.startswith("UPDATE tickets")]
    assert len(updates) == 1
    assert response.headers["ETag"] == f'"{ticket.id}.{ticket.version + 1}"' != before
