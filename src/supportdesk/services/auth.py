"""Portal sessions: logging in and out, refreshing tokens, and the session a registration
opens. The accounts themselves are services/accounts.py's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.passwords import verify_password
from supportdesk.auth.tokens import IssuedToken, TokenClaims, decode_token, issue_token
from supportdesk.config import Settings
from supportdesk.core import clock
from supportdesk.core.errors import Unauthenticated
from supportdesk.models import User
from supportdesk.repositories.users import RevokedTokenRepository, UserRepository
from supportdesk.services import principal_cache
from supportdesk.services.accounts import AccountService, NewAccount
from supportdesk.services.authentication import AuthenticationService


@dataclass(frozen=True, slots=True)
class Session:
    token: IssuedToken
    user: User


class AuthService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.config = settings
        self.session = session
        self.users = UserRepository(session)
        self.accounts = AccountService(session)
        self.revoked = RevokedTokenRepository(session)
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

    async def register(self, new: NewAccount) -> Session:
        """Open a customer account and answer with its first session."""
        user = await self.accounts.register(new)
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
        # Its cached principal goes too (with the user's others: they are resolved again).
        principal_cache.forget(self.session, users=[claims.user_id])
