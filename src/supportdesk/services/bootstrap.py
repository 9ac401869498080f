"""First start: a super_admin exists so someone can log in."""

from __future__ import annotations

import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.core.enums import Role
from supportdesk.core.errors import Conflict
from supportdesk.models import User
from supportdesk.repositories.users import UserRepository
from supportdesk.services.accounts import AccountService, NewAccount


class BootstrapService:
    def __init__(self, session: AsyncSession) -> None:
        self.users = UserRepository(session)
        self.accounts = AccountService(session)

    async def create_admin(self, email: str, password: str, name: str = "Administrator") -> User:
        # Checked ahead of the account rule for the command line's own wording.
        if await self.users.email_taken(email):
            raise Conflict(f"A user with the e-mail {email} already exists.")
        new = NewAccount(email=email, name=name, password=password)
        return await self.accounts.create(Principal.system(), Role.SUPER_ADMIN, new)

    async def ensure_admin(self, email: str, password: str | None) -> str | None:
        """Create the first super_admin when no user exists.

        Returns the generated password when none was configured, to be shown once.
        """
        if await self.users.any_exists():
            return None
        generated = None if password else secrets.token_urlsafe(12)
        await self.create_admin(email, password or generated or "")
        return generated
