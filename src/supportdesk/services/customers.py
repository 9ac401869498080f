"""Customer accounts that connected projects bring along with their tickets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.auth.principal import Principal
from supportdesk.auth.scopes import Scope
from supportdesk.core import clock
from supportdesk.core.cursor import CursorPage, CursorRequest
from supportdesk.core.enums import Role
from supportdesk.core.errors import NotFound, ValidationFailed
from supportdesk.core.pagination import Page, PageRequest
from supportdesk.models import User
from supportdesk.repositories.rest_lists import CustomerFilters, PeopleRepository
from supportdesk.repositories.users import UserFilters, UserRepository, normalize_email
from supportdesk.services.activity import ActivityLog


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    customer: User
    ticket_count: int


@dataclass(frozen=True, slots=True)
class NewCustomer:
    email: str
    name: str | None = None
    phone: str | None = None
    company: str | None = None
    custom_fields: dict[str, Any] | None = None
    envato_username: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerChanges:
    """A partial update: only the fields named in ``fields_set`` are applied."""

    fields_set: frozenset[str]
    email: str | None = None
    name: str | None = None
    phone: str | None = None
    company: str | None = None
    custom_fields: dict[str, Any] | None = None
    envato_username: str | None = None


# Text fields a PATCH may clear with null; the e-mail address and the name it may not.
_CLEARABLE = ("phone", "company", "envato_username")


class CustomerService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.people = PeopleRepository(session)
        self.activity = ActivityLog(session)

    async def find_or_create(
        self, name: str, email: str, phone: str | None = None, company: str | None = None
    ) -> User | None:
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
            company=company,
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

    # ---------------------------------------------------------------- management

    async def page(
        self, principal: Principal, filters: CustomerFilters, request: CursorRequest
    ) -> CursorPage[tuple[User, int]]:
        principal.require(Scope.CUSTOMERS_LIST)
        return await self.people.customers_page(filters, request)

    async def get(self, principal: Principal, customer_id: int) -> CustomerDetails:
        principal.require(Scope.CUSTOMERS_READ)
        return await self._details(customer_id)

    async def _details(self, customer_id: int) -> CustomerDetails:
        found = await self.people.customer(customer_id)
        if found is None:
            raise NotFound("Customer not found.")
        return CustomerDetails(*found)

    async def create(self, principal: Principal, new: NewCustomer) -> CustomerDetails:
        principal.require(Scope.CUSTOMERS_CREATE)
        if await self.users.email_taken(new.email):
            raise ValidationFailed.field("email", "The email has already been taken.")
        now = clock.now()
        customer = User(
            name=new.name or normalize_email(new.email).split("@")[0],
            email=normalize_email(new.email),
            password_hash=None,
            role=Role.CUSTOMER,
            phone=new.phone,
            company=new.company,
            envato_username=new.envato_username,
            custom_fields=dict(new.custom_fields or {}),
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        self.users.add(customer)
        await self.session.flush()
        self.activity.record(
            principal,
            None,
            "customer.created",
            f"Customer {customer.email} created",
            {"user_id": customer.id},
        )
        return CustomerDetails(customer, 0)

    async def update(
        self, principal: Principal, customer_id: int, changes: CustomerChanges
    ) -> CustomerDetails:
        principal.require(Scope.CUSTOMERS_UPDATE)
        details = await self._details(customer_id)
        customer = details.customer
        fields = changes.fields_set
        diff: dict[str, list[Any]] = {}
        if "email" in fields and changes.email is not None:
            email = normalize_email(changes.email)
            if email != customer.email:
                if await self.users.email_taken(email, except_user_id=customer.id):
                    raise ValidationFailed.field("email", "The email has already been taken.")
                diff["email"] = [customer.email, email]
                customer.email = email
        if "name" in fields and changes.name is not None and changes.name != customer.name:
            diff["name"] = [customer.name, changes.name]
            customer.name = changes.name
        for name in _CLEARABLE:
            value = getattr(changes, name)
            if name in fields and value != getattr(customer, name):
                diff[name] = [getattr(customer, name), value]
                setattr(customer, name, value)
        if "custom_fields" in fields:
            values = dict(changes.custom_fields or {})
            if values != (customer.custom_fields or {}):
                diff["custom_fields"] = [customer.custom_fields or {}, values]
                customer.custom_fields = values
        if diff:
            customer.updated_at = clock.now()
            self.activity.record(
                principal,
                None,
                "customer.updated",
                f"Customer {customer.email} updated",
                {"user_id": customer.id, **diff},
            )
        return details

    async def delete(self, principal: Principal, customer_id: int) -> None:
        """Soft-delete a customer: their tickets stay, still naming them."""
        principal.require(Scope.CUSTOMERS_DELETE)
        customer = (await self._details(customer_id)).customer
        customer.deleted_at = clock.now()
        customer.is_active = False
        self.activity.record(
            principal,
            None,
            "customer.deleted",
            f"Customer {customer.email} deleted",
            {"user_id": customer.id},
        )

    async def page_by_name(self, principal: Principal, page: PageRequest) -> Page[User]:
        """Customers by name, an offset page (the internal API's list)."""
        principal.require(Scope.CUSTOMERS_LIST)
        return await self.users.list_page(UserFilters(role=Role.CUSTOMER), page)
