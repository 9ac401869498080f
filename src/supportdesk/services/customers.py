"""Customer accounts that connected projects bring along with their tickets."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.core import clock
from supportdesk.core.enums import Role
from supportdesk.models import User
from supportdesk.repositories.users import UserRepository, normalize_email


class CustomerService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)

    async def find_or_create(self, name: str, email: str, phone: str | None = None) -> User | None:
        """The account behind an e-mail address, created as a password-less customer if new.

        An existing account is used as it is: a project vouches for its end user's
        address, not for the name or phone the hub already holds. None when the address
        belongs to a deleted account, which is neither revived nor duplicated; the
        ticket then keeps only the name and address it was given.
        """
        existing = await self.users.get_by_email(email)
        if existing is not None:
            return existing
        now = clock.now()
        customer = User(
            name=name,
            email=normalize_email(email),
            password_hash=None,
            role=Role.CUSTOMER,
            phone=phone,
            created_at=now,
            updated_at=now,
        )
        try:
            # A savepoint: a concurrent request creating the same customer, or a deleted
            # account holding the address, fails only this insert, not the whole request.
            async with self.session.begin_nested():
                self.users.add(customer)
                await self.session.flush()
        except IntegrityError:
            return await self.users.get_by_email(email)
        return customer
