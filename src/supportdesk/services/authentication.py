"""Resolve the credentials of a request into a Principal with its scopes (DESIGN.md §3).

Every surface calls this with the principal kinds it accepts; anything else, and every
credential that fails a check, is Unauthenticated (401 in that surface's format). What
each kind may then do is its scopes: a user's role, an internal key's own scopes, an
external key's agent's role, a project's customer scopes (auth/principal.py).

A credential resolved in the last ``principal_cache_seconds`` is answered from this
process's cache (services/principal_cache.py) without a lookup; the accepted kinds, a
project key's allowed addresses, expiry and the last-used stamp are checked on every
request all the same.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth import keys
from supportdesk.auth.principal import Principal, PrincipalKind
from supportdesk.auth.tokens import TokenClaims, decode_token
from supportdesk.config import Settings
from supportdesk.core import clock
from supportdesk.core.enums import ApiKeyType, Role
from supportdesk.core.errors import Forbidden, Unauthenticated
from supportdesk.models import ApiKey
from supportdesk.repositories.api_keys import ApiKeyRepository
from supportdesk.repositories.users import UserRepository
from supportdesk.services.principal_cache import (
    CachedPrincipal,
    PrincipalCache,
    credential_key,
    principals,
)

# last_used_at is bookkeeping: writing it on every request would cost a statement each.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_KEY_KINDS = {
    ApiKeyType.INTERNAL: PrincipalKind.INTERNAL_KEY,
    ApiKeyType.EXTERNAL: PrincipalKind.AGENT_KEY,
}
_SINGLE_KEY_KINDS = frozenset(_KEY_KINDS.values())

# How a refusal names the credential a request presented.
PRESENTED = {
    PrincipalKind.USER: "a portal user's token",
    PrincipalKind.INTERNAL_KEY: "an internal API key",
    PrincipalKind.AGENT_KEY: "an agent's external API key",
    PrincipalKind.PROJECT: "a project key pair",
}
AN_API_KEY = "an API key"
A_PROJECT_KEY = "a project key"
A_PAIR_NEEDS_BOTH = "Both X-Api-Key and X-Api-Secret are required."


class WrongCredential(Unauthenticated):
    """A credential of a kind the surface does not take, whether valid or not.

    ``presented`` names what was sent ("an internal API key"), so the surface can answer
    with the kind it does take.
    """

    def __init__(self, presented: str) -> None:
        super().__init__(f"{presented[0].upper()}{presented[1:]} is not accepted here.")
        self.presented = presented


def _presented(kind: PrincipalKind) -> str:
    return PRESENTED.get(kind, "this credential")


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request presented. Header names are case-insensitive: X-API-KEY is X-Api-Key."""

    bearer: str | None = None
    api_key: str | None = None
    api_secret: str | None = None
    ip_address: str | None = None


class AuthenticationService:
    def __init__(
        self, session: AsyncSession, settings: Settings, cache: PrincipalCache = principals
    ) -> None:
        self.session = session
        self.settings = settings
        self.users = UserRepository(session)
        self.api_keys = ApiKeyRepository(session)
        self.cache = cache
        self.cache_ttl = timedelta(seconds=settings.principal_cache_seconds)

    async def authenticate(
        self, credentials: Credentials, accept: Collection[PrincipalKind]
    ) -> Principal:
        if credentials.api_secret is not None:
            if PrincipalKind.PROJECT not in accept:
                raise WrongCredential(PRESENTED[PrincipalKind.PROJECT])
            return await self.project_pair(credentials)
        raw_key = credentials.api_key
        if raw_key is None and credentials.bearer and keys.looks_like_api_key(credentials.bearer):
            raw_key = credentials.bearer
        if raw_key is not None:
            # A project's key tells itself by its prefix: no lookup needed to refuse it.
            if raw_key.startswith(keys.PROJECT_KEY_PREFIX):
                if PrincipalKind.PROJECT in accept:
                    raise Unauthenticated(A_PAIR_NEEDS_BOTH)
                raise WrongCredential(A_PROJECT_KEY)
            if not _SINGLE_KEY_KINDS & set(accept):
                raise WrongCredential(AN_API_KEY)
            principal = await self.single_key(raw_key, credentials.ip_address, accept)
        elif credentials.bearer:
            if PrincipalKind.USER not in accept:
                if _looks_like_jwt(credentials.bearer):
                    raise WrongCredential(PRESENTED[PrincipalKind.USER])
                raise Unauthenticated()
            principal = await self.jwt(credentials.bearer, credentials.ip_address)
        else:
            raise Unauthenticated()
        if principal.kind not in accept:
            raise WrongCredential(_presented(principal.kind))
        return principal

    async def jwt(self, token: str, ip_address: str | None) -> Principal:
        key, now, generation = credential_key("jwt", token), clock.now(), self.cache.generation
        cached = self._recall(key, now)
        if cached is not None:
            return cached.principal(self.session, ip_address)
        claims = decode_token(token, secret=self.settings.jwt_secret())
        principal = await self.user_of(claims, ip_address)
        self._remember(key, principal, now, generation, claims.expires_at)
        return principal

    async def user_of(self, claims: TokenClaims, ip_address: str | None) -> Principal:
        """The active user behind valid claims, unless the token was revoked."""
        found = await self.users.get_with_token_state(claims.user_id, claims.jti)
        if found is None:
            raise Unauthenticated("Invalid token.")
        user, revoked = found
        # Both instants are to the microsecond: a token issued in the same second but after
        # a password change is valid, one issued before it is not.
        ended = user.tokens_valid_after
        if revoked or (ended is not None and claims.issued_at < ended):
            raise Unauthenticated("Token has been revoked.")
        if not user.is_active:
            raise Unauthenticated("Account is disabled.")
        return Principal.for_user(user, ip_address)

    async def single_key(
        self,
        raw_key: str,
        ip_address: str | None,
        accept: Collection[PrincipalKind] = tuple(PrincipalKind),
    ) -> Principal:
        key, now, generation = credential_key("key", raw_key), clock.now(), self.cache.generation
        cached = self._recall(key, now)
        if cached is not None:
            if cached.kind not in accept:
                raise WrongCredential(_presented(cached.kind))
            principal = cached.principal(self.session, ip_address)
            await self._touch_cached(cached, now)
            return principal
        principal = await self._resolve_single_key(raw_key, ip_address, accept)
        assert principal.api_key is not None
        self._remember(key, principal, now, generation, principal.api_key.expires_at)
        return principal

    async def _resolve_single_key(
        self, raw_key: str, ip_address: str | None, accept: Collection[PrincipalKind]
    ) -> Principal:
        api_key = await self._usable_key(raw_key)
        kind = _KEY_KINDS.get(api_key.type)
        if kind is None:  # a project key needs its secret
            raise Unauthenticated("Invalid API key.")
        if kind not in accept:
            raise WrongCredential(_presented(kind))
        if kind is PrincipalKind.AGENT_KEY:
            agent = api_key.agent
            if agent is None or agent.deleted_at is not None or not agent.is_active:
                raise Unauthenticated("The agent of this API key is inactive.")
            if agent.role is Role.CUSTOMER:
                raise Unauthenticated("Invalid API key.")
            principal = Principal.for_agent_key(api_key, agent, ip_address)
        else:
            principal = Principal.for_internal_key(api_key, ip_address)
        await self._touch(api_key)
        return principal

    async def project_pair(self, credentials: Credentials) -> Principal:
        if not credentials.api_key or not credentials.api_secret:
            raise Unauthenticated(A_PAIR_NEEDS_BOTH)
        key = credential_key("pair", credentials.api_key, credentials.api_secret)
        now, generation = clock.now(), self.cache.generation
        cached = self._recall(key, now)
        if cached is not None:
            if cached.allowed_ips and not _ip_allowed(credentials.ip_address, cached.allowed_ips):
                raise Forbidden("This address may not use this API key.")
            principal = cached.principal(self.session, credentials.ip_address)
            await self._touch_cached(cached, now)
            return principal
        principal = await self._resolve_project_pair(credentials)
        assert principal.api_key is not None
        self._remember(key, principal, now, generation, principal.api_key.expires_at)
        return principal

    async def _resolve_project_pair(self, credentials: Credentials) -> Principal:
        assert credentials.api_key is not None and credentials.api_secret is not None
        api_key = await self._usable_key(credentials.api_key)
        if api_key.type is not ApiKeyType.PROJECT or api_key.secret_hash is None:
            raise Unauthenticated("Invalid API key.")
        if not keys.matches(credentials.api_secret, api_key.secret_hash):
            raise Unauthenticated("Invalid API key.")
        project = api_key.project
        if project is None or not project.is_active:
            raise Unauthenticated("The project of this API key is inactive.")
        if api_key.allowed_ips and not _ip_allowed(credentials.ip_address, api_key.allowed_ips):
            # The credentials are right, the caller's address is not: refused, not unknown.
            raise Forbidden("This address may not use this API key.")
        await self._touch(api_key)
        return Principal.for_project(api_key, project, credentials.ip_address)

    async def _usable_key(self, raw_key: str) -> ApiKey:
        key_digest = keys.digest(raw_key)
        api_key = await self.api_keys.by_digest(key_digest)
        # The lookup is by digest; comparing again in constant time costs nothing.
        if api_key is None or not keys.matches(raw_key, api_key.key_hash):
            raise Unauthenticated("Invalid API key.")
        if api_key.revoked:
            raise Unauthenticated("This API key has been revoked.")
        if api_key.expires_at is not None and api_key.expires_at <= clock.now():
            raise Unauthenticated("This API key has expired.")
        return api_key

    async def _touch(self, api_key: ApiKey) -> None:
        now = clock.now()
        if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
            await self.api_keys.mark_used(api_key.id, now)

    async def _touch_cached(self, cached: CachedPrincipal, now: datetime) -> None:
        """``_touch`` for a cached key: the entry remembers the last stamp."""
        last = cached.last_used_at
        if cached.api_key is not None and (last is None or now - last >= LAST_USED_RESOLUTION):
            cached.last_used_at = now
            await self.api_keys.mark_used(cached.api_key.id, now)

    # ---------------------------------------------------------------- the cache

    def _recall(self, key: bytes, now: datetime) -> CachedPrincipal | None:
        return self.cache.get(key, now) if self.cache_ttl else None

    def _remember(
        self,
        key: bytes,
        principal: Principal,
        now: datetime,
        generation: int,
        expires_at: datetime | None,
    ) -> None:
        """Keep a principal just resolved, no longer than its token or key is valid."""
        if not self.cache_ttl:
            return
        until = now + self.cache_ttl
        if expires_at is not None and expires_at < until:
            until = expires_at
        entry = CachedPrincipal.of(principal, now, until)
        if entry is not None:
            self.cache.put(key, entry, generation=generation)


def _ip_allowed(ip_address: str | None, allowed: Collection[str]) -> bool:
    if ip_address is None:
        return False
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False
