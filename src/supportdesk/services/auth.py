"""Portal accounts: logging in and out, registering, refreshing tokens, the own profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.passwords import hash_password, verify_password
from supportdesk.auth.principal import Principal
from supportdesk.auth.tokens import IssuedToken, TokenClaims, decode_token, issue_token
from supportdesk.config import Settings
from supportdesk.core import clock
from supportdesk.core.enums import Role
from supportdesk.core.errors import Forbidden, Unauthenticated, ValidationFailed
from supportdesk.models import Project, User
from supportdesk.repositories.users import RevokedTokenRepository, UserRepository, normalize_email
from supportdesk.services.authentication import AuthenticationService
from supportdesk.services.settings import SettingsService


@dataclass(frozen=True, slots=True)
class Session:
    token: IssuedToken
    user: User


@dataclass(frozen=True, slots=True)
class Registration:
    name: str
    email: str
    password: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    name: str | None = None
    phone: str | None = None
    password: str | None = None
    fields_set: frozenset[str] = frozenset()


class AuthService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.config = settings
        self.users = UserRepository(session)
        self.revoked = RevokedTokenRepository(session)
        self.settings = SettingsService(session)
        self.authenticator = AuthenticationService(session, settings)

    def _issue(self, user: User) -> IssuedToken:
        return issue_token(
            user.id,
            user.role,
            secret=self.config.jwt_secret(),
            ttl=timedelta(minutes=self.config.jwt_ttl),
        )

    @property
    def _refresh_window(self) -> timedelta:
        return timedelta(minutes=self.config.jwt_refresh_ttl)

    async def login(self, email: str, password: str) -> Session:
        user = await self.users.get_by_email(email)
        # Verified even for an unknown address, so timing does not tell which exist.
        valid = await verify_password(password, user.password_hash if user else None)
        if user is None or not valid:
            raise Unauthenticated("Invalid credentials")
        if not user.is_active:
            raise Unauthenticated("Account is disabled.")
        user.last_login_at = clock.now()
        return Session(self._issue(user), user)

    async def register(self, registration: Registration) -> Session:
        if not await self.settings.get("sd_customer_registration_enabled"):
            raise Forbidden("Registration is disabled.")
        if await self.users.email_taken(registration.email):
            raise ValidationFailed.field("email", "The email has already been taken.")
        user = User(
            name=registration.name,
            email=normalize_email(registration.email),
            password_hash=await hash_password(registration.password),
            phone=registration.phone,
            role=Role.CUSTOMER,
            last_login_at=clock.now(),
        )
        self.users.add(user)
        await self.users.session.flush()
        return Session(self._issue(user), user)

    async def refresh(self, token: str) -> IssuedToken:
        """Swap a token (expired or not, within the refresh window) for a new one."""
        claims, user = await self._still_refreshable(token)
        await self._revoke(claims)
        return self._issue(user)

    async def logout(self, token: str) -> None:
        """Kill a token. An expired one too: it could otherwise still be refreshed."""
        claims, _ = await self._still_refreshable(token)
        await self._revoke(claims)

    async def _still_refreshable(self, token: str) -> tuple[TokenClaims, User]:
        claims = decode_token(
            token, secret=self.config.jwt_secret(), refresh_window=self._refresh_window
        )
        principal = await self.authenticator.user_of(claims, None)
        assert principal.user is not None
        return claims, principal.user

    async def _revoke(self, claims: TokenClaims) -> None:
        # Kept until the token could not even be refreshed any more.
        await self.revoked.revoke(claims.jti, claims.issued_at + self._refresh_window)

    async def projects_of(self, user: User) -> Sequence[tuple[Project, bool]]:
        return await self.users.projects_of(user.id)

    async def update_profile(self, principal: Principal, changes: ProfileChanges) -> User:
        user = principal.user
        if user is None:
            raise Forbidden()
        if "name" in changes.fields_set and changes.name is not None:
            user.name = changes.name
        if "phone" in changes.fields_set:
            user.phone = changes.phone
        if changes.password is not None:
            user.password_hash = await hash_password(changes.password)
        return user
