"""What the ticket rules let a project's key pair do: what a customer may, never staff work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import MessageType, Priority, TicketStatus
from supportdesk.core.errors import Forbidden, ValidationFailed
from supportdesk.models import ApiKey, Project, Ticket
from supportdesk.services.attachments import AttachmentStorage
from supportdesk.services.tickets import (
    NewTicket,
    TicketChanges,
    TicketConversation,
    TicketIntake,
    TicketTriage,
)
from tests.api.project.conftest import Connected, Connector
from tests.factories import Factory
from tests.support import attachment_storage


def _storage(settings: Settings) -> AttachmentStorage:
    return attachment_storage(settings)


def _intake(session: AsyncSession, settings: Settings) -> TicketIntake:
    return TicketIntake(session, _storage(settings))


def _conversation(session: AsyncSession, settings: Settings) -> TicketConversation:
    return TicketConversation(session, _storage(settings))


async def _principal(session: AsyncSession, connected: Connected) -> Principal:
    api_key = await session.get(ApiKey, connected.key.api_key.id)
    project = await session.get(Project, connected.project.id)
    assert api_key is not None and project is not None
    return Principal.for_project(api_key, project)


def _new(project_id: int) -> NewTicket:
    return NewTicket(
        project_id=project_id,
        subject="Cannot upload photos",
        description="Nothing happens.",
        customer_name="Tunde Adeyemi",
        customer_email="tunde@gmail.test",
    )


async def _project_ticket(database: Database, settings: Settings, connected: Connected) -> Ticket:
    async with database.transaction() as session:
        principal = await _principal(session, connected)
        return await _intake(session, settings).create(principal, _new(connected.project.id))


StaffAction = Callable[[AsyncSession, Settings, Principal, Ticket], Awaitable[Any]]

STAFF_ACTIONS: dict[str, StaffAction] = {
    "add an internal note": lambda db, cfg, p, t: _conversation(db, cfg).add_message(
        p, t.id, "Note", MessageType.NOTE
    ),
    "change the status": lambda db, cfg, p, t: TicketTriage(db).change_status(
        p, t.id, TicketStatus.RESOLVED
    ),
    "assign": lambda db, cfg, p, t: TicketTriage(db).assign(p, t.id, None),
    "change the priority": lambda db, cfg, p, t: TicketTriage(db).update(
        p, t.id, TicketChanges(frozenset({"priority"}), priority=Priority.LOW)
    ),
    "delete": lambda db, cfg, p, t: TicketTriage(db).delete(p, t.id),
}


@pytest.mark.parametrize("action", list(STAFF_ACTIONS))
async def test_a_project_may_not_do_staff_work(
    naija: Connected, database: Database, settings: Settings, action: str
) -> None:
    ticket = await _project_ticket(database, settings, naija)

    with pytest.raises(Forbidden):
        async with database.transaction() as session:
            principal = await _principal(session, naija)
            await STAFF_ACTIONS[action](session, settings, principal, ticket)


async def test_a_project_replies_as_its_customer(
    naija: Connected, database: Database, settings: Settings
) -> None:
    ticket = await _project_ticket(database, settings, naija)

    async with database.transaction() as session:
        principal = await _principal(session, naija)
        message = await _conversation(session, settings).add_message(principal, ticket.id, "Hello")

    assert message.sender_type == "customer"


async def test_a_project_may_not_open_a_ticket_in_another_project(
    naija: Connected, connect: Connector, database: Database, settings: Settings
) -> None:
    other = await connect("ShopRite", "SHOP")

    with pytest.raises(ValidationFailed) as refused:
        async with database.transaction() as session:
            principal = await _principal(session, naija)
            await _intake(session, settings).create(principal, _new(other.project.id))

    assert list(refused.value.details) == ["project_id"]


async def test_a_project_ticket_needs_the_customers_name_and_email(
    naija: Connected, database: Database, settings: Settings
) -> None:
    anonymous = NewTicket(project_id=naija.project.id, subject="Hi", description="Hello")

    with pytest.raises(ValidationFailed) as refused:
        async with database.transaction() as session:
            principal = await _principal(session, naija)
            await _intake(session, settings).create(principal, anonymous)

    assert set(refused.value.details) == {"customer_name", "customer_email"}


@pytest.mark.parametrize("role", ["customer", "agent", "admin"])
async def test_a_portal_user_may_not_speak_for_a_customer_by_email(
    naija: Connected, database: Database, settings: Settings, make: Factory, role: str
) -> None:
    ticket = await _project_ticket(database, settings, naija)
    user = await make.user(role, projects=[naija.project.id] if role == "agent" else [])

    with pytest.raises(Forbidden):
        async with database.transaction() as session:
            await _conversation(session, settings).close(
                Principal.for_user(user), ticket.ticket_number, on_behalf_of="tunde@gmail.test"
            )
