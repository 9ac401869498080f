"""AccountService: the one set of rules for every account, whichever role or surface asks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from supportdesk.auth.passwords import verify_password
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.scopes import Scope
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.core.errors import Forbidden, ValidationFailed
from supportdesk.models import Activity, ApiKey, User
from supportdesk.services.accounts import (
    EMAIL_TAKEN,
    AccountChanges,
    AccountService,
    NewAccount,
)
from supportdesk.services.customers import CustomerService
from supportdesk.services.staff import StaffService
from tests.factories import PASSWORD, Factory
from tests.support import FrozenClock, stored

NEW_PASSWORD = "a-brand-new-secret"


def _key(*scopes: Scope) -> Principal:
    return Principal(PrincipalKind.INTERNAL_KEY, frozenset(scopes))


async def _activities(database: Database, action: str) -> list[Activity]:
    async with database.transaction() as session:
        return list(await session.scalars(select(Activity).where(Activity.action == action)))


async def _own_profile(database: Database, user_id: int, **given: Any) -> User:
    async with database.transaction() as session:
        user = await session.get(User, user_id)
        assert user is not None
        changes = AccountChanges(fields_set=frozenset(given), **given)
        return await AccountService(session).update_own_profile(Principal.for_user(user), changes)


# ---------------------------------------------------------------------- the e-mail rule


async def test_a_customers_email_is_taken_for_a_staff_account(
    database: Database, make: Factory
) -> None:
    await make.user("customer", email="shared@example.test")

    async with database.transaction() as session:
        with pytest.raises(ValidationFailed) as refused:
            await StaffService(session).create_agent(
                _key(Scope.AGENTS_CREATE),
                NewAccount(email="Shared@Example.TEST", name="A", password=NEW_PASSWORD),
                [],
            )

    assert refused.value.details == {"email": [EMAIL_TAKEN]}


async def test_a_staff_email_is_taken_for_a_customer_update(
    database: Database, make: Factory
) -> None:
    await make.user("agent", email="agent@example.test")
    customer = await make.user("customer")

    async with database.transaction() as session:
        with pytest.raises(ValidationFailed) as refused:
            await CustomerService(session).update(
                _key(Scope.CUSTOMERS_UPDATE),
                customer.id,
                AccountChanges(fields_set=frozenset({"email"}), email=" AGENT@example.test"),
            )

    assert refused.value.details == {"email": [EMAIL_TAKEN]}


async def test_an_email_is_stored_normalised(database: Database, make: Factory) -> None:
    admin = await make.user("admin")

    async with database.transaction() as session:
        user = await AccountService(session).create(
            Principal.for_user(admin), Role.CUSTOMER, NewAccount(email="  Mixed@Example.TEST ")
        )

    assert user.email == "mixed@example.test"
    assert user.name == "mixed"


# ---------------------------------------------------------------------- the audit


async def test_self_registration_is_audited_as_the_new_account(database: Database) -> None:
    async with database.transaction() as session:
        user = await AccountService(session).register(
            NewAccount(email="new@example.test", name="New", password=NEW_PASSWORD)
        )

    [activity] = await _activities(database, "user.created")
    assert activity.user_id == user.id
    assert activity.changes == {"user_id": user.id, "role": [None, "customer"]}


async def test_a_customer_a_ticket_brings_is_audited(database: Database, make: Factory) -> None:
    agent = await make.user("agent")

    async with database.transaction() as session:
        customer = await CustomerService(session).find_or_create(
            "Ada", "ada@example.test", by=Principal.for_user(agent)
        )

    assert customer is not None
    [activity] = await _activities(database, "user.created")
    assert (activity.user_id, activity.changes["user_id"]) == (agent.id, customer.id)


# ---------------------------------------------------------------------- own profile


async def test_own_profile_changes_profile_fields_and_nothing_else(
    database: Database, make: Factory
) -> None:
    customer = await make.user("customer", email="me@example.test")

    user = await _own_profile(
        database,
        customer.id,
        locale="fr",
        timezone="Europe/Paris",
        email="other@example.test",
        role=Role.ADMIN,
        is_active=False,
    )

    assert (user.locale, user.timezone) == ("fr", "Europe/Paris")
    assert (user.email, user.role, user.is_active) == ("me@example.test", Role.CUSTOMER, True)


async def test_own_profile_refuses_an_unknown_time_zone(database: Database, make: Factory) -> None:
    agent = await make.user("agent")

    with pytest.raises(ValidationFailed) as refused:
        await _own_profile(database, agent.id, timezone="Mars/Olympus_Mons")

    assert refused.value.details == {"timezone": ["The timezone must be a valid zone."]}


async def test_own_profile_keeps_the_name_on_null(database: Database, make: Factory) -> None:
    customer = await make.user("customer", name="Kept Name")

    user = await _own_profile(database, customer.id, name=None)

    assert user.name == "Kept Name"


async def test_own_password_change_is_hashed_and_audited_hidden(
    database: Database, make: Factory
) -> None:
    customer = await make.user("customer")

    user = await _own_profile(
        database, customer.id, password=NEW_PASSWORD, current_password=PASSWORD
    )

    assert await verify_password(NEW_PASSWORD, user.password_hash)
    [activity] = await _activities(database, "profile.updated")
    assert activity.changes == {"user_id": customer.id, "password": ["(hidden)", "(changed)"]}


# ---------------------------------------------------------------------- closing an account


async def test_deactivation_revokes_the_accounts_keys(
    database: Database, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent")
    key = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)

    async with database.transaction() as session:
        await StaffService(session).update_agent(
            _key(Scope.AGENTS_UPDATE),
            agent.id,
            AccountChanges(fields_set=frozenset({"is_active"}), is_active=False),
        )

    row = await stored(database, ApiKey, key.api_key.id)
    assert (row.revoked, row.revoked_at) == (True, frozen_clock.now())


async def test_deletion_revokes_the_accounts_keys(
    database: Database, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    agent = await make.user("agent")
    key = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)

    async with database.transaction() as session:
        await AccountService(session).delete(Principal.for_user(admin), agent.id)

    row = await stored(database, ApiKey, key.api_key.id)
    assert (row.revoked, row.revoked_at) == (True, frozen_clock.now())


# ---------------------------------------------------------------------- scopes by role


async def test_a_staff_account_needs_the_agents_scope(database: Database) -> None:
    async with database.transaction() as session:
        with pytest.raises(Forbidden):
            await AccountService(session).create(
                _key(Scope.CUSTOMERS_CREATE),
                Role.AGENT,
                NewAccount(email="agent@example.test", password=NEW_PASSWORD),
            )
