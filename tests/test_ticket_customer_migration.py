"""Revision 0009 gives tickets kept with a bare address their customer's account."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config
from sqlalchemy import select, update

from supportdesk.core.db import Database
from supportdesk.core.enums import Role
from supportdesk.core.migrations import _alembic_ini
from supportdesk.models import Ticket, User
from tests.factories import Factory
from tests.support import stored


def _rerun_revision_0009(database_url: str) -> None:
    config = Config(str(_alembic_ini()))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    command.downgrade(config, "0008")
    command.upgrade(config, "0009")
    command.upgrade(config, "head")


async def _kept_with_address(make: Factory, database: Database, email: str) -> int:
    admin = await make.user(Role.ADMIN)
    ticket = await make.ticket(by=admin)
    async with database.transaction() as session:
        await session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(customer_id=None, customer_email=email, customer_name="Ada Obi")
        )
    return ticket.id


async def test_an_address_without_an_account_gets_a_customer_account(
    make: Factory, database: Database, migrated: str
) -> None:
    ticket_id = await _kept_with_address(make, database, "Ada@Example.test")

    await asyncio.to_thread(_rerun_revision_0009, migrated)

    ticket = await stored(database, Ticket, ticket_id)
    assert ticket.customer_id is not None
    customer = await stored(database, User, ticket.customer_id)
    assert (customer.email, customer.name, customer.role) == (
        "ada@example.test",
        "Ada Obi",
        Role.CUSTOMER,
    )
    assert customer.password_hash is None


async def test_a_staff_address_stays_a_contact(
    make: Factory, database: Database, migrated: str
) -> None:
    agent = await make.user(Role.AGENT, email="agent@example.test")
    ticket_id = await _kept_with_address(make, database, agent.email)

    await asyncio.to_thread(_rerun_revision_0009, migrated)

    ticket = await stored(database, Ticket, ticket_id)
    assert ticket.customer_id is None
    async with database.transaction() as session:
        holders = await session.scalars(select(User).where(User.email == agent.email))
        assert [user.id for user in holders] == [agent.id]
