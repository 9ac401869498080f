"""AuthenticationService: every credential kind it resolves and every way it refuses one."""

from __future__ import annotations

import base64
import json
from collections.abc import Collection
from datetime import timedelta
from typing import Any

import pytest
from jose import jwt
from sqlalchemy import update

from supportdesk.auth.keys import generate_key, generate_secret
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.scopes import Scope
from supportdesk.auth.tokens import decode_token
from supportdesk.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.enums import ApiKeyType
from supportdesk.core.errors import Forbidden, Unauthenticated
from supportdesk.models import ApiKey, Project, User
from supportdesk.repositories.users import RevokedTokenRepository
from supportdesk.services.authentication import AuthenticationService, Credentials
from tests.factories import Factory
from tests.support import FrozenClock

EVERY_KIND = frozenset(PrincipalKind)
KEYS_ONLY = frozenset({PrincipalKind.INTERNAL_KEY, PrincipalKind.AGENT_KEY})


async def _authenticate(
    database: Database,
    settings: Settings,
    credentials: Credentials,
    accept: Collection[PrincipalKind] = EVERY_KIND,
) -> Principal:
    async with database.transaction() as session:
        return await AuthenticationService(session, settings).authenticate(credentials, accept)


async def _set(database: Database, model: Any, row_id: int, **values: Any) -> None:
    async with database.transaction() as session:
        await session.execute(update(model).where(model.id == row_id).values(**values))


async def _api_key_row(database: Database, key_id: int) -> ApiKey:
    async with database.transaction() as session:
        row = await session.get(ApiKey, key_id)
        assert row is not None
        return row


def _claims(settings: Settings, token: str) -> Any:
    return decode_token(token, secret=settings.jwt_secret())


# ---------------------------------------------------------------------- JWT users


async def test_a_valid_jwt_resolves_to_its_user(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user("agent")

    principal = await _authenticate(
        database, settings, Credentials(bearer=make.token(agent), ip_address="198.51.100.4")
    )

    assert principal.kind is PrincipalKind.USER
    assert principal.user_id == agent.id
    assert principal.role == agent.role
    assert principal.ip_address == "198.51.100.4"


async def test_no_credentials_at_all_are_rejected(database: Database, settings: Settings) -> None:
    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials())


async def test_an_empty_bearer_is_rejected(database: Database, settings: Settings) -> None:
    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=""))


@pytest.mark.parametrize("token", ["abc", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.", "ss_secret"])
async def test_a_malformed_jwt_is_rejected(
    database: Database, settings: Settings, token: str
) -> None:
    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


def _payload(user: User, frozen_clock: FrozenClock) -> dict[str, Any]:
    issued_at = int(frozen_clock.now().timestamp())
    return {
        "sub": str(user.id),
        "role": str(user.role),
        "jti": "f" * 32,
        "iat": issued_at,
        "exp": issued_at + 3600,
    }


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_jwt_signed_with_another_secret_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    token = jwt.encode(_payload(admin, frozen_clock), "x" * 48, algorithm="HS256")

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


async def test_an_alg_none_jwt_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_payload(admin, frozen_clock))}."

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


async def test_a_jwt_signed_with_another_algorithm_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    admin = await make.user("admin")
    token = jwt.encode(_payload(admin, frozen_clock), settings.jwt_secret(), algorithm="HS512")

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


async def test_an_expired_jwt_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    token = make.token(customer, ttl=timedelta(minutes=5))
    frozen_clock.advance(minutes=5)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


async def test_a_revoked_jwt_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    customer = await make.user("customer")
    token = make.token(customer)
    claims = _claims(settings, token)
    async with database.transaction() as session:
        await RevokedTokenRepository(session).revoke(claims.jti, claims.expires_at)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


async def test_revoking_one_token_leaves_the_users_other_tokens_valid(
    database: Database, settings: Settings, make: Factory
) -> None:
    customer = await make.user("customer")
    revoked, other = make.token(customer), make.token(customer)
    claims = _claims(settings, revoked)
    async with database.transaction() as session:
        await RevokedTokenRepository(session).revoke(claims.jti, claims.expires_at)

    principal = await _authenticate(database, settings, Credentials(bearer=other))

    assert principal.user_id == customer.id


async def test_the_jwt_of_an_inactive_user_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user("agent")
    token = make.token(agent)
    await _set(database, User, agent.id, is_active=False)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


async def test_the_jwt_of_a_deleted_user_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent")
    token = make.token(agent)
    await _set(database, User, agent.id, deleted_at=frozen_clock.now())

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


async def test_a_jwt_for_an_unknown_user_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user("agent")
    ghost = User(id=agent.id + 1000, role=agent.role)
    token = make.token(ghost)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=token))


# ---------------------------------------------------------------------- internal keys


async def test_an_internal_key_resolves_with_its_scopes(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal", scopes=["tickets:list", "tickets:read"])

    principal = await _authenticate(database, settings, Credentials(api_key=issued.raw_key))

    assert principal.kind is PrincipalKind.INTERNAL_KEY
    assert principal.scopes == {"tickets:list", "tickets:read"}
    assert principal.api_key is not None and principal.api_key.id == issued.api_key.id
    assert principal.user is None
    assert principal.can("tickets:list")
    assert not principal.can("tickets:delete")


async def test_an_internal_key_without_scopes_may_do_everything(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal")

    principal = await _authenticate(database, settings, Credentials(api_key=issued.raw_key))

    assert principal.scopes == set(Scope)
    assert principal.can(Scope.TICKETS_DELETE)


async def test_an_unknown_key_is_rejected(database: Database, settings: Settings) -> None:
    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(api_key=generate_key(ApiKeyType.INTERNAL))
        )


async def test_a_revoked_key_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal")
    await _set(database, ApiKey, issued.api_key.id, revoked=True)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(api_key=issued.raw_key))


async def test_a_key_is_accepted_until_it_expires(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    issued = await make.api_key("internal", expires_at=frozen_clock.now() + timedelta(hours=1))
    frozen_clock.advance(minutes=59)

    principal = await _authenticate(database, settings, Credentials(api_key=issued.raw_key))

    assert principal.kind is PrincipalKind.INTERNAL_KEY


async def test_an_expired_key_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    issued = await make.api_key("internal", expires_at=frozen_clock.now() + timedelta(hours=1))
    frozen_clock.advance(hours=1)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(api_key=issued.raw_key))


# ---------------------------------------------------------------------- external agent keys


async def test_an_external_key_resolves_to_its_agent(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user("agent")
    issued = await make.api_key("external", agent_id=agent.id)

    principal = await _authenticate(database, settings, Credentials(api_key=issued.raw_key))

    assert principal.kind is PrincipalKind.AGENT_KEY
    assert principal.user_id == agent.id
    assert principal.api_key is not None and principal.api_key.id == issued.api_key.id


async def test_the_external_key_of_an_inactive_agent_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user("agent")
    issued = await make.api_key("external", agent_id=agent.id)
    await _set(database, User, agent.id, is_active=False)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(api_key=issued.raw_key))


async def test_the_external_key_of_a_deleted_agent_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    agent = await make.user("agent")
    issued = await make.api_key("external", agent_id=agent.id)
    await _set(database, User, agent.id, deleted_at=frozen_clock.now())

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(api_key=issued.raw_key))


# ---------------------------------------------------------------------- keys as Bearer


async def test_an_internal_key_sent_as_bearer_works_like_x_api_key(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal", scopes=["tickets:list"])

    principal = await _authenticate(database, settings, Credentials(bearer=issued.raw_key))

    assert principal.kind is PrincipalKind.INTERNAL_KEY
    assert principal.scopes == {"tickets:list"}


async def test_an_external_key_sent_as_bearer_works_like_x_api_key(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user("agent")
    issued = await make.api_key("external", agent_id=agent.id)

    principal = await _authenticate(database, settings, Credentials(bearer=issued.raw_key))

    assert principal.kind is PrincipalKind.AGENT_KEY
    assert principal.user_id == agent.id


async def test_a_revoked_key_sent_as_bearer_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal")
    await _set(database, ApiKey, issued.api_key.id, revoked=True)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=issued.raw_key))


# ---------------------------------------------------------------------- project key pairs


def _pair(issued: Any, ip_address: str | None = "203.0.113.7") -> Credentials:
    return Credentials(api_key=issued.raw_key, api_secret=issued.raw_secret, ip_address=ip_address)


async def test_a_project_key_pair_resolves_to_its_project(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)

    principal = await _authenticate(database, settings, _pair(issued))

    assert principal.kind is PrincipalKind.PROJECT
    assert principal.project is not None and principal.project.id == project.id
    assert principal.user is None
    assert principal.ip_address == "203.0.113.7"


async def test_a_project_key_with_a_wrong_secret_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(api_key=issued.raw_key, api_secret=generate_secret())
        )


async def test_the_secret_of_another_project_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)
    other = await make.api_key("project", project_id=project.id)

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database,
            settings,
            Credentials(api_key=issued.raw_key, api_secret=other.raw_secret),
        )


async def test_a_secret_without_its_key_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(api_secret=issued.raw_secret))


async def test_a_project_key_without_its_secret_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(api_key=issued.raw_key))


async def test_an_internal_key_with_a_secret_is_not_a_project_pair(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal")

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(api_key=issued.raw_key, api_secret=generate_secret())
        )


async def test_the_key_pair_of_an_inactive_project_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)
    await _set(database, Project, project.id, is_active=False)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, _pair(issued))


async def test_a_revoked_project_key_pair_is_rejected(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)
    await _set(database, ApiKey, issued.api_key.id, revoked=True)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, _pair(issued))


async def test_an_expired_project_key_pair_is_rejected(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    issued = await make.api_key(
        "project", project_id=project.id, expires_at=frozen_clock.now() + timedelta(days=30)
    )
    frozen_clock.advance(days=30, seconds=1)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, _pair(issued))


@pytest.mark.parametrize(
    ("allowed", "ip_address"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("10.0.0.0/8", "10.20.30.40"),
        ("192.168.1.0/24", "192.168.1.255"),
        ("2001:db8::/32", "2001:db8:1::5"),
    ],
    ids=["address", "cidr", "cidr-edge", "ipv6-cidr"],
)
async def test_allowed_ips_accept_a_listed_address(
    database: Database, settings: Settings, make: Factory, allowed: str, ip_address: str
) -> None:
    project = await make.project()
    issued = await make.api_key(
        "project", project_id=project.id, allowed_ips=["198.51.100.1", allowed]
    )

    principal = await _authenticate(database, settings, _pair(issued, ip_address))

    assert principal.kind is PrincipalKind.PROJECT


@pytest.mark.parametrize(
    ("allowed", "ip_address"),
    [
        ("203.0.113.7", "203.0.113.8"),
        ("10.0.0.0/8", "11.0.0.1"),
        ("192.168.1.0/24", "192.168.2.0"),
        ("203.0.113.7", None),
        ("203.0.113.7", "not-an-address"),
    ],
    ids=["address", "cidr", "cidr-edge", "no-address", "garbage-address"],
)
async def test_allowed_ips_refuse_any_other_address(
    database: Database,
    settings: Settings,
    make: Factory,
    allowed: str,
    ip_address: str | None,
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id, allowed_ips=[allowed])

    with pytest.raises(Forbidden):
        await _authenticate(database, settings, _pair(issued, ip_address))


# ---------------------------------------------------------------------- accepted kinds


async def test_an_internal_key_is_rejected_where_only_users_are_accepted(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal")

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(api_key=issued.raw_key), {PrincipalKind.USER}
        )


async def test_a_key_sent_as_bearer_is_rejected_where_only_users_are_accepted(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal")

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(bearer=issued.raw_key), {PrincipalKind.USER}
        )


async def test_a_jwt_is_rejected_where_only_keys_are_accepted(
    database: Database, settings: Settings, make: Factory
) -> None:
    admin = await make.user("admin")

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, Credentials(bearer=make.token(admin)), KEYS_ONLY)


async def test_a_project_pair_is_rejected_where_only_users_are_accepted(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)

    with pytest.raises(Unauthenticated):
        await _authenticate(database, settings, _pair(issued), {PrincipalKind.USER})


async def test_an_external_key_is_rejected_where_only_internal_keys_are_accepted(
    database: Database, settings: Settings, make: Factory
) -> None:
    agent = await make.user("agent")
    issued = await make.api_key("external", agent_id=agent.id)

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(api_key=issued.raw_key), {PrincipalKind.INTERNAL_KEY}
        )


async def test_an_internal_key_is_rejected_where_only_agent_keys_are_accepted(
    database: Database, settings: Settings, make: Factory
) -> None:
    issued = await make.api_key("internal")

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(api_key=issued.raw_key), {PrincipalKind.AGENT_KEY}
        )


# ---------------------------------------------------------------------- last_used_at


async def test_a_key_records_when_it_was_first_used(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    issued = await make.api_key("internal")

    await _authenticate(database, settings, Credentials(api_key=issued.raw_key))

    assert (await _api_key_row(database, issued.api_key.id)).last_used_at == frozen_clock.now()


async def test_last_used_at_is_not_rewritten_within_a_minute(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    issued = await make.api_key("internal")
    first_use = frozen_clock.now()
    await _authenticate(database, settings, Credentials(api_key=issued.raw_key))
    frozen_clock.advance(seconds=30)

    await _authenticate(database, settings, Credentials(api_key=issued.raw_key))

    assert (await _api_key_row(database, issued.api_key.id)).last_used_at == first_use


async def test_last_used_at_is_rewritten_once_a_minute_has_passed(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    issued = await make.api_key("internal")
    await _authenticate(database, settings, Credentials(api_key=issued.raw_key))
    frozen_clock.advance(seconds=30)
    await _authenticate(database, settings, Credentials(api_key=issued.raw_key))
    later = frozen_clock.advance(minutes=2)

    await _authenticate(database, settings, Credentials(api_key=issued.raw_key))

    assert (await _api_key_row(database, issued.api_key.id)).last_used_at == later


async def test_a_project_pair_records_when_it_was_used(
    database: Database, settings: Settings, make: Factory, frozen_clock: FrozenClock
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)

    await _authenticate(database, settings, _pair(issued))

    assert (await _api_key_row(database, issued.api_key.id)).last_used_at == frozen_clock.now()


async def test_a_rejected_key_records_no_use(
    database: Database, settings: Settings, make: Factory
) -> None:
    project = await make.project()
    issued = await make.api_key("project", project_id=project.id)

    with pytest.raises(Unauthenticated):
        await _authenticate(
            database, settings, Credentials(api_key=issued.raw_key, api_secret=generate_secret())
        )

    assert (await _api_key_row(database, issued.api_key.id)).last_used_at is None
