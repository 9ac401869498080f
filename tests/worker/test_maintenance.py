"""Scheduled housekeeping, by moving the clock: auto-close, auto-assign, purge, cleanup."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select

from supportdesk.core import clock
from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.models import Activity, Attachment, Message, Notification, RevokedToken
from supportdesk.services.settings import SettingsService
from supportdesk.worker import jobs
from tests.factories import Factory
from tests.support import FrozenClock
from tests.worker.conftest import Pipeline
from tests.worker.support import Desk, activities, events, notifications


async def _setting(database: Database, key: str, value: Any) -> None:
    async with database.transaction() as session:
        await SettingsService(session).put(key, value)


async def _count(database: Database, model: type, *where: Any) -> int:
    async with database.transaction(read_only=True) as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# ------------------------------------------------------------------------ auto-close


async def test_a_resolved_ticket_idle_for_the_configured_days_is_closed(
    desk: Desk, make: Factory, database: Database, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    await _setting(database, "sd_auto_close_days", 3)
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.set_status(agent, ticket["id"], "resolved")

    frozen_clock.advance(days=3, minutes=-1)
    assert await jobs.auto_close(ctx) == 0
    frozen_clock.advance(minutes=2)
    assert await jobs.auto_close(ctx) == 1

    seen = await desk.ticket(agent, ticket["id"])
    assert seen["status"] == "closed"
    closing = (await activities(database, ticket["id"], "status_changed"))[-1]
    assert closing.changes == {"status": ["resolved", "closed"]}
    assert closing.user_id is None  # SupportDesk did it, not a person


async def test_activity_on_a_resolved_ticket_restarts_its_idle_time(
    desk: Desk, make: Factory, database: Database, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    await _setting(database, "sd_auto_close_days", 3)
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.set_status(agent, ticket["id"], "resolved")
    frozen_clock.advance(days=2)
    await desk.reply(agent, ticket["id"], "Let us know if it happens again.", kind="note")
    frozen_clock.advance(days=2)

    assert await jobs.auto_close(ctx) == 0
    assert (await desk.ticket(agent, ticket["id"]))["status"] == "resolved"


async def test_auto_close_is_off_when_the_setting_is_zero(
    desk: Desk, make: Factory, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))
    await desk.set_status(agent, ticket["id"], "resolved")
    frozen_clock.advance(days=365)

    assert await jobs.auto_close(ctx) == 0
    assert (await desk.ticket(agent, ticket["id"]))["status"] == "resolved"


# ------------------------------------------------------------------------ auto-assign


async def test_a_new_ticket_goes_to_the_active_agent_with_the_fewest_open_tickets(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline
) -> None:
    await _setting(database, "sd_enable_auto_assign", True)
    busy = await make.user(Role.AGENT, projects=[1])
    free = await make.user(Role.AGENT, projects=[1])
    await make.user(Role.AGENT, projects=[1], is_active=False)
    customer = await make.user(Role.CUSTOMER)
    await desk.assign(busy, (await desk.open(customer))["id"], busy)
    await pipeline.deliver()

    ticket = await desk.open(customer)
    await pipeline.deliver()
    await pipeline.deliver()  # the assignment's own event

    seen = await desk.ticket(free, ticket["id"])
    assert (seen["assigned_to"], seen["status"]) == (free.id, "in_progress")
    notified = await notifications(database, ticket_id=ticket["id"])
    assert [(n.user_id, n.type) for n in notified] == [
        (free.id, "ticket_created"),
        (free.id, "ticket_assigned"),
    ]


async def test_between_equally_busy_agents_the_one_assigned_longest_ago_gets_it(
    desk: Desk, make: Factory, database: Database, pipeline: Pipeline, frozen_clock: FrozenClock
) -> None:
    await _setting(database, "sd_enable_auto_assign", True)
    admin = await make.user(Role.ADMIN)
    earlier, later = [await make.user(Role.AGENT, projects=[1]) for _ in range(2)]
    customer = await make.user(Role.CUSTOMER)
    for agent in (earlier, later):
        old = await desk.open(customer)
        await desk.assign(admin, old["id"], agent)
        await desk.set_status(admin, old["id"], "resolved")
        frozen_clock.advance(hours=1)
    await pipeline.deliver()

    ticket = await desk.open(customer)
    await pipeline.deliver()

    assert (await desk.ticket(admin, ticket["id"]))["assigned_to"] == earlier.id


async def test_without_auto_assign_a_new_ticket_stays_unassigned(
    desk: Desk, make: Factory, pipeline: Pipeline
) -> None:
    agent = await make.user(Role.AGENT, projects=[1])
    ticket = await desk.open(await make.user(Role.CUSTOMER))

    await pipeline.deliver()

    assert (await desk.ticket(agent, ticket["id"]))["assigned_to"] is None


# ------------------------------------------------------------------------ purge


async def _with_file(client: AsyncClient, make: Factory, user: Any, content: bytes) -> int:
    ticket_id: int = (await Desk(client, make).open(user))["id"]
    response = await client.post(
        f"/api/tickets/{ticket_id}/messages",
        data={"body": "Screenshot attached"},
        files=[("attachments[]", ("shot.png", content, "image/png"))],
        headers=make.auth(user),
    )
    assert response.status_code == 201, response.text
    return ticket_id


async def _storage_path(database: Database, attachments_dir: Path, ticket_id: int) -> Path:
    async with database.transaction(read_only=True) as session:
        key = await session.scalar(
            select(Attachment.storage_key).where(Attachment.ticket_id == ticket_id)
        )
    assert key is not None
    return attachments_dir / key


async def test_tickets_deleted_over_30_days_ago_are_purged_with_everything_they_hold(
    client: AsyncClient,
    make: Factory,
    database: Database,
    pipeline: Pipeline,
    ctx: dict[str, Any],
    attachments_dir: Path,
    frozen_clock: FrozenClock,
) -> None:
    admin = await make.user(Role.ADMIN, projects=[1])
    customer = await make.user(Role.CUSTOMER)
    doomed = await _with_file(client, make, customer, b"doomed bytes")
    file = await _storage_path(database, attachments_dir, doomed)
    await pipeline.deliver()  # admin's notice of the new ticket
    assert await _count(database, Notification, Notification.ticket_id == doomed) == 1
    assert (await client.delete(f"/api/tickets/{doomed}", headers=make.auth(admin))).is_success
    frozen_clock.advance(days=30, minutes=1)

    purged = await jobs.purge_deleted(ctx)

    assert purged == 1
    assert not file.exists()
    for model in (Message, Attachment, Activity, Notification):
        assert await _count(database, model, model.ticket_id == doomed) == 0


async def test_a_ticket_deleted_less_than_30_days_ago_is_kept(
    client: AsyncClient, make: Factory, ctx: dict[str, Any], frozen_clock: FrozenClock
) -> None:
    admin = await make.user(Role.ADMIN)
    ticket = await Desk(client, make).open(await make.user(Role.CUSTOMER))
    await client.delete(f"/api/tickets/{ticket['id']}", headers=make.auth(admin))
    frozen_clock.advance(days=29)

    assert await jobs.purge_deleted(ctx) == 0


async def test_a_purged_tickets_file_shared_with_a_live_ticket_is_kept(
    client: AsyncClient,
    make: Factory,
    database: Database,
    ctx: dict[str, Any],
    attachments_dir: Path,
    frozen_clock: FrozenClock,
) -> None:
    admin = await make.user(Role.ADMIN)
    customer = await make.user(Role.CUSTOMER)
    doomed = await _with_file(client, make, customer, b"the same bytes")
    alive = await _with_file(client, make, customer, b"the same bytes")
    await client.delete(f"/api/tickets/{doomed}", headers=make.auth(admin))
    frozen_clock.advance(days=31)

    assert await jobs.purge_deleted(ctx) == 1

    assert (await _storage_path(database, attachments_dir, alive)).read_bytes() == b"the same bytes"


# ------------------------------------------------------------------------ cleanup


async def test_cleanup_forgets_expired_revoked_tokens_and_week_old_handled_events(
    desk: Desk,
    make: Factory,
    database: Database,
    pipeline: Pipeline,
    ctx: dict[str, Any],
    frozen_clock: FrozenClock,
) -> None:
    async with database.transaction() as session:
        session.add(RevokedToken(jti="expired", expires_at=clock.now() + timedelta(days=1)))
        session.add(RevokedToken(jti="current", expires_at=clock.now() + timedelta(days=30)))
    customer = await make.user(Role.CUSTOMER)
    await desk.open(customer, subject="Old")
    await pipeline.deliver()
    frozen_clock.advance(days=7, minutes=1)
    await desk.open(customer, subject="New")  # handled below, but recent
    await pipeline.deliver()
    await desk.open(customer, subject="Waiting")  # not handled yet

    assert await jobs.cleanup(ctx) == (1, 1)

    async with database.transaction(read_only=True) as session:
        assert list(await session.scalars(select(RevokedToken.jti))) == ["current"]
    left = [
        (event.payload["ticket_number"], event.handled_at is None)
        for event in await events(database)
    ]
    assert [waiting for _, waiting in left] == [False, True]
