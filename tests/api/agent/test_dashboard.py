"""GET /dashboard: figures over the tickets assigned to the agent."""

from __future__ import annotations

from datetime import UTC, datetime

from httpx import AsyncClient

from supportdesk.core.enums import TicketStatus
from tests.api.agent.conftest import Agent, Desk, data_of, get
from tests.support import FrozenClock, StatementCounter


async def _dashboard(client: AsyncClient, agent: Agent) -> dict[str, int]:
    figures: dict[str, int] = data_of(await get(client, agent, "/dashboard"))
    return figures


async def test_an_agent_without_tickets_sees_zeros(client: AsyncClient, agent: Agent) -> None:
    response = await get(client, agent, "/dashboard")

    assert response.json() == {
        "status": True,
        "data": {
            "open_tickets": 0,
            "in_progress_tickets": 0,
            "needs_response": 0,
            "closed_today": 0,
        },
    }


async def test_open_and_in_progress_tickets_are_counted(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    # Assignment moves an open ticket to in progress; these are set back to open.
    for _ in range(2):
        await desk.ticket(agent, status=TicketStatus.OPEN)
    for _ in range(3):
        await desk.ticket(agent)
    await desk.ticket(agent, status=TicketStatus.ON_HOLD)

    figures = await _dashboard(client, agent)

    assert figures["open_tickets"] == 2
    assert figures["in_progress_tickets"] == 3


async def test_only_the_agents_own_tickets_count(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    other = await desk.agent()
    await desk.ticket(other)
    await desk.ticket(None)

    assert await _dashboard(client, agent) == {
        "open_tickets": 0,
        "in_progress_tickets": 0,
        "needs_response": 0,
        "closed_today": 0,
    }


async def test_a_ticket_no_staff_answered_yet_needs_a_response(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    await desk.ticket(agent)

    assert (await _dashboard(client, agent))["needs_response"] == 1


async def test_an_internal_note_is_no_response(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    await desk.reply(ticket, agent.user, "Checking the logs.", note=True)

    assert (await _dashboard(client, agent))["needs_response"] == 1


async def test_a_staff_reply_answers_until_the_customer_writes_again(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    await desk.reply(ticket, agent.user, "Please try again now.")

    assert (await _dashboard(client, agent))["needs_response"] == 0

    await desk.reply(ticket, await desk.customer(), "Still broken.")

    assert (await _dashboard(client, agent))["needs_response"] == 1


async def test_finished_tickets_need_no_response(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    await desk.ticket(agent, status=TicketStatus.CLOSED)
    await desk.ticket(agent, status=TicketStatus.RESOLVED)

    assert (await _dashboard(client, agent))["needs_response"] == 0


async def test_deleted_tickets_are_not_counted(
    client: AsyncClient, desk: Desk, agent: Agent
) -> None:
    ticket = await desk.ticket(agent)
    await desk.delete(ticket)

    assert await _dashboard(client, agent) == {
        "open_tickets": 0,
        "in_progress_tickets": 0,
        "needs_response": 0,
        "closed_today": 0,
    }


async def test_closed_today_counts_tickets_closed_since_midnight_utc(
    client: AsyncClient, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    frozen_clock.current = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    await desk.ticket(agent, status=TicketStatus.CLOSED)  # yesterday
    frozen_clock.current = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    await desk.ticket(agent, status=TicketStatus.CLOSED)
    await desk.ticket(agent, status=TicketStatus.RESOLVED)  # resolved is not closed
    frozen_clock.current = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

    assert (await _dashboard(client, agent))["closed_today"] == 1


async def test_closed_today_follows_the_agents_time_zone(
    client: AsyncClient, desk: Desk, frozen_clock: FrozenClock
) -> None:
    # Berlin is UTC+1 in early March.
    agent = await desk.agent(timezone="Europe/Berlin")
    frozen_clock.current = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    await desk.ticket(agent, status=TicketStatus.CLOSED)
    frozen_clock.current = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # 00:30 on the 2nd
    await desk.ticket(agent, status=TicketStatus.CLOSED)
    frozen_clock.current = datetime(2026, 3, 2, 22, 59, tzinfo=UTC)  # 23:59 on the 2nd

    assert (await _dashboard(client, agent))["closed_today"] == 1

    frozen_clock.current = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # midnight in Berlin

    assert (await _dashboard(client, agent))["closed_today"] == 0


async def test_an_unknown_time_zone_counts_in_utc(
    client: AsyncClient, desk: Desk, frozen_clock: FrozenClock
) -> None:
    agent = await desk.agent(timezone="Nowhere/Special")
    frozen_clock.current = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    await desk.ticket(agent, status=TicketStatus.CLOSED)

    assert (await _dashboard(client, agent))["closed_today"] == 1


async def test_a_reopened_ticket_is_no_longer_closed_today(
    client: AsyncClient, desk: Desk, agent: Agent, frozen_clock: FrozenClock
) -> None:
    ticket = await desk.ticket(agent, status=TicketStatus.CLOSED)
    await desk.set_status(ticket, TicketStatus.OPEN)

    figures = await _dashboard(client, agent)

    assert figures["closed_today"] == 0
    assert figures["open_tickets"] == 1


async def test_the_figures_cost_one_query_however_many_tickets(
    client: AsyncClient,
    desk: Desk,
    agent: Agent,
    statements: StatementCounter,
    frozen_clock: FrozenClock,
) -> None:
    await desk.ticket(agent)
    await _dashboard(client, agent)  # the key's first use is written down once
    statements.start()
    await _dashboard(client, agent)
    with_one = statements.stop()
    for _ in range(5):
        await desk.ticket(agent, status=TicketStatus.CLOSED)

    statements.start()
    await _dashboard(client, agent)
    with_six = statements.stop()

    assert with_six == with_one
    counted = [s for s in statements.statements if "FROM tickets" in s]
    assert len(counted) == 1
