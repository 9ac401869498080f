"""Each surface speaks only its own statuses: every canonical status on every surface.

What each reference documents, and how SupportDesk's six statuses read there, are
written out here as the references and README.md state them, apart from the code.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient, Response

from supportdesk.auth.principal import Principal
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role, TicketStatus
from supportdesk.models import Ticket, User
from supportdesk.services.tickets import TicketTriage
from tests.factories import Factory
from tests.support import FrozenClock

S = TicketStatus

SEED_000 = ("open", "in_progress", "on_hold", "closed")
SEED_002 = ("open", "pending", "in_progress", "on_hold", "resolved", "closed")
SEED_003 = ("open", "in_progress", "pending_customer", "resolved", "closed")
STORED = tuple(status.value for status in TicketStatus)

INTERNAL_WORDS = {
    S.OPEN: "open",
    S.IN_PROGRESS: "in_progress",
    S.ON_HOLD: "on_hold",
    S.PENDING_CUSTOMER: "on_hold",
    S.RESOLVED: "closed",
    S.CLOSED: "closed",
}
PORTAL_WORDS = {
    S.OPEN: "open",
    S.IN_PROGRESS: "in_progress",
    S.ON_HOLD: "in_progress",
    S.PENDING_CUSTOMER: "pending_customer",
    S.RESOLVED: "resolved",
    S.CLOSED: "closed",
}
REST_WORDS = {status: status.value for status in TicketStatus} | {S.PENDING_CUSTOMER: "pending"}

# surface → (documented words, canonical status → word)
SURFACES: dict[str, tuple[tuple[str, ...], dict[TicketStatus, str]]] = {
    "internal": (SEED_000, INTERNAL_WORDS),
    "agent": (SEED_000, INTERNAL_WORDS),
    "rest": (SEED_002, REST_WORDS),
    "portal": (SEED_003, PORTAL_WORDS),
    "project": (SEED_003, PORTAL_WORDS),
    "legacy": (STORED, {status: status.value for status in TicketStatus}),
}
FILTERING = ("internal", "agent", "rest", "portal", "project")
WRITING = ("internal", "agent", "rest", "portal")


@dataclass
class Desk:
    """One customer's tickets, assigned to one agent, and a client for every surface."""

    client: AsyncClient
    make: Factory
    database: Database
    admin: User
    agent: User
    customer: User
    internal: dict[str, str]
    agent_key: dict[str, str]
    project: dict[str, str]

    async def ticket(self, status: TicketStatus) -> Ticket:
        ticket = await self.make.ticket(self.customer)
        admin = Principal.for_user(self.admin)
        async with self.database.transaction() as session:
            await TicketTriage(session).assign(admin, ticket.id, self.agent.id)
        async with self.database.transaction() as session:
            await TicketTriage(session).change_status(admin, ticket.id, status)
        return ticket

    def _read(self, surface: str, ticket: Ticket) -> Awaitable[Response]:
        get = self.client.get
        match surface:
            case "internal":
                return get(f"/api/v1/internal/tickets/{ticket.id}", headers=self.internal)
            case "agent":
                return get(f"/api/v1/external/tickets/{ticket.id}", headers=self.agent_key)
            case "rest":
                return get(f"/api/v1/tickets/tkt_{ticket.id}", headers=self.internal)
            case "portal":
                return get(f"/api/tickets/{ticket.id}", headers=self.make.auth(self.admin))
            case "project":
                return get(f"/api/external/tickets/{ticket.ticket_number}", headers=self.project)
            case _:
                params = {"ticket_id": ticket.id, "user_email": self.customer.email}
                return get("/api/ticket_view.php", params=params, headers=self.internal)

    async def shown(self, surface: str, ticket: Ticket) -> str:
        response = await self._read(surface, ticket)
        assert response.status_code == 200, response.text
        body = response.json()
        found = body.get("data") or body["ticket"]
        return str(found["status"])

    async def listed(self, surface: str, word: str) -> dict[int, str]:
        """The tickets a listing filtered by ``word`` returns: id → the status shown."""
        get = self.client.get
        params = {"status": word}
        match surface:
            case "internal":
                response = await get(
                    "/api/v1/internal/tickets", params=params, headers=self.internal
                )
            case "agent":
                response = await get(
                    "/api/v1/external/tickets", params=params, headers=self.agent_key
                )
            case "rest":
                response = await get("/api/v1/tickets", params=params, headers=self.internal)
            case "portal":
                auth = self.make.auth(self.admin)
                response = await get("/api/tickets", params=params, headers=auth)
            case _:
                response = await get("/api/external/tickets", params=params, headers=self.project)
        assert response.status_code == 200, response.text
        rows = response.json()["data"]
        if surface == "project":
            return {int(row["ticket_number"].rsplit("-", 1)[1]): row["status"] for row in rows}
        if surface == "rest":
            return {int(row["id"].removeprefix("tkt_")): row["status"] for row in rows}
        return {int(row["id"]): row["status"] for row in rows}

    async def write(self, surface: str, ticket: Ticket, word: str) -> Response:
        body = {"status": word}
        match surface:
            case "internal":
                url = f"/api/v1/internal/tickets/{ticket.id}"
                return await self.client.put(url, json=body, headers=self.internal)
            case "agent":
                url = f"/api/v1/external/tickets/{ticket.id}"
                return await self.client.put(url, json=body, headers=self.agent_key)
            case "rest":
                url = f"/api/v1/tickets/tkt_{ticket.id}"
                return await self.client.patch(url, json=body, headers=self.internal)
            case _:
                url = f"/api/tickets/{ticket.id}/status"
                return await self.client.patch(url, json=body, headers=self.make.auth(self.admin))


@pytest.fixture
async def desk(client: AsyncClient, make: Factory, database: Database) -> Desk:
    admin = await make.user(Role.ADMIN)
    agent = await make.user(Role.AGENT, projects=[1])
    customer = await make.user(Role.CUSTOMER, email="tunde@example.com")
    internal = await make.api_key(ApiKeyType.INTERNAL, scopes=["*"])
    external = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)
    project = await make.api_key(ApiKeyType.PROJECT, project_id=1)
    assert project.raw_secret is not None
    return Desk(
        client=client,
        make=make,
        database=database,
        admin=admin,
        agent=agent,
        customer=customer,
        internal={"Authorization": f"Bearer {internal.raw_key}", "X-API-KEY": internal.raw_key},
        agent_key={"X-API-KEY": external.raw_key},
        project={"X-Api-Key": project.raw_key, "X-Api-Secret": project.raw_secret},
    )


def _every(surfaces: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(surface, word) for surface in surfaces for word in SURFACES[surface][0]]


@pytest.mark.parametrize("status", list(TicketStatus))
@pytest.mark.parametrize("surface", list(SURFACES))
async def test_a_surface_shows_each_status_with_a_word_its_reference_documents(
    desk: Desk, surface: str, status: TicketStatus
) -> None:
    documented, words = SURFACES[surface]
    ticket = await desk.ticket(status)

    shown = await desk.shown(surface, ticket)

    assert (shown, shown in documented) == (words[status], True)


@pytest.mark.parametrize(("surface", "word"), _every(FILTERING))
async def test_the_status_filter_returns_exactly_the_tickets_shown_with_the_word(
    desk: Desk, surface: str, word: str
) -> None:
    tickets = {status: await desk.ticket(status) for status in TicketStatus}
    shown = {ticket.id: await desk.shown(surface, ticket) for ticket in tickets.values()}

    listed = await desk.listed(surface, word)

    assert set(listed) == {ticket_id for ticket_id, seen in shown.items() if seen == word}
    assert set(listed.values()) <= {word}


@pytest.mark.parametrize(("surface", "word"), _every(WRITING))
async def test_a_status_written_through_a_surface_reads_back_the_same(
    desk: Desk, surface: str, word: str
) -> None:
    ticket = await desk.ticket(S.IN_PROGRESS if word == "open" else S.OPEN)

    response = await desk.write(surface, ticket, word)

    assert response.status_code == 200, response.text
    assert await desk.shown(surface, ticket) == word


async def test_closed_and_resolved_in_one_internal_update_closes_the_ticket(
    desk: Desk, frozen_clock: FrozenClock
) -> None:
    frozen_clock.current = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ticket = await desk.ticket(S.IN_PROGRESS)

    response = await desk.client.put(
        f"/api/v1/internal/tickets/{ticket.id}",
        json={"is_resolved": True, "status": "closed"},
        headers=desk.internal,
    )

    found = response.json()["data"]
    assert (found["status"], found["is_resolved"], found["closed_at"]) == (
        "closed",
        True,
        "2026-03-02T09:00:00Z",
    )


async def test_resolving_a_closed_ticket_keeps_it_closed_with_its_resolution_time(
    desk: Desk, frozen_clock: FrozenClock
) -> None:
    frozen_clock.current = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ticket = await desk.ticket(S.RESOLVED)
    frozen_clock.advance(hours=1)
    url = f"/api/v1/internal/tickets/{ticket.id}"
    await desk.client.put(url, json={"status": "closed"}, headers=desk.internal)

    await desk.client.put(url, json={"is_resolved": True}, headers=desk.internal)

    async with desk.database.transaction(read_only=True) as session:
        stored = await session.get(Ticket, ticket.id)
        assert stored is not None
        assert (stored.status, stored.resolved_at) == (
            S.CLOSED,
            datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        )


async def test_unresolving_a_closed_ticket_reopens_it(desk: Desk) -> None:
    ticket = await desk.ticket(S.CLOSED)

    response = await desk.client.put(
        f"/api/v1/internal/tickets/{ticket.id}", json={"is_resolved": False}, headers=desk.internal
    )

    found = response.json()["data"]
    assert (found["status"], found["is_resolved"], found["closed_at"]) == ("open", False, None)


_PORTAL_BUCKETS = {
    "open": "open",
    "in_progress": "inProgress",
    "pending_customer": "pending",
    "resolved": "resolved",
    "closed": "closed",
}


@pytest.mark.parametrize("status", list(TicketStatus))
async def test_the_portal_overview_counts_a_ticket_where_the_portal_shows_it(
    desk: Desk, status: TicketStatus
) -> None:
    await desk.ticket(status)

    response = await desk.client.get("/api/reports/overview", headers=desk.make.auth(desk.admin))

    by_status: dict[str, Any] = response.json()["by_status"]
    assert by_status == {
        bucket: int(word == PORTAL_WORDS[status]) for word, bucket in _PORTAL_BUCKETS.items()
    }


@pytest.mark.parametrize("status", list(TicketStatus))
async def test_the_internal_overview_counts_a_ticket_where_the_internal_api_shows_it(
    desk: Desk, status: TicketStatus
) -> None:
    await desk.ticket(status)

    response = await desk.client.get("/api/v1/internal/reports/overview", headers=desk.internal)

    figures = response.json()["data"]
    counted = {word: figures[f"{word}_tickets"] for word in SEED_000}
    assert counted == {word: int(word == INTERNAL_WORDS[status]) for word in SEED_000}
    assert figures["resolved_tickets"] == int(status.is_finished)
