"""First start: a super_admin exists so someone can log in."""

from __future__ import annotations

import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.passwords import hash_password
from supportdesk.core.enums import Role
from supportdesk.core.errors import Conflict
from supportdesk.models import User
from supportdesk.repositories.users import UserRepository, normalize_email


class BootstrapService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)

    async def create_admin(self, email: str, password: str, name: str = "Administrator") -> User:
        if await self.users.email_taken(email):
            raise Conflict(f"A user with the e-mail {email} already exists.")
        user = User(
            name=name,
            email=normalize_email(email),
            password_hash=await hash_password(password),
            role=Role.SUPER_ADMIN,
        )
        self.users.add(user)
        await self.session.flush()
        return user

    async def ensure_admin(self, email: str, password: str | None) -> str | None:
        """Create the first super_admin when no user exists.

        Returns the generated password when none was configured, to be shown once.
        """
        if await self.users.any_exists():
            return None
        generated = None if password else secrets.token_urlsafe(12)
        await self.create_admin(email, password or generated or "")
        return generated
