"""The principal cache: a credential presented again within the TTL costs no lookup, and
every change to who it is or what it may do applies from the very next request."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import update

from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.tokens import decode_token
from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.core.errors import Forbidden, Unauthenticated
from supportdesk.models import ApiKey, User
from supportdesk.services import principal_cache
from supportdesk.services.authentication import AuthenticationService, Credentials
from supportdesk.services.principal_cache import (
    CachedPrincipal,
    PrincipalCache,
    credential_key,
    principals,
)
from tests.factories import Factory
from tests.support import FrozenClock, StatementCounter, stored

EVERY_KIND = frozenset(PrincipalKind)
ME = "/api/auth/me"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Every test starts without cached principals, and leaves none behind."""
    principals.clear()
    yield
    principals.clear()


def _user_lookups(statements: StatementCounter) -> list[str]:
    return [sql for sql in statements.statements if "FROM users" in sql]


def _key_lookups(statements: StatementCounter) -> list[str]:
    return [sql for sql in statements.statements if "WHERE api_keys.key_hash" in sql]


def _last_used_updates(statements: StatementCounter) -> list[str]:
    return [sql for sql in statements.statements if sql.startswith("UPDATE api_keys")]


def _with_ttl(settings: Settings, seconds: float) -> Settings:
    return settings.model_copy(update={"principal_cache_seconds": seconds})


async def _authenticate(
    database: Database,
    settings: Settings,
    credentials: Credentials,
    accept: Collection[PrincipalKind] = EVERY_KIND,
    cache: PrincipalCache = principals,
) -> Principal:
    async with database.transaction() as session:
        service = AuthenticationService(session, settings, cache)
        return await service.authenticate(credentials, accept)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _key(raw_key: str) -> dict[str, str]:
    return {"X-API-KEY": raw_key}


# ---------------------------------------------------------------------- reuse


async def test_a_second_request_with_the_same_token_sends_no_user_lookup(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    agent = await make.user(Role.AGENT)
    headers = make.auth(agent)
    statements.start()
    first = await client.get(ME, headers=headers)
    assert first.status_code == 200
    assert len(_user_lookups(statements)) == 1

    statements.start()
    second = await client.get(ME, headers=headers)

    assert second.status_code == 200
    assert _user_lookups(statements) == []
    assert second.json() == first.json()


async def test_a_second_request_with_the_same_key_sends_no_key_lookup(
    client: AsyncClient, make: Factory, statements: StatementCounter
) -> None:
    issued = await make.api_key(ApiKeyType.INTERNAL)
    url = f"/api/v1/internal/api-keys/{issued.api_key.id}"
    statements.start()
    assert (await client.get(url, headers=_key(issued.raw_key))).status_code == 200
    assert len(_key_lookups(statements)) == 1

    statements.start()
    response = await client.get(url, headers=_key(issued.raw_key))

    assert response.status_code == 200
    assert _key_lookups(statements) == []


async def test_every_request_gets_its_own_instance_of_the_cached_user(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user(Role.AGENT)
    credentials = Credentials(bearer=make.token(agent))

    async with database.transaction(read_only=True) as first_session:
        first = await AuthenticationService(first_session, settings).authenticate(
            credentials, EVERY_KIND
        )
        async with database.transaction(read_only=True) as second_session:
            second = await AuthenticationService(second_session, settings).authenticate(
                credentials, EVERY_KIND
            )

            assert first.user is not None and second.user is not None
            assert first.user is not second.user
            assert first.user.id == second.user.id == agent.id
            assert sa_inspect(first.user).session is first_session.sync_session
            assert sa_inspect(second.user).session is second_session.sync_session


async def test_a_cached_user_is_a_row_of_the_request_that_can_be_changed(
    client: AsyncClient, make: Factory, database: Database
) -> None:
    customer = await make.user(Role.CUSTOMER)
    headers = make.auth(customer)
    assert (await client.get(ME, headers=headers)).status_code == 200  # now cached

    response = await client.put("/api/auth/profile", headers=headers, json={"name": "Ada L."})

    assert response.status_code == 200
    assert (await stored(database, User, customer.id)).name == "Ada L."
    assert (await client.get(ME, headers=headers)).json()["user"]["name"] == "Ada L."


# ---------------------------------------------------------------------- revocation


async def test_logout_takes_effect_on_the_very_next_request(
    client: AsyncClient, make: Factory
) -> None:
    customer = await make.user(Role.CUSTOMER)
    headers = make.auth(customer)
    assert (await client.get(ME, headers=headers)).status_code == 200

    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 200

    assert (await client.get(ME, headers=headers)).status_code == 401


async def test_deactivating_a_user_takes_effect_on_the_very_next_request(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)
    customer = await make.user(Role.CUSTOMER)
    headers = make.auth(customer)
    assert (await client.get(ME, headers=headers)).status_code == 200

    deactivated = await client.put(
        f"/api/admin/users/{customer.id}", headers=make.auth(admin), json={"is_active": False}
    )
    assert deactivated.status_code == 200

    assert (await client.get(ME, headers=headers)).status_code == 401


async def test_a_role_change_takes_effect_on_the_very_next_request(
    client: AsyncClient, make: Factory
) -> None:
    owner = await make.user(Role.SUPER_ADMIN)
    admin = await make.user(Role.ADMIN)
    headers = make.auth(admin)
    assert (await client.get("/api/admin/users", headers=headers)).status_code == 200

    demoted = await client.put(
        f"/api/admin/users/{admin.id}", headers=make.auth(owner), json={"role": "agent"}
    )
    assert demoted.status_code == 200

    # A role change ends the account's sessions: the token is refused, not downgraded.
    assert (await client.get("/api/admin/users", headers=headers)).status_code == 401


async def test_deleting_an_agent_takes_effect_on_their_key_at_the_very_next_request(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)
    agent = await make.user(Role.AGENT, projects=[1])
    issued = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)
    url = "/api/v1/external/connection-check"
    assert (await client.get(url, headers=_key(issued.raw_key))).status_code == 200

    deleted = await client.delete(f"/api/admin/users/{agent.id}", headers=make.auth(admin))
    assert deleted.status_code == 200

    assert (await client.get(url, headers=_key(issued.raw_key))).status_code == 401


async def test_revoking_a_key_takes_effect_on_the_very_next_request(
    client: AsyncClient, make: Factory
) -> None:
    manager = await make.api_key(ApiKeyType.INTERNAL)
    doomed = await make.api_key(ApiKeyType.INTERNAL)
    url = f"/api/v1/internal/api-keys/{doomed.api_key.id}"
    assert (await client.get(url, headers=_key(doomed.raw_key))).status_code == 200

    revoked = await client.delete(url, headers=_key(manager.raw_key))
    assert revoked.status_code == 200

    response = await client.get(url, headers=_key(doomed.raw_key))
    assert response.status_code == 401
    assert response.json()["message"] == "This API key has been revoked."


async def test_narrowing_a_keys_scopes_takes_effect_on_the_very_next_request(
    client: AsyncClient, make: Factory
) -> None:
    manager = await make.api_key(ApiKeyType.INTERNAL)
    narrowed = await make.api_key(ApiKeyType.INTERNAL)
    url = f"/api/v1/internal/api-keys/{narrowed.api_key.id}"
    assert (await client.get(url, headers=_key(narrowed.raw_key))).status_code == 200

    changed = await client.put(
        url, headers=_key(manager.raw_key), json={"scopes": ["tickets:read"]}
    )
    assert changed.status_code == 200

    assert (await client.get(url, headers=_key(narrowed.raw_key))).status_code == 403


async def test_deactivating_a_project_takes_effect_on_its_key_pair_at_the_very_next_request(
    client: AsyncClient, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)
    project = await make.project()
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=project.id)
    assert pair.raw_secret is not None
    headers = {"X-Api-Key": pair.raw_key, "X-Api-Secret": pair.raw_secret}
    assert (await client.get("/api/external/ping", headers=headers)).status_code == 200

    deactivated = await client.patch(
        f"/api/admin/projects/{project.id}", headers=make.auth(admin), json={"is_active": False}
    )
    assert deactivated.status_code == 200

    response = await client.get("/api/external/ping", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "The project of this API key is inactive."}


async def test_a_change_is_forgotten_again_when_its_transaction_commits(
    database: Database, settings: Settings, make: Factory
) -> None:
    customer = await make.user(Role.CUSTOMER)
    credentials = Credentials(bearer=make.token(customer))
    async with database.transaction() as session:
        principal_cache.forget(session, users=[customer.id])
        # A request that read the account before the change was committed caches it.
        await _authenticate(database, settings, credentials)
        assert len(principals) == 1

    assert len(principals) == 0


async def test_a_lookup_that_began_before_a_change_is_not_kept(
    database: Database, settings: Settings, make: Factory
) -> None:
    customer = await make.user(Role.CUSTOMER)
    async with database.transaction() as session:
        principal = await AuthenticationService(session, settings).user_of(
            decode_token(make.token(customer), secret=settings.jwt_secret()), None
        )
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    entry = CachedPrincipal.of(principal, now, now + timedelta(seconds=5))
    assert entry is not None
    generation = principals.generation

    principals.forget(users=[customer.id])
    principals.put(credential_key("jwt", "token"), entry, generation=generation)

    assert len(principals) == 0


# ---------------------------------------------------------------------- time


async def test_a_cached_principal_is_looked_up_again_once_the_ttl_passed(
    client: AsyncClient,
    make: Factory,
    settings: Settings,
    statements: StatementCounter,
    frozen_clock: FrozenClock,
) -> None:
    customer = await make.user(Role.CUSTOMER)
    headers = make.auth(customer)
    assert (await client.get(ME, headers=headers)).status_code == 200
    frozen_clock.advance(seconds=settings.principal_cache_seconds - 0.001)
    statements.start()
    assert (await client.get(ME, headers=headers)).status_code == 200
    assert _user_lookups(statements) == []

    frozen_clock.advance(seconds=0.001)
    statements.start()
    assert (await client.get(ME, headers=headers)).status_code == 200

    assert len(_user_lookups(statements)) == 1


async def test_a_change_made_by_another_process_shows_once_the_ttl_passed(
    client: AsyncClient,
    make: Factory,
    database: Database,
    settings: Settings,
    frozen_clock: FrozenClock,
) -> None:
    customer = await make.user(Role.CUSTOMER)
    headers = make.auth(customer)
    assert (await client.get(ME, headers=headers)).status_code == 200
    async with database.transaction() as session:  # not through a service: nothing forgotten
        await session.execute(update(User).where(User.id == customer.id).values(is_active=False))
    assert (await client.get(ME, headers=headers)).status_code == 200

    frozen_clock.advance(seconds=settings.principal_cache_seconds)

    assert (await client.get(ME, headers=headers)).status_code == 401


async def test_a_cached_token_is_refused_once_it_expires(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user(Role.CUSTOMER)
    headers = _bearer(make.token(customer, ttl=timedelta(seconds=2)))
    assert (await client.get(ME, headers=headers)).status_code == 200

    frozen_clock.advance(seconds=2)

    response = await client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Token has expired."}


async def test_a_cached_key_is_refused_once_it_expires(
    client: AsyncClient, make: Factory, frozen_clock: FrozenClock
) -> None:
    issued = await make.api_key(
        ApiKeyType.INTERNAL, expires_at=frozen_clock.now() + timedelta(seconds=2)
    )
    url = f"/api/v1/internal/api-keys/{issued.api_key.id}"
    assert (await client.get(url, headers=_key(issued.raw_key))).status_code == 200

    frozen_clock.advance(seconds=2)

    response = await client.get(url, headers=_key(issued.raw_key))
    assert response.status_code == 401
    assert response.json()["message"] == "This API key has expired."


async def test_a_ttl_of_zero_looks_the_user_up_on_every_request(
    database: Database, settings: Settings, make: Factory, statements: StatementCounter
) -> None:
    uncached = _with_ttl(settings, 0)
    customer = await make.user(Role.CUSTOMER)
    credentials = Credentials(bearer=make.token(customer))
    await _authenticate(database, uncached, credentials)

    statements.start()
    await _authenticate(database, uncached, credentials)

    assert len(_user_lookups(statements)) == 1
    assert len(principals) == 0


async def test_a_cached_key_still_stamps_its_last_use_once_a_minute(
    database: Database,
    settings: Settings,
    make: Factory,
    statements: StatementCounter,
    frozen_clock: FrozenClock,
) -> None:
    long_lived = _with_ttl(settings, 3600)
    cache = PrincipalCache()
    issued = await make.api_key(ApiKeyType.INTERNAL)
    credentials = Credentials(api_key=issued.raw_key)
    await _authenticate(database, long_lived, credentials, cache=cache)  # stamps
    frozen_clock.advance(seconds=59)
    statements.start()
    await _authenticate(database, long_lived, credentials, cache=cache)
    assert _last_used_updates(statements) == []

    frozen_clock.advance(seconds=1)
    statements.start()
    await _authenticate(database, long_lived, credentials, cache=cache)

    assert len(_last_used_updates(statements)) == 1
    assert (await stored(database, ApiKey, issued.api_key.id)).last_used_at == frozen_clock.now()


# ---------------------------------------------------------------------- checks on a hit


async def test_a_cached_key_is_still_refused_by_a_surface_that_does_not_take_it(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user(Role.AGENT)
    issued = await make.api_key(ApiKeyType.EXTERNAL, agent_id=agent.id)
    credentials = Credentials(api_key=issued.raw_key)
    await _authenticate(database, settings, credentials)  # cached

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, credentials, {PrincipalKind.INTERNAL_KEY})


async def test_a_cached_key_pair_still_checks_the_callers_address(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=project.id, allowed_ips=["10.0.0.0/8"])
    assert pair.raw_secret is not None

    def from_address(address: str) -> Credentials:
        assert pair.raw_secret is not None
        return Credentials(api_key=pair.raw_key, api_secret=pair.raw_secret, ip_address=address)

    await _authenticate(database, settings, from_address("10.1.2.3"))  # cached

    with pytest.raises(Forbidden):
        await _authenticate(database, settings, from_address("192.0.2.1"))


async def test_a_wrong_secret_never_matches_a_cached_key_pair(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    pair = await make.api_key(ApiKeyType.PROJECT, project_id=project.id)
    assert pair.raw_secret is not None
    await _authenticate(
        database, settings, Credentials(api_key=pair.raw_key, api_secret=pair.raw_secret)
    )

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(api_key=pair.raw_key, api_secret="ss_wrong")
        )


# ---------------------------------------------------------------------- bounds


def _entry(user_id: int) -> CachedPrincipal:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return CachedPrincipal(
        kind=PrincipalKind.USER,
        scopes=frozenset(),
        user=None,
        api_key=None,
        project=None,
        key_agent=None,
        key_project=None,
        key_user=None,
        cached_at=now,
        valid_until=now + timedelta(seconds=5),
        ids=((user_id,), (), ()),
    )


def test_the_least_recently_used_entry_goes_first_when_the_cache_is_full() -> None:
    cache = PrincipalCache(max_entries=2)
    now = datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)
    keys = {name: credential_key("jwt", name) for name in ("a", "b", "c")}
    cache.put(keys["a"], _entry(1), generation=cache.generation)
    cache.put(keys["b"], _entry(2), generation=cache.generation)
    assert cache.get(keys["a"], now) is not None  # "b" is now the least recently used

    cache.put(keys["c"], _entry(3), generation=cache.generation)

    assert len(cache) == 2
    assert cache.get(keys["b"], now) is None
    assert cache.get(keys["a"], now) is not None
    assert cache.get(keys["c"], now) is not None


async def test_a_cached_internal_key_still_acts_as_its_user(
    database: Database, settings: Settings, make: Factory
) -> None:
    admin = await make.user(Role.ADMIN)
    issued = await make.api_key(ApiKeyType.INTERNAL, user_id=admin.id)
    credentials = Credentials(api_key=issued.raw_key)
    await _authenticate(database, settings, credentials)

    async with database.transaction() as session:
        cached = await AuthenticationService(session, settings).authenticate(
            credentials, EVERY_KIND
        )
        actor_id = cached.actor_id

    assert actor_id == admin.id
